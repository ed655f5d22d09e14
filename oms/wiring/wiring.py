"""Every seam between apps, in one place (issue 22, point 2; the seams are in `oms.core.registry`).

Read top to bottom to see how the apps meet: which pages the side menu offers, which jobs the
scheduler runs, where the credit check learns what a customer owes, what the audit verification
also checks, and what else happens when a record changes state.
"""

from __future__ import annotations

from oms.core import registry


def wire() -> None:
    """Fill every registry; idempotent (a registry keeps one copy of each entry)."""
    _ = registry  # sections below are filled as the apps move their wiring here
