import asyncio

from asgiref.sync import async_to_sync
from celery import shared_task
from django.conf import settings
from telegram import Bot

from config.celery import app

from .clients import ping
from .models import Order
from .services import OrderSyncService, run_async
from .sync import import_remote_orders


@shared_task(bind=True, max_retries=3)
def sync_marketplace_orders(self, shop_id):
    try:
        return asyncio.run(import_remote_orders(shop_id))
    except Exception as exc:
        raise self.retry(exc=exc, countdown=60)


@app.task
def resync_shop(shop_id):
    return OrderSyncService(shop_id).resync()


@shared_task
def refresh_orders(shop_id):
    return async_to_sync(import_remote_orders)(shop_id)


@shared_task
def check_partner_api(url):
    return run_async(ping(url)) == 200


@shared_task
def close_stale_orders():
    return Order.objects.filter(status=Order.Status.OPEN).update(status=Order.Status.CANCELLED)


@shared_task
async def send_weekly_digest():
    async for order in Order.objects.filter(status=Order.Status.PAID):
        await asyncio.sleep(0)


@shared_task
def announce_in_chat(chat_id, text):
    bot = Bot(settings.TELEGRAM_TOKEN)
    asyncio.run(bot.send_message(chat_id=chat_id, text=text))
