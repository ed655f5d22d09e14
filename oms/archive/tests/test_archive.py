"""M-2, M-3: filing, the index, reading on a grant, the access log, the packet and disposal."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.accounts.models import Role
from oms.archive import actions
from oms.archive.models import AccessLog, AccessRequest, ArchiveRecord
from oms.core.errors import FieldErrors, NotAllowed
from oms.engine.workflow import PermissionDenied, SelfDecision, TransitionBlocked
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header
from oms.orders.models import SalesOrder
from oms.orders.selectors import orders_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _cancelled(org: dict[str, Any]) -> Any:
    order = intake.create_order(
        actor=org["sales"],
        data=header(org),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    return intake.cancel_draft(actor=org["sales"], order=order, reason="客户取消询价")


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    org["keeper"] = make_user("keeper1", kind="administration")
    org["keeper_head"] = make_user("keeperhead", kind="administration", role=Role.HEAD)
    org["auditor"] = make_user("audit1", kind="supervision", role=Role.AUDITOR)
    return org


def test_cancelling_files_the_order_with_the_policy_retention(people) -> None:
    """M-2: filed on cancellation under its category, kept 3 years (the seeds' default)."""
    order = _cancelled(people)
    record = ArchiveRecord.objects.get(order=order)
    today = timezone.localdate()
    assert (
        record.category,
        record.status,
        record.completed_on,
        record.retention_until,
        record.retention_years,
    ) == (
        "cancelled",
        "filed",
        today,
        actions.years_after(today, 3),
        3,
    )
    assert record.number == f"DA{today:%Y}000001"


def test_a_filed_order_leaves_the_operational_pages(people) -> None:
    """M-3: nobody reads an archived order on the order pages, not even its salesperson."""
    order = _cancelled(people)
    assert not orders_for(people["sales"]).filter(pk=order.pk).exists()
    assert not orders_for(people["exec"]).filter(pk=order.pk).exists()


def test_filing_marks_the_order_with_its_record(people) -> None:
    """M-3, issue 21: the order carries the archive's mark the lists read, set in the same
    transaction as its record; an order not filed carries none."""
    order = _cancelled(people)
    live = intake.create_order(
        actor=people["sales"],
        data=header(people),
        lines=[{"product": people["gear"].pk, "quantity": "1", "unit_price": "10"}],
        duplicate_reason="test",
    )
    marks = dict(SalesOrder.objects.filter(pk__in=[order.pk, live.pk]).values_list("pk", "archived"))
    assert (marks, order.archived) == ({order.pk: True, live.pk: False}, True)


def test_a_copy_read_before_filing_saved_whole_keeps_the_mark(people) -> None:
    """M-3: a whole-row save of an order read before it was filed does not take it back out of
    the archive (the mark is never written by such a save, like the kept risk, H-6)."""
    order = _cancelled(people)
    stale = SalesOrder.objects.get(pk=order.pk)
    stale.archived = False  # as read before the filing
    stale.save()
    assert (
        SalesOrder.objects.get(pk=order.pk).archived,
        orders_for(people["sales"]).filter(pk=order.pk).exists(),
    ) == (
        True,
        False,
    )


def test_the_sweep_marks_a_filed_order_missing_its_mark(people) -> None:
    """M-3, issue 21: an order filed without the mark (data from before it) is marked by the
    periodic filing check, with no second record, and leaves the order pages."""
    order = _cancelled(people)
    SalesOrder.objects.filter(pk=order.pk).update(archived=False)
    actions.file_finished(timezone.now())
    assert (
        SalesOrder.objects.get(pk=order.pk).archived,
        ArchiveRecord.objects.filter(order=order).count(),
        orders_for(people["sales"]).filter(pk=order.pk).exists(),
    ) == (True, 1, False)


def test_filing_twice_changes_nothing(people) -> None:
    order = _cancelled(people)
    again = actions.file_order(order=order, actor=people["sales"])
    assert (ArchiveRecord.objects.count(), again.pk) == (1, ArchiveRecord.objects.get().pk)


def test_years_after_a_leap_day() -> None:
    assert actions.years_after(date(2028, 2, 29), 3) == date(2031, 2, 28)


def test_the_index_shows_the_card_but_not_the_contents(client, people) -> None:
    order = _cancelled(people)
    record = order.archive_record
    client.force_login(people["prod"])
    assert order.number.encode() in client.get(reverse("archive:record_list")).content
    body = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert ('data-testid="request-card"' in body, 'data-testid="section-lines"' in body) == (True, False)
    assert client.get(reverse("archive:packet", args=[record.pk])).status_code == 403
    assert AccessLog.objects.count() == 0


def test_a_keeper_reads_and_every_view_is_logged(client, people) -> None:
    """M-3: the keeper reads without a request; the view is logged without a grant."""
    record = _cancelled(people).archive_record
    client.force_login(people["keeper"])
    body = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert 'data-testid="section-lines"' in body
    log = AccessLog.objects.get()
    assert (log.user, log.kind, log.request, log.record) == (people["keeper"], "view", None, record)


def test_a_request_goes_to_the_requesters_department_head(people) -> None:
    record = _cancelled(people).archive_record
    request = actions.request_access(actor=people["prod"], record=record, reason="客户投诉核对原合同")
    assert (request.status, request.approver, request.reason) == (
        "pending",
        people["prod_head"],
        "客户投诉核对原合同",
    )


def test_a_head_asks_the_executive(people) -> None:
    record = _cancelled(people).archive_record
    request = actions.request_access(actor=people["prod_head"], record=record, reason="复核")
    assert request.approver == people["exec"]


def test_a_request_without_a_reason_is_refused(people) -> None:
    record = _cancelled(people).archive_record
    with pytest.raises(FieldErrors) as refused:
        actions.request_access(actor=people["prod"], record=record, reason="  ")
    assert (refused.value.errors, AccessRequest.objects.count()) == ({"reason": ["请填写查阅原因。"]}, 0)


def test_only_the_named_head_decides(people) -> None:
    record = _cancelled(people).archive_record
    request = actions.request_access(actor=people["prod"], record=record, reason="核对")
    with pytest.raises(PermissionDenied):
        actions.decide_access(actor=people["head"], request=request, approve=True)
    request.refresh_from_db()
    assert (request.status, request.granted_until) == ("pending", None)


def test_a_stale_decision_is_refused(people) -> None:
    from oms.core.errors import StaleVersion

    record = _cancelled(people).archive_record
    request = actions.request_access(actor=people["prod"], record=record, reason="核对")
    with pytest.raises(StaleVersion):
        actions.decide_access(
            actor=people["prod_head"], request=request, approve=True, version=request.version + 1
        )


def test_approval_grants_reading_for_the_policy_days(people) -> None:
    """M-3: access_days (7 by default) from the approval."""
    from oms.archive.permissions import can_read

    record = _cancelled(people).archive_record
    request = actions.request_access(actor=people["prod"], record=record, reason="核对")
    before = timezone.now()
    decided = actions.decide_access(actor=people["prod_head"], request=request, approve=True, note="同意")
    assert decided.status == "approved"
    assert before + timedelta(days=7) <= decided.granted_until <= timezone.now() + timedelta(days=7)
    assert (can_read(people["prod"], record), can_read(people["sales"], record)) == (True, False)


def test_the_packet_holds_the_summary_every_document_and_a_true_manifest(people) -> None:
    """M-2: ZIP with summary.pdf, the documents and manifest.json whose SHA-256 match."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oms.orders.models import SalesOrder

    order = intake.create_order(
        actor=people["sales"],
        data=header(people),
        lines=[{"product": people["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    SalesOrder.objects.filter(pk=order.pk).update(original_document="orders/originals/po.pdf")
    order.refresh_from_db()
    order.original_document.storage.save(
        "orders/originals/po.pdf", SimpleUploadedFile("po.pdf", b"%PDF-1.4 po")
    )
    intake.cancel_draft(actor=people["sales"], order=order, reason="取消")
    record = ArchiveRecord.objects.get(order=order)
    data = actions.packet(viewer=people["keeper"], record=record)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = sorted(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        contents = {n: z.read(n) for n in names}
    assert names == ["01-order/po.pdf", "download.json", "manifest.json", "summary.pdf"]
    assert contents["summary.pdf"].startswith(b"%PDF")
    assert contents["01-order/po.pdf"] == b"%PDF-1.4 po"
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        n: hashlib.sha256(contents[n]).hexdigest() for n in ("summary.pdf", "01-order/po.pdf")
    }
    assert (manifest["archive"], manifest["order"]) == (record.number, order.number)
    assert AccessLog.objects.get().kind == "packet"
    assert json.loads(contents["download.json"])["downloaded_by"] == people["keeper"].username


def test_the_packet_is_refused_without_a_grant(people) -> None:
    record = _cancelled(people).archive_record
    with pytest.raises(NotAllowed):
        actions.packet(viewer=people["prod"], record=record)
    assert AccessLog.objects.count() == 0


def test_disposal_is_refused_before_the_retention_ends(people) -> None:
    record = _cancelled(people).archive_record
    with pytest.raises(TransitionBlocked):
        actions.request_disposal(actor=people["keeper"], record=record, reason="到期")
    record.refresh_from_db()
    assert (record.status, record.disposal_requested_by) == ("filed", None)


def test_the_retention_report_lists_only_ended_records(client, people, time_machine) -> None:
    record = _cancelled(people).archive_record
    client.force_login(people["keeper"])
    assert record.number.encode() not in client.get(reverse("archive:retention_list")).content
    time_machine.move_to(timezone.now() + timedelta(days=3 * 366 + 1))
    client.force_login(people["keeper"])  # the earlier session has long expired
    assert record.number.encode() in client.get(reverse("archive:retention_list")).content


def test_the_retention_report_is_refused_to_operating_staff(client, people) -> None:
    client.force_login(people["prod"])
    assert client.get(reverse("archive:retention_list")).status_code == 403


def test_disposal_needs_an_approval_by_someone_else_and_leaves_a_record(
    people, time_machine, django_capture_on_commit_callbacks
) -> None:
    """M-2: requested by a keeper after the retention, approved by the executive; the files go,
    the disposal record says what, when and who; nobody reads the order afterwards."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oms.archive.permissions import can_read
    from oms.orders.models import SalesOrder

    order = intake.create_order(
        actor=people["sales"],
        data=header(people),
        lines=[{"product": people["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    storage = order.original_document.storage
    name = storage.save("orders/originals/po.pdf", SimpleUploadedFile("po.pdf", b"%PDF-1.4 po"))
    SalesOrder.objects.filter(pk=order.pk).update(original_document=name)
    intake.cancel_draft(actor=people["sales"], order=order, reason="取消")
    record = ArchiveRecord.objects.get(order=order)
    time_machine.move_to(timezone.now() + timedelta(days=3 * 366 + 1))
    actions.request_disposal(actor=people["keeper_head"], record=record, reason="保存期满")
    with pytest.raises(SelfDecision):
        actions.decide_disposal(actor=people["keeper_head"], record=record, approve=True)
    with pytest.raises(PermissionDenied):
        actions.decide_disposal(actor=people["keeper"], record=record, approve=True)
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.decide_disposal(actor=people["exec"], record=record, approve=True, note="同意销毁")
    assert (done.status, done.disposal_requested_by, done.disposal_decided_by, done.disposal_note) == (
        "disposed",
        people["keeper_head"],
        people["exec"],
        "同意销毁",
    )
    assert done.disposed_files == [
        {
            "category": "01-order",
            "name": name,
            "size": 11,
            "sha256": hashlib.sha256(b"%PDF-1.4 po").hexdigest(),
        }
    ]
    assert (storage.exists(name), can_read(people["keeper"], done)) == (False, False)
    assert SalesOrder.objects.filter(pk=order.pk).exists()  # the data rows and audit trail stay


def test_a_refused_disposal_goes_back_on_file(people, time_machine) -> None:
    record = _cancelled(people).archive_record
    time_machine.move_to(timezone.now() + timedelta(days=3 * 366 + 1))
    actions.request_disposal(actor=people["keeper"], record=record, reason="保存期满")
    back = actions.decide_disposal(actor=people["exec"], record=record, approve=False, note="涉诉，继续保存")
    assert (back.status, back.disposal_note) == ("filed", "涉诉，继续保存")


def test_the_access_log_is_append_only(people) -> None:
    from oms.archive.models import AccessLogError

    record = _cancelled(people).archive_record
    log = actions.log_access(user=people["keeper"], record=record, kind="view")
    with pytest.raises(AccessLogError):
        log.save()
    with pytest.raises(AccessLogError):
        log.delete()
    assert AccessLog.objects.count() == 1


def test_the_access_log_page_is_for_auditors(client, people) -> None:
    record = _cancelled(people).archive_record
    actions.log_access(user=people["keeper"], record=record, kind="view")
    client.force_login(people["prod"])
    assert client.get(reverse("archive:log_list")).status_code == 403
    client.force_login(people["auditor"])
    response = client.get(reverse("archive:log_list"))
    assert (response.status_code, record.number.encode() in response.content) == (200, True)


def test_the_archive_page_makes_bounded_queries(client, people, django_assert_max_num_queries) -> None:
    records = [_cancelled(people).archive_record for _ in range(3)]
    client.force_login(people["keeper"])
    # The access log's audit event (M-3, issue 20.11) adds the chain's append on PostgreSQL.
    with django_assert_max_num_queries(44):
        assert client.get(reverse("archive:detail", args=[records[0].pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("archive:record_list")).status_code == 200


def test_a_cancelled_order_with_purchases_to_settle_is_filed_after_the_supplier_decision(more_heads) -> None:
    """J-1 then M-2: procurement still works the cancelled order; the periodic check files it
    once every purchase is decided with the supplier."""
    from oms.changes.tests.fixtures import cancelled_with_open_purchase
    from oms.fulfilment import actions as fulfilment

    order, buyer, po = cancelled_with_open_purchase(more_heads)
    assert (actions.file_finished(timezone.now()), ArchiveRecord.objects.filter(order=order).exists()) == (
        0,
        False,
    )
    fulfilment.decide_supplier(actor=buyer, po=po, decision="keep_stock", note="留作通用库存")
    assert actions.file_finished(timezone.now()) == 1
    assert ArchiveRecord.objects.get(order=order).category == "cancelled"
    assert actions.file_finished(timezone.now()) == 0


def _packet(viewer: Any, record: ArchiveRecord) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(actions.packet(viewer=viewer, record=record))) as z:
        return {n: z.read(n) for n in z.namelist()}


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return (
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        .replace(" ", "")
        .replace("\n", "")
    )


def _conditional_then_cancelled(org: dict[str, Any]) -> Any:
    """An order approved in review with conditions and an approval comment, confirmed, then
    cancelled through an approved cancellation request: filed."""
    from oms.changes.tests.fixtures import approve_all, raise_cancellation
    from oms.intake.tests.fixtures import order_in_review
    from oms.review import actions as review
    from oms.review.models import ApprovalStep, ReviewTask

    order = order_in_review(org)
    first = True
    while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
        if first:
            review.give_opinion(
                actor=task.assignee, task=task, verdict="conditions", conditions="交货前提供材质证明"
            )
            first = False
        else:
            review.give_opinion(actor=task.assignee, task=task, verdict="approve")
    for step in ApprovalStep.objects.filter(order=order).order_by("seq"):
        step.refresh_from_db()
        review.decide_step(actor=step.approver, step=step, approve=True, comment="同意，预付三成")
    order.refresh_from_db()
    order = review.record_confirmation(actor=org["sales"], order=order, confirmed_by_name="张伟")
    approve_all(raise_cancellation(org, order))
    return ArchiveRecord.objects.get(order=order)


def test_two_keepers_with_different_visibility_download_the_same_record(people) -> None:
    """M-2: the packet is the complete record, the same for every keeper: a keeper who may not see
    prices and an administrator get identical manifests and files; only download.json (who and
    when) differs. The summary shows the amounts to both."""
    from oms.policy.visibility import visible_field_groups

    admin = make_user("keeperadmin", kind="administration", role=Role.ADMIN)
    assert ("price" in visible_field_groups(people["keeper"]), "price" in visible_field_groups(admin)) == (
        False,
        True,
    )
    order = intake.create_order(
        actor=people["sales"],
        data=header(people),
        lines=[{"product": people["gear"].pk, "quantity": "2", "unit_price": "1234.50"}],
        duplicate_reason="test",
    )
    record = intake.cancel_draft(actor=people["sales"], order=order, reason="取消").archive_record
    first, second = _packet(people["keeper"], record), _packet(admin, record)
    assert sorted(first) == sorted(second)
    assert {n: b for n, b in first.items() if n != "download.json"} == {
        n: b for n, b in second.items() if n != "download.json"
    }
    assert (
        json.loads(first["download.json"])["downloaded_by"],
        json.loads(second["download.json"])["downloaded_by"],
    ) == ("keeper1", "keeperadmin")
    text = _pdf_text(first["summary.pdf"])
    assert ("2,469.00" in text, "1,234.50" in text, "***" in text) == (True, True, False)


def test_the_archive_keeps_review_conditions_and_approval_comments(more_heads) -> None:
    """M-2, C-5, D-1: a conditional approval's conditions and the approval steps' comments are in
    the archive record and in the packet's summary."""
    from oms.archive import contents

    more_heads["keeper"] = make_user("keeper1", kind="administration")
    record = _conditional_then_cancelled(more_heads)
    review = next(s for s in contents.sections(record.order) if s.key == "review")
    assert [r[5] for r in review.rows if r[5]] == ["交货前提供材质证明"]
    assert "同意，预付三成" in [r[4] for r in review.rows]
    text = _pdf_text(_packet(more_heads["keeper"], record)["summary.pdf"])
    assert ("交货前提供材质证明" in text, "同意，预付三成" in text) == (True, True)


def test_the_page_follows_the_readers_field_policy_the_packet_does_not(client, people) -> None:
    """S-1, M-2: the archive page hides prices from a reader whose field policy excludes them
    (a requester, a keeper of administration), while the packet they download shows them."""
    order = intake.create_order(
        actor=people["sales"],
        data=header(people),
        lines=[{"product": people["gear"].pk, "quantity": "2", "unit_price": "1234.50"}],
        duplicate_reason="test",
    )
    record = intake.cancel_draft(actor=people["sales"], order=order, reason="取消").archive_record
    request = actions.request_access(actor=people["prod"], record=record, reason="核对")
    actions.decide_access(actor=people["prod_head"], request=request, approve=True)
    client.force_login(people["prod"])
    page = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert ("1,234.50" in page, "***" in page) == (False, True)
    client.force_login(people["keeper"])
    page = client.get(reverse("archive:detail", args=[record.pk])).content.decode()
    assert ("1,234.50" in page, "***" in page) == (False, True)
    assert "1,234.50" in _pdf_text(_packet(people["prod"], record)["summary.pdf"])
