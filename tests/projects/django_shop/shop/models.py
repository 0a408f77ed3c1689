from django.db import models as djm

from accounts.models import Account
from core.models import Owned


class Category(djm.Model):
    title = djm.CharField(max_length=50)


class Product(Owned):
    category = djm.ForeignKey(Category, on_delete=djm.CASCADE, related_name="products")
    buyers = djm.ManyToManyField(Account, related_name="purchases")
