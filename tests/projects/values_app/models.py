from django.db import models


class Order(models.Model):
    paid = models.BooleanField()


class SEARCH_TYPES:
    OPINION = "o"
    PARENTHETICAL = "pa"
