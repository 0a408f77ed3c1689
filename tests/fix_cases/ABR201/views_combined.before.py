# fix-case: codes=ABR201,ABR205,ABR208
from django.core.cache import cache
from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


async def detail(request, pks):
    order = Order.objects.get(owner=request.user)
    rows = [Order.objects.get(pk=p) for p in pks]
    if pks: Order.objects.filter(pk__in=pks).update(paid=True)
    data = cache.get("k")["x"]
    return order, rows, data, lambda: Order.objects.count()
