"""Orders entered from a spreadsheet (B-9): every row checked first, then created all or nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors
from oms.engine import records
from oms.intake import importing
from oms.intake.models import ImportBatch, ImportStatus
from oms.orders import permissions
from oms.orders.actions import create_order


def _messages(exc: ActionError) -> list[str]:
    if isinstance(exc, FieldErrors):
        return [f"{k}: {m}" for k, ms in exc.errors.items() for m in ms]
    return [exc.message]


def preview_import(*, actor: User, file_name: str, content: bytes) -> ImportBatch:
    """Check every row by running the real create in a savepoint that is rolled back."""
    records.require(permissions.can_enter_orders(actor))
    groups, errors = importing.group_rows(importing.read_rows(content))
    for group in groups:
        try:
            with transaction.atomic():
                create_order(actor=actor, data=importing.order_header(group["header"]), lines=group["lines"])
                raise importing.Rollback
        except importing.Rollback:
            pass
        except ActionError as exc:
            errors.append({"row": group["rows"][0], "messages": _messages(exc)})
    errors.sort(key=lambda e: e["row"])
    return ImportBatch.objects.create(
        file_name=file_name[:200], payload=groups, row_errors=errors, created_by=actor
    )


@transaction.atomic
@recorder.batched
def confirm_import(*, actor: User, batch: ImportBatch) -> list[str]:
    """Create every order of a clean preview in one transaction; all or nothing."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.created_by_id != actor.pk:
        records.require(False)
    if locked.status != ImportStatus.PREVIEW:
        raise ActionError(_("该导入已处理。"))
    if locked.row_errors:
        raise ActionError(_("文件有错误，请修改后重新上传。"))
    numbers = [
        create_order(actor=actor, data=importing.order_header(g["header"]), lines=g["lines"]).number
        for g in locked.payload
    ]
    locked.status, locked.order_numbers = ImportStatus.IMPORTED, numbers
    locked.save(update_fields=["status", "order_numbers"])
    return numbers


def cancel_import(*, actor: User, batch: ImportBatch) -> None:
    """Nothing was saved; the batch is kept as a record that the file was looked at."""
    ImportBatch.objects.filter(pk=batch.pk, created_by=actor, status=ImportStatus.PREVIEW).update(
        status=ImportStatus.CANCELLED
    )
