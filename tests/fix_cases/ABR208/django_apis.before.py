from django.contrib.auth import login as auth_login
from django.core.cache import cache
from django.dispatch import Signal
from django.shortcuts import get_object_or_404

from .models import Article

order_paid = Signal()


async def pay(request, user, pk):
    article = get_object_or_404(Article, pk=pk)
    auth_login(request, user)
    cache.set(f"article:{pk}", "paid")
    order_paid.send(sender=None, article=article)
    return cache.get("total") or 0
