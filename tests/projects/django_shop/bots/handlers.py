from channels.db import database_sync_to_async

from accounts.models import Account
from shop import models as shop_models
from shop.models import Category, Product
from shop.services import Catalog, refresh_all


@database_sync_to_async
def count_in_thread(category_id):
    return refresh_all(category_id)


async def on_message(pk, account: Account):
    product = await Product.objects.aget(pk=pk)
    print(product.category.title)  # error: ABR204@11
    print(product.owner)  # error: ABR204@11
    print(product.category_id, product.owner_id)
    print(account.user)  # error: ABR211@11
    product.buyers.add(account)  # error: ABR203@5
    account.purchases.remove(product)  # error: ABR203@5
    category = await Category.objects.aget(pk=1)
    category.products.clear()  # error: ABR203@5
    shop_models.Product.objects.filter(pk=pk).delete()  # error: ABR201@5
    refresh_all(product.category_id)  # error: ABR201@5
    Catalog().pick(pk)  # error: ABR201@5
    for item in category.products.all():  # error: ABR202@5
        print(item)
    return await count_in_thread(product.category_id)


async def loaded(pk):
    product = await Product.objects.select_related("category", "owner__user").aget(pk=pk)
    print(product.category.title, product.owner.user)
    await product.buyers.aclear()
