"""The coroutine touches the database two calls away (services -> repository)."""
import asyncio

import httpx

from orders.repository import mark_paid
from utils import run_coroutine
from utils.aio import run_safely


async def settle(order_id):
    await notify_gateway(order_id)
    await mark_paid(order_id)


async def notify_gateway(order_id):
    async with httpx.AsyncClient() as client:
        await client.post("https://pay.example/settle", json={"id": order_id})


class SettlementService:
    def settle_now(self, order_id):
        asyncio.run(settle(order_id))  # error: ABR101@9

    def settle_later(self, order_id):
        run_coroutine(settle(order_id))  # error: ABR101@9

    def settle_safely(self, order_id):
        run_safely(settle, order_id)

    def ping_gateway(self, order_id):
        asyncio.run(notify_gateway(order_id))


def unused_helper(order_id):
    asyncio.run(settle(order_id))


class GatewayClient:
    def settle_sync(self, order_id):
        asyncio.run(settle(order_id))  # error: ABR101@9
