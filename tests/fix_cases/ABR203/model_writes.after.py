from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=20)


class Order(models.Model):
    tags = models.ManyToManyField(Tag)

    async def archive(self):
        await self.asave(update_fields=["tags"])


async def writes(pk, tag: Tag):
    order = await Order.objects.aget(pk=pk)
    await order.asave()
    await order.arefresh_from_db()
    await order.tags.aadd(tag)
    await order.adelete()
