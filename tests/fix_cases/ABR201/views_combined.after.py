# fix-case: codes=ABR201,ABR205,ABR208
from django.core.cache import cache
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


async def detail(request, pks):
    order = await Order.objects.aget(owner=(await request.auser()))
    rows = [await Order.objects.aget(pk=p) for p in pks]
    if pks: await Order.objects.filter(pk__in=pks).aupdate(paid=True)
    data = (await cache.aget("k"))["x"]
    return order, rows, data, lambda: Order.objects.count()
