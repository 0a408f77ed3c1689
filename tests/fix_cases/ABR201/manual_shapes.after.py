# fix-case: django=4.0
from asgiref.sync import sync_to_async
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


def load(pk):
    return Order.objects.get(pk=pk)


async def too_old_for_twins(pk):
    return Order.objects.get(pk=pk)


async def transitive(pk):
    return load(pk)


async def in_generator(pks):
    return sum(Order.objects.filter(pk=pk).count() for pk in pks)


async def silenced(pk):
    return Order.objects.get(pk=pk)  # noqa: ABR201
