# fix-case: django=4.1
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


async def too_old_for_asave(pk):
    order = await Order.objects.aget(pk=pk)
    order.save()


async def in_lambda(pk):
    order = await Order.objects.aget(pk=pk)
    return lambda: order.save()
