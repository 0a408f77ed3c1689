"""Tasks whose framework is known only from another module: the huey and Celery apps are
imported from project modules, django-q2 and RQ jobs are enqueued from views.py."""
import asyncio

from shop.queue import huey
from shop.services import ping, store_order, touch
from shop.worker_app import app


@huey.task()
def mark_paid(order_id):
    asyncio.run(store_order(order_id))  # error: ABR101@5


@huey.task()
async def mark_paid_async(order_id):  # error: ABR301@1
    await store_order(order_id)


@app.task(bind=True)
def settle(self, order_id):
    asyncio.run(store_order(order_id))  # error: ABR101@5


def refresh_stock(order_id):
    asyncio.run(store_order(order_id))  # error: ABR101@5


def send_report(order_id):
    asyncio.run(touch(order_id))  # error: ABR101@5


def rebuild(order_id):
    _rebuild_rows(order_id)


def _rebuild_rows(order_id):
    asyncio.run(store_order(order_id))  # error: ABR101@5


async def cleanup(order_id):
    await store_order(order_id)


# --- silent -------------------------------------------------------------------

def tidy(order_id):
    asyncio.run(store_order(order_id))


def healthcheck(url):
    asyncio.run(ping(url))
