"""State-machine diagrams (Mermaid) generated from the transition tables (DESIGN 4).

`python manage.py state_diagrams` writes docs/state-machines/; a test fails when they are stale.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from oms.archive import states as archive
from oms.billing import states as billing
from oms.changes import states as changes
from oms.contracts import states as contracts
from oms.delivery import states as delivery
from oms.engine.workflow import TransitionTable
from oms.feedback import states as feedback
from oms.fulfilment import states as fulfilment
from oms.notifications import states as notifications
from oms.orders import states as orders
from oms.quality import states as quality
from oms.review import states as review
from oms.supervision import states as supervision
from oms.tracking import states as tracking


def tables() -> list[TransitionTable]:
    return [
        fulfilment.ORDER_EXECUTION,
        fulfilment.DEPARTMENT_TASK,
        fulfilment.RESERVATION,
        fulfilment.PURCHASE_ORDER,
        quality.NON_CONFORMANCE,
        quality.ORDER_QUALITY,
        orders.ORDER,
        orders.INQUIRY,
        review.TASK,
        review.ROUND,
        review.STEP,
        contracts.CONTRACT,
        tracking.EXCEPTION,
        changes.REQUEST,
        changes.ORDER_CANCELLATION,
        delivery.ORDER_RECEIPT,
        billing.STATEMENT,
        billing.ORDER_CLOSURE,
        archive.DISPOSAL,
        archive.ACCESS,
        feedback.COMPLAINT,
        feedback.IMPROVEMENT,
        feedback.SURVEY,
        supervision.SPOT_CHECK,
        supervision.REPORT,
        notifications.DELIVERY,
    ]


def mermaid(table: TransitionTable) -> str:
    lines = [
        f"# {table.name}",
        "",
        "Generated from the transition table; do not edit.",
        "",
        "```mermaid",
        "stateDiagram-v2",
    ]
    for t in table.transitions.values():
        marks = []
        if t.automatic:
            marks.append("auto")
        if t.requires_reason:
            marks.append("reason")
        if t.guards:
            marks.append("guards: " + ", ".join(g.__name__ for g in t.guards))
        suffix = f" ({'; '.join(marks)})" if marks else ""
        for source in sorted(t.source):
            lines.append(f"    {source} --> {t.target}: {t.name}{suffix}")
    lines += ["```", ""]
    return "\n".join(lines)


def directory() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "state-machines"


def expected() -> dict[str, str]:
    return {f"{table.name}.md": mermaid(table) for table in tables()}


def write() -> list[Path]:
    directory().mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected().items():
        path = directory() / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
