"""An import cycle between project modules must not hang or crash."""
import asyncio

from core.cycle_b import helper


async def touch():
    from orders.models import Order
    await Order.objects.acount()


def run_it():
    asyncio.run(touch())  # error: ABR101@5
    helper()
