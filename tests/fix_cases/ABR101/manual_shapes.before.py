import asyncio

from asgiref.sync import sync_to_async
from celery import shared_task


async def work(pk):
    await sync_to_async(print)(pk)


@shared_task
def made_loop(pk):
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(work(pk))
    finally:
        loop.close()


@shared_task
def with_debug(pk):
    asyncio.run(work(pk), debug=True)


@shared_task
def prepared(pk):
    coro = work(pk)
    asyncio.run(coro)


@shared_task
def silenced(pk):
    asyncio.run(work(pk))  # noqa: ABR101


@shared_task
def silenced_by_prefix(pk):
    asyncio.run(work(pk))  # noqa:ABR1
