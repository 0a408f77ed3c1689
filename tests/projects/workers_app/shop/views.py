import logging

import django_rq
from django_q.tasks import async_task

from shop import tasks
from shop.tasks import cleanup, healthcheck, refresh_stock

logger = logging.getLogger(__name__)


def checkout(request, order_id):
    async_task(refresh_stock, order_id)
    async_task("shop.tasks.send_report", order_id)
    django_rq.get_queue("default").enqueue(tasks.rebuild, order_id)
    async_task(healthcheck, "https://example.com")
    async_task(cleanup, order_id)  # error: ABR301@5
    logger.info("tidy", extra={"tidy": tasks.tidy})
    return None
