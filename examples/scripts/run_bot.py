"""Run the customer Telegram bot: python scripts/run_bot.py"""

import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from telegram.ext import Application, CommandHandler  # noqa: E402

from shop.bots import handlers  # noqa: E402


def build():
    application = Application.builder().token(settings.TELEGRAM_TOKEN).build()
    application.add_handler(CommandHandler("status", handlers.status_command))
    application.add_handler(CommandHandler("orders", handlers.orders_command))
    application.add_handler(CommandHandler("cancel", handlers.cancel_command))
    application.add_handler(CommandHandler("help", handlers.help_command))
    return application


if __name__ == "__main__":
    build().run_polling()
