from django.conf import settings
from django.db import models

from core.models import TimeStamped


class Account(TimeStamped):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=50)
