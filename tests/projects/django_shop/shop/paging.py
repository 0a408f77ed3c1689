from django.core.paginator import Paginator

from shop.services import ordered_products


def page_count():  # the QuerySet comes from another module's function
    return Paginator(ordered_products(), 20).num_pages


def rows_page_count(rows):
    return Paginator(rows, 20).num_pages
