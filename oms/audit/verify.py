"""Verifying the chain: recompute every hash in order and report the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

from oms.audit.models import GENESIS_HASH, AuditEvent


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the log by id in batches (bounded memory); stop at the first mismatch (S-2)."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked, broken_at=None, problem="")
        for event in batch:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "prev_hash does not match the preceding event")
            if event.compute_hash() != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
