from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=20)


class Order(models.Model):
    tags = models.ManyToManyField(Tag)

    async def archive(self):
        self.save(update_fields=["tags"])


async def writes(pk, tag: Tag):
    order = await Order.objects.aget(pk=pk)
    order.save()
    order.refresh_from_db()
    order.tags.add(tag)
    order.delete()
