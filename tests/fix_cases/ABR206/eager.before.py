from asgiref.sync import sync_to_async
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


def load(pk):
    return {"pk": pk}


async def view(pk):
    order = await sync_to_async(load(pk), thread_sensitive=True)
    other = await sync_to_async(Order.objects.get(pk=pk))
    return order, other
