# fix-case: django=4.2
from django.shortcuts import get_object_or_404

from .models import Article


async def article(request, pk):
    return get_object_or_404(Article, pk=pk)
