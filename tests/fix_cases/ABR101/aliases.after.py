from asgiref.sync import async_to_sync
from celery import shared_task
from myshop.models import Order


class Sync:
    async def pull(self, pk):
        await Order.objects.filter(pk=pk).adelete()


@shared_task
def first(pk):
    async_to_sync(Sync().pull)(pk)


@shared_task
def second(pk):
    async_to_sync(Sync().pull)(pk)
