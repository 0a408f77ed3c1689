from asgiref.sync import async_to_sync, sync_to_async
from celery import shared_task


async def work(pk):
    await sync_to_async(print)(pk)


@shared_task
def refresh(pk):
    async_to_sync(work)(pk)  # noqa: E501
