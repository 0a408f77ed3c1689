"""Recompute order totals from their lines. Usage: python scripts/backfill_totals.py"""

import asyncio
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db.models import F, Sum  # noqa: E402

from shop.models import Order  # noqa: E402


def open_order_count():
    return Order.objects.filter(status=Order.Status.OPEN).count()


async def recompute(order_id):
    total = await Order.objects.filter(pk=order_id).aaggregate(
        total=Sum(F("lines__quantity") * F("lines__product__price"))
    )
    await Order.objects.filter(pk=order_id).aupdate(total=total["total"] or 0)


async def main():
    print(f"{open_order_count()} open orders")
    async for order_id in Order.objects.values_list("pk", flat=True):
        await recompute(order_id)


if __name__ == "__main__":
    asyncio.run(main())
