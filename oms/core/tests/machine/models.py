"""A small state machine that exists only in tests, to test the engine on its own."""

from django.db import models

from oms.policy.models import PinnedPolicy


class Ticket(models.Model):
    status = models.CharField(max_length=20, default="open")
    note = models.CharField(max_length=50, blank=True)
    blocked = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"ticket {self.pk}"


class Job(PinnedPolicy):
    """A record with deadlines, pinned to the policy version it started under."""

    title = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.title
