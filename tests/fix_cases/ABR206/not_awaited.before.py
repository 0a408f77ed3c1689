from asgiref.sync import sync_to_async
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


def load(pk):
    return {"pk": pk}


loader = sync_to_async(load(1))
sync_to_async(Order.objects.get(pk=1))


def in_a_sync_function(pk):
    sync_to_async(Order.objects.get(pk=pk))
    return sync_to_async(Order.objects.get(pk=pk))


async def stored_for_later(pk):
    pending = sync_to_async(load(pk))
    return pending


async def passed_on(pk, schedule):
    schedule(sync_to_async(Order.objects.get(pk=pk)))
