from .models import Order


async def mark_paid(order_id):
    await Order.objects.filter(id=order_id).aupdate(paid=True)
