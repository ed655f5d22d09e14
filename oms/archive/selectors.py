"""Reading the archive, scoped to the viewer (M-2, M-3, S-1)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from oms.archive import permissions
from oms.archive.models import AccessLog, AccessRequest, ArchiveRecord, ArchiveStatus


def records_for(user: Any) -> QuerySet[ArchiveRecord]:
    """The archive index: every staff member may find an archived order to ask for it."""
    if not permissions.can_browse(user):
        return ArchiveRecord.objects.none()
    return ArchiveRecord.objects.select_related("order", "order__customer")


def retention_ended(user: Any) -> QuerySet[ArchiveRecord]:
    """M-2: records whose retention period has ended and that are not disposed yet."""
    if not permissions.can_see_retention(user):
        return ArchiveRecord.objects.none()
    return records_for(user).filter(
        retention_until__lt=timezone.localdate(),
        status__in=[ArchiveStatus.FILED, ArchiveStatus.DISPOSAL_REQUESTED],
    )


def disposed(user: Any) -> QuerySet[ArchiveRecord]:
    """M-2: the disposal register."""
    if not permissions.can_see_retention(user):
        return ArchiveRecord.objects.none()
    return (
        records_for(user)
        .filter(status=ArchiveStatus.DISPOSED)
        .select_related("disposal_requested_by", "disposal_decided_by")
    )


def requests_for(user: Any) -> QuerySet[AccessRequest]:
    """M-3: one's own requests and those one decides; keepers and auditors see all."""
    qs = AccessRequest.objects.select_related("record", "record__order", "requester", "approver")
    if not permissions.can_browse(user):
        return qs.none()
    if permissions.can_see_access_log(user):
        return qs
    return qs.filter(Q(requester=user) | Q(approver=user))


def access_log_for(user: Any) -> QuerySet[AccessLog]:
    if not permissions.can_see_access_log(user):
        return AccessLog.objects.none()
    return AccessLog.objects.select_related("record", "record__order", "user", "request")
