from asgiref.sync import sync_to_async

from .clients import post_to_warehouse
from .models import Customer, Order


async def send_receipt(order: Order):
    await post_to_warehouse({"receipt_for": order.customer.email, "total": str(order.total)})


async def send_receipt_by_id(order_id, customer: Customer):
    await post_to_warehouse({"receipt_for": customer.email, "order": order_id})


@sync_to_async
def open_orders_for(customer_id):
    return Order.objects.filter(customer_id=customer_id, status=Order.Status.OPEN)


@sync_to_async
def open_order_ids_for(customer_id):
    return list(Order.objects.filter(customer_id=customer_id).values_list("pk", flat=True))
