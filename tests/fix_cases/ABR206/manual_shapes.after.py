from asgiref.sync import sync_to_async
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


def load(pk):
    return {"pk": pk}


async def called_again(pk):
    return await sync_to_async(load(pk))()


async def by_keyword(pk):
    return await sync_to_async(func=load(pk))
