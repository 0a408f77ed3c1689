from django.core.management.base import BaseCommand

from shop.clients import marketplace
from shop.models import Product


class Command(BaseCommand):
    help = "Pull the product catalogue from the marketplace."

    def add_arguments(self, parser):
        parser.add_argument("--shop", type=int, required=True)

    async def handle(self, *args, **options):
        response = await marketplace.get(f"/shops/{options['shop']}/products")
        for item in response.json()["products"]:
            await Product.objects.aupdate_or_create(sku=item["sku"], defaults={"name": item["name"]})
        self.stdout.write(self.style.SUCCESS("catalogue synced"))
