"""S-2 (issue 20.2): the chain cannot be emptied, shortened or recomputed without detection: TRUNCATE
is refused, hashes are keyed with a key outside the database, and anchors outside the database
fix the chain's length and hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from oms.audit import anchors, recorder, triggers
from oms.audit.keys import audit_key
from oms.audit.models import GENESIS_HASH, AuditEvent, Scheme, canonical_json
from oms.audit.verify import verify_chain

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL; CI runs this there"
)


def _events(n: int) -> list[AuditEvent]:
    return [
        recorder.record(
            actor="system", obj=None, action=f"test.{i}", after={"n": i}, object_type="t", object_id=str(i)
        )
        for i in range(n)
    ]


def _raw(sql: str, params: list[Any] | None = None) -> None:
    """What a database superuser can do: switch the triggers off and write directly."""
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    triggers.install(connection)


def _recompute_from(event_id: int, make: Any) -> None:
    """Rewrite one event's content and recompute every hash from it on with `make`."""
    events = list(AuditEvent.objects.filter(id__gte=event_id).order_by("id"))
    prev = AuditEvent.objects.filter(id__lt=event_id).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or GENESIS_HASH
    triggers.drop(connection)
    with connection.cursor() as cursor:
        for event in events:
            if event.id == event_id:
                event.reason = "forged"
            event.prev_hash = prev
            event.hash = make(event)
            cursor.execute(
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.reason, event.prev_hash, event.hash, event.id],
            )
            prev = event.hash
    triggers.install(connection)


@postgres_only
@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql() -> None:
    """S-2: TRUNCATE of the audit log is refused by the database; nothing is removed."""
    _events(3)
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks pending, which TRUNCATE would
        # complain about before the trigger runs; a committed log has none.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 3


def test_delete_without_where_is_refused() -> None:
    """S-2: SQLite has no TRUNCATE; its `DELETE FROM` without WHERE is refused (both engines)."""
    _events(3)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 3


def test_new_events_are_keyed_and_numbered() -> None:
    """S-2: each event's hash is an HMAC-SHA256 under the key file, over the payload and its number."""
    first, second = _events(2)
    assert (first.seq, second.seq, first.scheme, second.scheme) == (1, 2, Scheme.KEYED, Scheme.KEYED)
    message = second.prev_hash + canonical_json({**second.payload(), "seq": 2})
    assert second.hash == hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


def test_the_sweeper_writes_an_anchor(settings: Any) -> None:
    """S-2: the periodic job appends the chain's head (time, seq, hash, HMAC) to the anchor file,
    once per interval and only when the chain has grown."""
    events = _events(2)
    now = timezone.now()
    anchors.periodic_anchor(now)
    anchors.periodic_anchor(now)  # nothing new: no second line
    lines = Path(settings.AUDIT_ANCHOR_FILE).read_text().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert (line["seq"], line["id"], line["hash"], line["source"]) == (
        2,
        events[1].id,
        events[1].hash,
        "sweeper",
    )
    fields = {k: line[k] for k in ("at", "seq", "id", "hash", "source")}
    assert line["mac"] == hmac.new(audit_key(), canonical_json(fields).encode(), hashlib.sha256).hexdigest()


def test_the_sweep_task_anchors(settings: Any) -> None:
    """S-2: the deadline sweeper task (the periodic job) anchors the chain."""
    from oms.tracking.tasks import sweep_deadlines

    _events(1)
    sweep_deadlines.enqueue()
    assert json.loads(Path(settings.AUDIT_ANCHOR_FILE).read_text().splitlines()[-1])["seq"] >= 1


def test_tail_deletion_is_named_after_the_anchor() -> None:
    """S-2: deleting the newest events (triggers off, as a superuser could) fails verification,
    naming the missing sequence numbers and the anchor."""
    events = _events(5)
    anchor = anchors.write_anchor(source="sweeper", force=True)
    assert anchor is not None
    _raw("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].id])
    report = verify_chain()
    label = f"{timezone.localtime(timezone.now()):%Y-%m-%d %H:%M}"
    assert report.ok is False
    assert report.problem in {
        f"events 4–5 missing after anchor of {label}",
        # the minute may turn between writing and checking
        f"events 4–5 missing after anchor of {anchors.read_anchors()[0][0].label}",
    }
    with pytest.raises(CommandError, match="events 4–5 missing after anchor of"):
        call_command("verify_audit_chain")


def test_emptied_log_fails_against_its_anchor() -> None:
    """S-2: an emptied log no longer reports "intact: 0 events" once anchored."""
    _events(3)
    anchors.write_anchor(source="sweeper", force=True)
    _raw("DELETE FROM audit_auditevent")
    report = verify_chain()
    assert (report.ok, report.checked) == (False, 0)
    assert report.problem.startswith("events 1–3 missing after anchor of ")


def test_a_gap_in_the_middle_names_the_missing_numbers() -> None:
    """S-2: removed events in the middle are named by their numbers."""
    events = _events(6)
    _raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[2].id, events[3].id])
    report = verify_chain()
    assert (report.ok, report.broken_at, report.problem) == (
        False,
        events[4].id,
        "events 3–4 missing before event 5",
    )


