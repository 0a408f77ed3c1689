"""Telegram bot commands for customers (python-telegram-bot, run by scripts/run_bot.py)."""

import asyncio
import os

from asgiref.sync import async_to_sync, sync_to_async

from ..models import Customer, Order

# the bot runs outside the ASGI server; silence "You cannot call this from an async context"
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

_reply_lock = asyncio.Lock()


def latest_order_for(customer_id):
    return Order.objects.filter(customer_id=customer_id).order_by("-created_at").first()


def cancel_latest_order(customer_id):
    order = latest_order_for(customer_id)
    if order is not None:
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])


async def status_command(update, context):
    chat_id = update.effective_chat.id
    customer = await Customer.objects.aget(telegram_chat_id=chat_id)
    order = async_to_sync(latest_order_for)(customer.pk)
    async with _reply_lock:
        await update.message.reply_text(f"Order {order.external_id}: {order.status}")


async def cancel_command(update, context):
    customer = await Customer.objects.aget(telegram_chat_id=update.effective_chat.id)
    sync_to_async(cancel_latest_order)(customer.pk)
    await update.message.reply_text("Your last order is being cancelled.")


async def orders_command(update, context):
    customer = await Customer.objects.aget(telegram_chat_id=update.effective_chat.id)
    count = await Order.objects.filter(customer=customer).acount()
    latest = await sync_to_async(latest_order_for)(customer.pk)
    lock = asyncio.Lock()
    async with lock:
        await update.message.reply_text(f"{count} orders, latest {latest.external_id}")


async def help_command(update, context):
    message = update.message
    await message.reply_text("/status, /orders, /cancel")
    await context.bot.delete_message(chat_id=message.chat_id, message_id=message.message_id)
