import asyncio

from asgiref.sync import sync_to_async
from celery import shared_task


def async_to_sync(func):
    return func


async def work(pk):
    await sync_to_async(print)(pk)


@shared_task
def refresh(pk):
    asyncio.run(work(pk))
