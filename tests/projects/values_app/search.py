"""Database work that waits for a search type: a constant of another module, passed on by a helper."""
from values_app.models import SEARCH_TYPES, Order


def merge_orders(results, search_type):
    if search_type == SEARCH_TYPES.PARENTHETICAL:
        results.extend(order.pk for order in Order.objects.filter(paid=True))


def enrich(results, search_type):
    merge_orders(results, search_type)
