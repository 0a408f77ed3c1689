from shop.models import Product


def product_count(category_id):
    return Product.objects.filter(category_id=category_id).count()


def refresh_all(category_id):
    return product_count(category_id)


class Catalog:
    def pick(self, pk):
        return Product.objects.get(pk=pk)


def ordered_products():
    return Product.objects.order_by("pk")
