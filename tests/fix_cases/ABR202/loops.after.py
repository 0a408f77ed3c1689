from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=20)


class Order(models.Model):
    paid = models.BooleanField()
    tags = models.ManyToManyField(Tag, related_name="orders")


async def evaluated(order: Order):
    qs = Order.objects.filter(paid=True)
    async for o in qs:
        print(o)
    else:
        print("done")
    names = [t.name async for t in order.tags.all()]
    by_pk = {o.pk: o async for o in qs if o.paid}
    return names, by_pk
