from django.db import models


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Owned(TimeStamped):
    owner = models.ForeignKey("accounts.Account", on_delete=models.CASCADE)

    class Meta:
        abstract = True
