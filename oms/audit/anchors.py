"""Anchors: the chain's latest sequence number and hash, written outside the database (S-2).

One JSON line per anchor in settings.AUDIT_ANCHOR_FILE, appended and never rewritten:
`{"at", "seq", "id", "hash", "source", "mac"}`, the mac an HMAC of the other fields under the
audit key. The sweeper appends one when the chain has grown and the last anchor is older than
settings.AUDIT_ANCHOR_MINUTES; every backup appends one and copies it into its manifest.
Verification then knows how long the chain was at each anchor and what its hash was there, so
that a truncated, shortened or recomputed chain fails (ADR 0014).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from oms.audit.keys import mac
from oms.audit.models import AuditEvent, canonical_json


@dataclass(frozen=True)
class Anchor:
    line: int
    at: datetime
    seq: int
    event_id: int
    hash: str
    source: str

    @property
    def label(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M}"


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _signed(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "mac": mac(canonical_json(fields))}


def chain_head() -> tuple[int, int, str] | None:
    """(sequence number, event id, hash) of the newest event; None for an empty log.

    Events written before the chain was keyed carry no number: there it is the chain's length."""
    last = AuditEvent.objects.order_by("-id").values_list("seq", "id", "hash").first()
    if last is None:
        return None
    seq, event_id, digest = last
    return (seq if seq is not None else AuditEvent.objects.count()), event_id, digest


def _last_line(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            lines = fh.read().decode("utf-8", errors="replace").strip().splitlines()
    except FileNotFoundError:
        return ""
    return lines[-1] if lines else ""


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def append_anchor_line(line: str) -> None:
    """Append one anchor line as it is (a restore copies its backup's anchor)."""
    _append(anchor_file(), line)


def write_anchor(*, source: str, now: datetime | None = None, force: bool = False) -> dict[str, Any] | None:
    """Append an anchor for the chain's current head; returns it (None when nothing was written).

    Unless forced (a backup), nothing is written when the chain has not grown since the last
    anchor or that anchor is younger than settings.AUDIT_ANCHOR_MINUTES: the file stays small."""
    head = chain_head()
    if head is None:
        return None
    now = now or timezone.now()
    path = anchor_file()
    if not force:
        try:
            previous = json.loads(_last_line(path) or "null")
        except ValueError:
            previous = None
        if isinstance(previous, dict):
            if previous.get("seq") == head[0]:
                return None
            at = datetime.fromisoformat(str(previous.get("at")))
            if now - at < timedelta(minutes=settings.AUDIT_ANCHOR_MINUTES):
                return None
    seq, event_id, digest = head
    anchor = _signed({"at": now.isoformat(), "seq": seq, "id": event_id, "hash": digest, "source": source})
    _append(path, json.dumps(anchor, sort_keys=True, ensure_ascii=False))
    return anchor


def periodic_anchor(now: datetime) -> int:
    """The sweeper's periodic check: anchor the chain if due. Opens no reminders (returns 0)."""
    write_anchor(source="sweeper", now=now)
    return 0


def read_anchors(path: Path | None = None) -> tuple[list[Anchor], list[str]]:
    """Every anchor in the file, and a problem for every line whose HMAC does not match."""
    path = path or anchor_file()
    anchors: list[Anchor] = []
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return anchors, problems
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            fields = {k: data[k] for k in ("at", "seq", "id", "hash", "source")}
            genuine = data.get("mac") == mac(canonical_json(fields))
        except (ValueError, KeyError, TypeError):
            genuine = False
        if not genuine:
            problems.append(
                f"anchor line {number} of {path.name} does not match its HMAC: the anchor file was altered"
            )
            continue
        anchors.append(
            Anchor(
                line=number,
                at=datetime.fromisoformat(fields["at"]),
                seq=int(fields["seq"]),
                event_id=int(fields["id"]),
                hash=str(fields["hash"]),
                source=str(fields["source"]),
            )
        )
    return anchors, problems
