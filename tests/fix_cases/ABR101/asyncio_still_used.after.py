import asyncio

from celery import shared_task
from myshop.models import Order
from asgiref.sync import async_to_sync


async def mark_paid(pk):
    await asyncio.sleep(0)
    await Order.objects.filter(pk=pk).aupdate(paid=True)


@shared_task
def pay(pk):
    result = async_to_sync(mark_paid)(pk)
    return result
