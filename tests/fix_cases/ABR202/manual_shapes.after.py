from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


async def evaluated():
    qs = Order.objects.filter(paid=True)
    rows = list(qs)
    total = len(qs)
    if qs:
        print(rows, total)
    first = qs[0]
    lazy = (o.pk for o in qs)
    for o in qs:  # noqa: ABR202
        print(o)
    nested = [[o.pk for o in qs] for _ in range(2)]
    return first, lazy, nested
