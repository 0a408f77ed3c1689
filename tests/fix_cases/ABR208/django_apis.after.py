from django.contrib.auth import alogin, login as auth_login
from django.core.cache import cache
from django.dispatch import Signal
from django.shortcuts import aget_object_or_404, get_object_or_404

from .models import Article

order_paid = Signal()


async def pay(request, user, pk):
    article = await aget_object_or_404(Article, pk=pk)
    await alogin(request, user)
    await cache.aset(f"article:{pk}", "paid")
    await order_paid.asend(sender=None, article=article)
    return await cache.aget("total") or 0
