"""Order services shared by tasks, signals and the admin."""

import asyncio
import logging

from .clients import fetch_exchange_rates
from .models import Order
from .sync import import_remote_orders

logger = logging.getLogger(__name__)


def run_async(coro):
    """Run a coroutine from sync code and return its result."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


class OrderSyncService:
    def __init__(self, shop_id):
        self.shop_id = shop_id

    def resync(self):
        count = run_async(import_remote_orders(self.shop_id))
        logger.info("shop %s: %d orders imported", self.shop_id, count)
        return count


def current_rates():
    loop = asyncio.new_event_loop()
    rates = loop.run_until_complete(fetch_exchange_rates())
    loop.close()
    return rates


def refresh_rates_cache():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(fetch_exchange_rates())
    finally:
        loop.close()


def total_in(order: Order, currency):
    rates = current_rates()
    return order.total * rates[currency]
