import django.apps
from django.apps import apps
from django.apps import apps as django_apps

from shop.registry import forwards, product_titles


async def by_label(pk):
    Product = apps.get_model("shop", "Product")
    Product.objects.get(pk=pk)  # error: ABR201@5
    django_apps.get_model("shop.Category").objects.count()  # error: ABR201@5
    django.apps.apps.get_model(app_label="shop", model_name="Account").objects.count()  # an import of shop.models
    django.apps.apps.get_model(model_name="Category", app_label="shop").objects.count()  # error: ABR201@5
    apps.get_model("accounts", "Account", require_ready=False).objects.count()  # error: ABR201@5
    product_titles()  # error: ABR201@5
    return await Product.objects.aget(pk=pk)


async def unknown_models(pk, name):
    apps.get_model("shop", name).objects.count()  # not a literal
    apps.get_model("nowhere", "Product").objects.count()  # no such app in the project
    apps.get_model("shop", "Missing").objects.count()  # no such model
    apps.get_model("shop", "product").objects.count()  # Django ignores the case; the index does not
    apps.get_model("shop.Product.extra").objects.count()  # not a label
    return forwards(apps, None)  # its `apps` is a parameter: not known to be the registry


async def historical(apps, pk):  # a migration-like `apps` parameter shadows the import
    Product = apps.get_model("shop", "Product")
    return Product.objects.get(pk=pk)


async def rebound(pk, registry):
    apps = registry
    return apps.get_model("shop", "Product").objects.get(pk=pk)


async def enclosing(apps, pk):  # the enclosing function's parameter
    async def inner():
        return apps.get_model("shop", "Product").objects.get(pk=pk)

    return await inner()


async def enclosing_import(pk):  # the enclosing scope imports the registry
    from django.apps import apps as registry

    async def inner():
        return registry.get_model("shop", "Product").objects.get(pk=pk)  # error: ABR201@16

    return await inner()
