import asyncio

from asgiref.sync import sync_to_async
from celery import shared_task


async def sync_orders(shop_id, *, full=False):
    await sync_to_async(print)(shop_id, full)


@shared_task
def refresh(shop_id):
    # the comment stays
    asyncio.run(sync_orders(shop_id, full=True))  # trailing comment stays
