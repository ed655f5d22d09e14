"""DESIGN 4: the diagrams in docs/state-machines/ match the transition tables."""

from __future__ import annotations

from oms.devtools.diagrams import directory, expected


def test_state_machine_diagrams_are_current() -> None:
    stale = [
        name
        for name, text in expected().items()
        if not (directory() / name).exists() or (directory() / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run: python manage.py state_diagrams"
