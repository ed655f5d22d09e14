"""Versioned policy settings and the working calendar (DESIGN 5, C-3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """One published version of the company's policy; the newest is in force.

    Versions are never edited: a change publishes a new version, and a running order keeps
    the version it was created under (DESIGN 5).
    """

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    data = models.JSONField(_("内容"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("制度版本")
        verbose_name_plural = _("制度版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class CalendarSource(models.TextChoices):
    SEED = "seed", _("法定日历")
    MANUAL = "manual", _("手工调整")


class CalendarDay(models.Model):
    """One day of the working calendar: working or not, and why (statutory holiday, 调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("说明"), max_length=60, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.SEED
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class NumberSequence(models.Model):
    """Per-prefix counters for document numbers (B-4); incremented under a row lock."""

    key = models.CharField(max_length=80, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class _PinnedVersionDescriptor(ForwardManyToOneDescriptor):
    """`record.policy_version` without a query once the version was read in this process: a
    published version is never edited (DESIGN 5), so the row read by its key stays right for the
    life of the process; saving or deleting any version empties the cache (issue 21: the pinned
    version's row was read again in almost every transaction of an order's path)."""

    def get_object(self, instance: Any) -> Any:
        from oms.policy.selectors import pinned_row

        def load() -> PolicyVersion:
            row = super(_PinnedVersionDescriptor, self).get_object(instance)
            assert isinstance(row, PolicyVersion)
            return row

        return pinned_row(instance.policy_version_id, load)


class PinnedVersionField(models.ForeignKey):
    """A foreign key to the pinned `PolicyVersion`, read through the per-process cache above.
    To migrations it is a plain ForeignKey (same column, same constraint)."""

    forward_related_accessor_class = _PinnedVersionDescriptor

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs


class PinnedPolicy(models.Model):
    """A record that runs under the policy version in force when it started (DESIGN 5).

    Orders (and anything else with deadlines) inherit this; a later policy change never moves
    the time limits of a record already running.
    """

    policy_version = PinnedVersionField(
        PolicyVersion, verbose_name=_("制度版本"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    def pin_current_policy(self) -> None:
        from oms.policy.selectors import current_version

        self.policy_version = current_version()

    def policy(self) -> Any:
        """The pinned policy as typed settings (oms.policy.schema.PolicyData): `policy(of=self)` of
        `oms.policy.selectors`, whose docstring states which version applies."""
        from oms.policy.selectors import policy

        return policy(of=self)
