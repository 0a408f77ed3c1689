from django.db import models


class Order(models.Model):
    paid = models.BooleanField()
    note = models.CharField(max_length=20)


async def direct(pk):
    order = Order.objects.get(pk=pk)
    count = Order.objects.filter(paid=True).count() + 1
    if Order.objects.filter(pk=pk).exists():
        print(Order.objects.get(pk=pk).note)
    Order.objects.filter(paid=False).update(paid=True)
    return order, count, Order.objects.first()
