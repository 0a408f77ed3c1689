from django.db import models


class Order(models.Model):
    paid = models.BooleanField()
    note = models.CharField(max_length=20)


async def direct(pk):
    order = await Order.objects.aget(pk=pk)
    count = await Order.objects.filter(paid=True).acount() + 1
    if await Order.objects.filter(pk=pk).aexists():
        print((await Order.objects.aget(pk=pk)).note)
    await Order.objects.filter(paid=False).aupdate(paid=True)
    return order, count, await Order.objects.afirst()
