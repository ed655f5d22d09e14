"""Verifying the chain: recompute every hash in order, check the numbering and the anchors kept
outside the database, and report the first break, naming what is missing (S-2, ADR 0014)."""

from __future__ import annotations

from dataclasses import dataclass, field

from oms.audit.anchors import Anchor, read_anchors
from oms.audit.keys import AuditKeyMissing
from oms.audit.models import GENESIS_HASH, AuditEvent
from oms.core import registry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    problem: str
    anchors: int = 0
    latest_anchor: Anchor | None = None
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problem and all(not problem for _, problem in self.extra)

    @property
    def problems(self) -> list[str]:
        found = [self.problem] if self.problem else []
        return found + [f"{name}: {problem}" for name, problem in self.extra if problem]

    def summary(self) -> str:
        anchored = (
            f"; consistent with {self.anchors} anchors, the latest of {self.latest_anchor.label} "
            f"at event {self.latest_anchor.seq}"
            if self.latest_anchor
            else "; no anchors yet"
        )
        extra = "".join(f"; {name}: ok" for name, problem in self.extra if not problem)
        return f"{self.checked} events verified{anchored}{extra}"


def _range(first: int, last: int) -> str:
    return f"event {first}" if first == last else f"events {first}–{last}"


def _walk(anchors: dict[int, list[Anchor]], batch_size: int) -> tuple[int, int | None, str]:
    expected_prev = GENESIS_HASH
    position = 0
    keyed = False
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return position, None, ""
        for event in batch:
            position += 1
            problem = _numbering_problem(event, position, keyed) or _link_problem(
                event, position, expected_prev, anchors.get(position, [])
            )
            if problem:
                return position - 1, event.id, problem
            keyed = keyed or event.keyed
            expected_prev = event.hash
            last_id = event.id


def _numbering_problem(event: AuditEvent, position: int, keyed: bool) -> str:
    """A keyed event carries its place in the chain; once keyed, every later event is keyed."""
    if event.keyed and event.seq != position:
        if event.seq is not None and event.seq > position:
            return f"{_range(position, event.seq - 1)} missing before event {event.seq}"
        return f"event {event.id} is numbered {event.seq}, expected {position}"
    if keyed and not event.keyed:
        return f"event {position} has no keyed hash after the chain was keyed"
    return ""


def _link_problem(event: AuditEvent, position: int, expected_prev: str, anchors: list[Anchor]) -> str:
    """The event links to its predecessor, matches its own hash and every anchor taken of it."""
    if event.prev_hash != expected_prev:
        return "prev_hash does not match the preceding event"
    if event.compute_hash() != event.hash:
        return "content does not match its hash"
    for anchor in anchors:
        if anchor.hash != event.hash:
            return f"event {position} differs from the anchor of {anchor.label}: the chain was rewritten"
    return ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the log by id in batches (bounded memory); stop at the first break (S-2).

    A break is: a link or hash that does not match, a keyed event out of its number, a plain
    event after keyed ones, an event whose hash differs from an anchor's, or a chain shorter
    than the latest anchor ("events 41–57 missing after anchor of …")."""
    try:
        anchor_list, forged = read_anchors()
        by_seq: dict[int, list[Anchor]] = {}
        for anchor in anchor_list:
            by_seq.setdefault(anchor.seq, []).append(anchor)
        checked, broken_at, problem = _walk(by_seq, batch_size)
    except AuditKeyMissing as exc:
        return ChainReport(0, None, str(exc))
    latest = max(anchor_list, key=lambda a: a.seq, default=None)
    if not problem and latest is not None and latest.seq > checked:
        problem = f"{_range(checked + 1, latest.seq)} missing after anchor of {latest.label}"
    if not problem and forged:
        problem = forged[0]
    # Checks that rely on the verified chain (the archive's access log, …), wired in oms.wiring.
    extra = tuple(check() for check in registry.audit_checks) if not problem else ()
    return ChainReport(checked, broken_at, problem, len(anchor_list), latest, extra)
