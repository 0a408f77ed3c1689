from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Order
from .services import run_async
from .sync import notify_customer_paid, notify_warehouse


@receiver(post_save, sender=Order)
def order_paid(sender, instance, created, **kwargs):
    if instance.status != Order.Status.PAID:
        return
    run_async(notify_warehouse(instance.pk))
    notify_customer_paid(instance.pk)


def order_created(sender, instance, created, **kwargs):
    if created:
        instance.lines.update(quantity=1)


post_save.connect(order_created, sender=Order)
