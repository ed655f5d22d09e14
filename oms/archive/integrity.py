"""The access log (查阅登记, M-3) under the audit chain's protection (issue 20.11, ADR 0014).

The table is append-only in the database (triggers, as the audit log). Every row has an audit
event with its fields; the verification (`verify_audit_chain`, the verify button) compares the
two after the chain itself has verified, so a row altered, removed or inserted by someone who
switched the triggers off is found and named.
"""

from __future__ import annotations

from typing import Any

from oms.archive.models import AccessLog
from oms.audit.models import AuditEvent, normalise

ACCESS_ACTION = "archive.access"
OBJECT_TYPE = "archive.accesslog"
TABLE = "archive_accesslog"
TRIGGERS = {"table": TABLE, "prefix": "accesslog"}
MESSAGE = "the access log is append-only"


def log_fields(row: AccessLog) -> dict[str, Any]:
    """What the audit event says about the row, as the JSON column gives it back."""
    return normalise(
        {
            "record": row.record_id,
            "user": row.user_id,
            "kind": row.kind,
            "at": row.at,
            "detail": row.detail,
            "request": row.request_id,
        }
    )


def _ids(first: list[int]) -> str:
    shown = ", ".join(str(i) for i in first[:10])
    return shown + (" …" if len(first) > 10 else "")


def check_access_log(batch_size: int = 2000) -> tuple[str, str]:
    """("access log", problem or ""): every row matches its audit event and every event its row."""
    altered: list[int] = []
    missing: list[int] = []
    seen = 0
    last = 0
    events = AuditEvent.objects.filter(action=ACCESS_ACTION, object_type=OBJECT_TYPE)
    while True:
        batch = list(
            events.filter(id__gt=last).order_by("id").values_list("id", "object_id", "after")[:batch_size]
        )
        if not batch:
            break
        last = batch[-1][0]
        rows = {row.pk: row for row in AccessLog.objects.filter(pk__in=[int(b[1]) for b in batch])}
        for _, object_id, after in batch:
            row = rows.get(int(object_id))
            if row is None:
                missing.append(int(object_id))
            elif log_fields(row) != after:
                altered.append(row.pk)
            seen += 1
    extra_count = AccessLog.objects.count() - (seen - len(missing))
    problems = []
    if missing:
        problems.append(f"rows {_ids(missing)} removed")
    if altered:
        problems.append(f"rows {_ids(altered)} altered")
    if extra_count:
        recorded = {int(i) for i in events.values_list("object_id", flat=True)}
        extra = [
            pk for pk in AccessLog.objects.order_by("pk").values_list("pk", flat=True) if pk not in recorded
        ]
        problems.append(f"rows {_ids(extra)} have no audit event")
    return "access log", "; ".join(problems)
