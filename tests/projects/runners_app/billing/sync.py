import asyncio

from orders.repository import mark_paid


def finish(order_id):
    asyncio.run(mark_paid(order_id))  # error: ABR101@5
