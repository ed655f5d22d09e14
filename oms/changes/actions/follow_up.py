"""After the decision: the signed change agreement, and the refusal explained (I-3)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.changes.models import ChangeRequest, RequestKind, RequestStatus
from oms.contracts import files
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.orders.permissions import can_renegotiate
from oms.tracking import actions as tracking


@transaction.atomic
def sign_agreement(*, actor: User, request: ChangeRequest, scan: UploadedFile | None) -> ChangeRequest:
    """I-3: the change agreement signed by both sides is filed with its SHA-256."""
    locked = ChangeRequest.objects.select_for_update().select_related("order").get(pk=request.pk)
    if not can_renegotiate(actor, locked.order):
        raise NotAllowed(_("只有负责该订单的销售可以登记变更协议。"))
    if locked.status != RequestStatus.APPROVED or locked.kind != RequestKind.CHANGE:
        raise ActionError(_("只有已批准的变更才有变更协议。"))
    if locked.agreement_signed_at is not None:
        raise ActionError(_("变更协议已登记为签订。"))
    digest = files.check_upload(
        scan, field="scan", max_mb=locked.order.policy().contracts.max_upload_mb, scan_only=True
    )
    locked.agreement_file, locked.agreement_sha256 = scan, digest
    locked.agreement_signed_at, locked.agreement_signed_by = timezone.now(), actor
    locked.version += 1
    locked.save(
        update_fields=[
            "agreement_file",
            "agreement_sha256",
            "agreement_signed_at",
            "agreement_signed_by",
            "version",
        ]
    )
    tracking.close_items(target=locked, actor=actor, outcome=_("协议已签订"), kinds=("change.agreement",))
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="change.agreement_signed",
        after={"request": locked.number, "agreement": locked.agreement_number, "sha256": digest},
    )
    return locked


@transaction.atomic
def record_explanation(*, actor: User, request: ChangeRequest, text: str) -> ChangeRequest:
    """I-3: sales records how the refusal was explained to the customer."""
    locked = ChangeRequest.objects.select_for_update().select_related("order").get(pk=request.pk)
    if not can_renegotiate(actor, locked.order):
        raise NotAllowed(_("只有负责该订单的销售可以记录向客户的说明。"))
    if locked.status != RequestStatus.REJECTED:
        raise ActionError(_("只有未通过的申请需要向客户说明。"))
    if not text.strip():
        raise FieldErrors({"explanation": _("请填写向客户说明的内容。")})
    locked.explanation, locked.explained_at = text.strip(), timezone.now()
    locked.version += 1
    locked.save(update_fields=["explanation", "explained_at", "version"])
    tracking.close_items(target=locked, actor=actor, outcome=_("已向客户说明"), kinds=("change.explain",))
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="change.explained",
        after={"request": locked.number, "explanation": locked.explanation},
    )
    return locked
