from celery import shared_task

from orders.services import SettlementService
from utils.aio import run_coroutine as go

from .sync import finish


@shared_task
def settle_order(order_id):
    service = SettlementService()
    SettlementService().settle_now(order_id)
    SettlementService().settle_later(order_id)
    SettlementService().settle_safely(order_id)
    SettlementService().ping_gateway(order_id)
    service.settle_now(order_id)
    finish(order_id)


@shared_task
def direct(order_id):
    from orders.repository import mark_paid
    go(mark_paid(order_id))  # error: ABR101@5


@shared_task
def through_instance(order_id):
    from orders.services import GatewayClient
    client = GatewayClient()
    client.settle_sync(order_id)
