"""ABR301 with the project's Celery app imported from another module."""
from shop.celery import app
from shop.queue import broker
from shop.worker import worker


@app.task
async def via_celery_module(order_id):  # error: ABR301@1
    ...


@worker.task(bind=True)
async def via_worker_module(self, order_id):  # error: ABR301@1
    ...


@broker.task
async def via_taskiq(order_id):
    ...