def test_recomputing_without_the_key_fails() -> None:
    """S-2: rewriting an event and recomputing every later hash without the key (plain SHA-256 or
    a guessed key) fails at the rewritten event."""
    events = _events(4)

    def plain(event: AuditEvent) -> str:
        return hashlib.sha256((event.prev_hash + canonical_json(event.payload())).encode()).hexdigest()

    _recompute_from(events[1].id, plain)
    report = verify_chain()
    assert (report.ok, report.broken_at, report.problem) == (
        False,
        events[1].id,
        "content does not match its hash",
    )


def test_recomputing_with_the_key_is_caught_by_an_anchor() -> None:
    """S-2: with the key (the residual risk, ADR 0014) a recomputed chain verifies unless an anchor
    covers the rewritten part: then the anchored event differs and verification names it."""
    events = _events(4)
    _recompute_from(events[1].id, lambda e: e.compute_hash())
    assert verify_chain().ok is True  # the key holder alone, no anchor: undetectable
    anchors.write_anchor(source="sweeper", force=True)
    _recompute_from(events[2].id, lambda e: e.compute_hash())
    report = verify_chain()
    assert report.ok is False
    assert report.problem.startswith("event 4 differs from the anchor of ")


def test_an_altered_anchor_line_fails(settings: Any) -> None:
    """S-2: the anchor file's lines carry an HMAC; a changed line is reported."""
    _events(2)
    anchors.write_anchor(source="sweeper", force=True)
    path = Path(settings.AUDIT_ANCHOR_FILE)
    line = json.loads(path.read_text())
    line["seq"] = 1
    path.write_text(json.dumps(line) + "\n")
    report = verify_chain()
    assert (
        report.problem
        == "anchor line 1 of anchors does not match its HMAC: the anchor file was altered".replace(
            "anchors", path.name
        )
    )


def test_old_plain_chain_followed_by_keyed_events_verifies() -> None:
    """S-2: events written before the chain was keyed keep their plain hash; the keyed events
    number on from the chain's length, and the whole chain verifies, anchors included."""
    prev = GENESIS_HASH
    # written as before the change: plain hash, no number
    for i in range(3):
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor_name="legacy",
            object_type="t",
            object_id=str(i),
            action="legacy",
            prev_hash=prev,
        )
        event.hash = event.compute_hash()
        event.save()
        prev = event.hash
    assert AuditEvent.objects.filter(scheme__isnull=True).count() == 3
    anchors.write_anchor(source="sweeper", force=True)
    keyed = _events(2)
    assert [e.seq for e in keyed] == [4, 5]
    anchors.write_anchor(source="sweeper", force=True)
    report = verify_chain()
    assert (report.ok, report.checked, report.anchors) == (True, 5, 2)


def test_a_plain_event_after_keyed_ones_fails() -> None:
    """S-2: once the chain is keyed, an appended unkeyed (forgeable) event is refused by verification."""
    keyed = _events(2)
    forged = AuditEvent(
        occurred_at=timezone.now(),
        actor_name="x",
        object_type="t",
        object_id="9",
        action="forged",
        prev_hash=keyed[1].hash,
    )
    forged.hash = forged.compute_hash()
    forged.save()
    report = verify_chain()
    assert (report.ok, report.broken_at) == (False, forged.id)
    assert report.problem == "event 3 has no keyed hash after the chain was keyed"


def test_backup_command_reminds_to_keep_the_key_files(
    settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """S-2, S-3: the backup command's output names the key files to keep with the backup.
    (The manifest's anchor is checked on a real backup in oms/ops/tests/test_backup.py.)"""
    from oms.ops.management.commands import backup as command

    monkeypatch.setattr(command, "backup", lambda out: tmp_path / "oms-backup-x")
    err = StringIO()
    call_command("backup", "--out", str(tmp_path), stdout=StringIO(), stderr=err)
    assert str(settings.AUDIT_KEY_FILE) in err.getvalue()
    assert str(settings.SECRETS_KEY_FILE) in err.getvalue()
