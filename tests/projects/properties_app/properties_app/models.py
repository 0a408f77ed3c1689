"""Models whose properties do database work, read from another module."""
from typing import Optional

from django.db import models


def core_settings():
    return CoreSettings.objects.first()


class CoreSettings(models.Model):
    default_time_zone = models.CharField(max_length=40)


class Agent(models.Model):
    time_zone = models.CharField(max_length=40, null=True)

    @property
    def timezone(self):
        if self.time_zone:
            return self.time_zone
        return core_settings().default_time_zone


class Task(models.Model):
    name = models.CharField(max_length=40)

    def nats_payload(self, agent: Optional[Agent] = None):
        return {"name": self.name, "tz": agent.timezone if agent else None}

    def untyped_payload(self, agent):
        return {"name": self.name, "tz": agent.timezone}  # the parameter's class is unknown

    def plain_payload(self):
        return {"name": self.name}


class ProgressReport(models.Model):
    state = models.CharField(max_length=10)

    def __enter__(self):
        self.state = "running"
        self.save()
        return self

    def __exit__(self, *exc):
        return None
