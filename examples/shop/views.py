import os

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404

from .clients import fetch_exchange_rates
from .models import Order, Shipment
from .services import OrderSyncService

DEBUG_ASYNC = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"


def render_invoice(order_id, lines):
    body = "\n".join(f"{line['product__sku']} x{line['quantity']}" for line in lines)
    return f"Invoice {order_id}\n{body}"


async def order_detail(request, pk):
    order = await Order.objects.aget(pk=pk)
    return JsonResponse({"id": order.pk, "customer": order.customer.email})


async def order_summary(request, pk):
    order = await Order.objects.select_related("customer__user").aget(pk=pk)
    return JsonResponse({
        "id": order.pk,
        "customer_id": order.customer_id,
        "email": order.customer.email,
        "username": order.customer.user.username,
    })


async def my_orders(request):
    orders = Order.objects.filter(customer__user=request.user)
    data = [{"id": o.pk, "total": str(o.total)} for o in orders]
    return JsonResponse({"orders": data, "count": orders.count()})


async def my_orders_v2(request):
    user = await request.auser()
    orders = Order.objects.filter(customer__user=user).order_by("-created_at")
    data = [{"id": o.pk, "total": str(o.total)} async for o in orders[:50]]
    return JsonResponse({"orders": data, "count": await orders.acount()})


async def cancel_order(request, pk):
    order = await Order.objects.aget(pk=pk, customer__user=await request.auser())
    with transaction.atomic():
        order.status = Order.Status.CANCELLED
        order.save()
        cache.delete(f"order:{pk}")
    return JsonResponse({"id": order.pk, "status": order.status})


async def invoice(request, pk):
    order = await Order.objects.aget(pk=pk)
    lines = [line async for line in order.lines.values("product__sku", "quantity")]
    text = await sync_to_async(render_invoice(order.pk, lines))
    return HttpResponse(text, content_type="text/plain")


async def shipment_status(request, pk):
    shipment = get_object_or_404(Shipment, order_id=pk)
    rate = await fetch_exchange_rates()["EUR"]
    return JsonResponse({"tracking": shipment.tracking_number, "order": shipment.order_id, "eur": rate})


async def exchange_rates(request):
    rates = await fetch_exchange_rates()
    return JsonResponse({"eur": rates["EUR"], "usd": (await fetch_exchange_rates())["USD"]})


@login_required
def refresh_from_marketplace(request, pk):
    count = OrderSyncService(shop_id=pk).resync()
    return JsonResponse({"imported": count})
