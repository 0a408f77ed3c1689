"""Models looked up in Django's app registry by label (awx: `apps.get_model('main', 'Instance')`)."""
from django.apps import apps


def product_titles():
    Product = apps.get_model("shop", "Product")
    return {p.pk: p.category_id for p in Product.objects.all()}


def forwards(apps, schema_editor):  # a migration's RunPython function: `apps` holds historical models
    Product = apps.get_model("shop", "Product")
    return Product.objects.filter(category_id=None).count()
