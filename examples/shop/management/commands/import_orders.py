import asyncio

from django.core.management.base import BaseCommand

from shop.sync import import_remote_orders


class Command(BaseCommand):
    help = "Import paid orders from the marketplace (one-off backfill)."

    def add_arguments(self, parser):
        parser.add_argument("shop_ids", nargs="+", type=int)

    def handle(self, *args, **options):
        for shop_id in options["shop_ids"]:
            count = asyncio.run(import_remote_orders(shop_id))
            self.stdout.write(f"shop {shop_id}: {count} orders")
