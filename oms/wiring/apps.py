"""Issue 22, point 2: the menu, periodic jobs, credit-exposure sources, audit checks and the side
effects of transitions, declared here and nowhere else. `oms.core.registry` explains the seams.
This app is installed last, so every app's models are ready when it wires them."""

from __future__ import annotations

from django.apps import AppConfig


class WiringConfig(AppConfig):
    name = "oms.wiring"
    label = "wiring"
    verbose_name = "wiring"

    def ready(self) -> None:
        from oms.wiring import wiring

        wiring.wire()
