import asyncio

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def execute(self, *args, **options):
        return asyncio.run(self.handle(*args, **options))

    async def handle(self, *args, **options):
        return "done"
