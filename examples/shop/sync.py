"""Import orders from the marketplace into our database."""

from .clients import fetch_remote_orders, post_to_warehouse
from .models import Customer, Order, Shipment


async def import_remote_orders(shop_id):
    imported = 0
    for payload in await fetch_remote_orders(shop_id):
        customer, _ = await Customer.objects.aget_or_create(email=payload["email"])
        await Order.objects.aupdate_or_create(
            external_id=payload["id"],
            defaults={"customer": customer, "total": payload["total"], "status": Order.Status.PAID},
        )
        imported += 1
    return imported


async def notify_warehouse(order_id):
    result = await post_to_warehouse({"order": order_id})
    await Shipment.objects.acreate(order_id=order_id, carrier=result["carrier"])


async def notify_customer_paid(order_id):
    order = await Order.objects.select_related("customer").aget(pk=order_id)
    await post_to_warehouse({"notify": order.customer.email})
