"""The seams between apps, each a typed registry filled in one place (issue 22, point 2).

A lower tier may not import a higher one, yet the menu lists every app's pages, the sweeper runs
every app's periodic jobs, the credit check adds up what every app says a customer owes, and
closing an order files its archive. Each such seam is one registry here. `oms.wiring` (the top
tier, the last app installed) fills every registry explicitly, once at start-up, in one readable
module; the code that uses a seam reads its registry and knows nothing of who filled it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered set of entries; adding the same entry twice keeps one (start-up may run twice
    in tests and management commands)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: list[T] = []

    def add(self, entry: T) -> T:
        if entry not in self._entries:
            self._entries.append(entry)
        return entry

    def extend(self, entries: Iterable[T]) -> None:
        for entry in entries:
            self.add(entry)

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._entries)}>"


@dataclass(frozen=True)
class MenuEntry:
    """One link of the side menu: shown only to users `allowed(user)` is true for (no dead links)."""

    label: Any
    url_name: str
    allowed: Callable[[Any], bool]


@dataclass(frozen=True)
class MenuSection:
    title: Any
    entries: tuple[MenuEntry, ...]


@dataclass(frozen=True)
class SideEffect:
    """What else happens, in the same transaction, when a record of `model` (an app label such as
    "orders.SalesOrder") takes a transition into one of `targets` (every target when empty).
    `handler(instance=..., transition=..., actor=...)` runs after the state is saved and audited."""

    model: str
    handler: Callable[..., None]
    targets: frozenset[str] = field(default_factory=frozenset)
    why: str = ""

    def wants(self, model_label: str, target: str) -> bool:
        return self.model == model_label and (not self.targets or target in self.targets)


@dataclass(frozen=True)
class OrderPanel:
    """One panel of the order page (H-1), registered by the process app that owns its matter.
    `context(request, order)` returns the names `template` reads, added to the page's own
    (the order, its lines, `show_prices`, …); None leaves the panel out. Panels are shown by
    ascending `order`, each in the page's tab `tab` (issue 23, point 5: the keys are the order
    page's, `oms.workbench.tabs`; empty, or a key the page does not know, puts it in the tab named
    like the panel's `key`, else in its template's app's tab, else in the first), and only when
    that tab is shown."""

    key: str
    title: Any
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 0
    tab: str = ""


@dataclass(frozen=True)
class OrderAction:
    """A transition of the order that another app's page takes (issue 23, point 5): the order
    page's toolbar offers it to whoever may take it now (its source state and permission), as a
    button posting to `url(order)` with nothing to type; when its guards refuse, the button is
    disabled with their reasons beside it. `transition` is an `oms.engine.workflow.Transition`
    (this module sits below the engine); `tab` is the tab where its matter is shown."""

    transition: Any
    url: Callable[[Any], str]
    tab: str = ""


@dataclass(frozen=True)
class HomePanel:
    """One panel of the start page from an app above the web tier (issue 23: what waits on me,
    counted by kind). `context(request)` returns the names `template` reads; None leaves it out."""

    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 0


# The side menu, section by section, in the order shown.
menu: Registry[MenuSection] = Registry("menu")
# Periodic jobs the scheduler runs: each takes the current time, returns how many items it opened (H-3, H-5).
periodic_jobs: Registry[Callable[[datetime], int]] = Registry("periodic_jobs")
# What a customer owes on invoices, per ledger (L-4 → B-6): customer id → receivables, overdue,
# overdue_days, invoiced_open.
credit_exposure_sources: Registry[Callable[[int], dict[str, Decimal]]] = Registry("credit_exposure_sources")
# Checks that run with the audit chain's verification: each returns (name, problem or "").
audit_checks: Registry[Callable[[], tuple[str, str]]] = Registry("audit_checks")
# Side effects of transitions (closing an order files it, …).
side_effects: Registry[SideEffect] = Registry("side_effects")
# The panels of the order page, each from the app whose stage it shows (issue 22, point 1).
order_panels: Registry[OrderPanel] = Registry("order_panels")
# The order's transitions other apps post, offered on the order page's toolbar (issue 23, point 5).
order_actions: Registry[OrderAction] = Registry("order_actions")
# The panels of the start page (issue 23).
home_panels: Registry[HomePanel] = Registry("home_panels")


def run_side_effects(instance: Any, transition: Any, actor: Any) -> None:
    """Run every side effect wired for this record's transition, in the order they were wired."""
    label = instance._meta.label
    for effect in side_effects:
        if effect.wants(label, transition.target):
            effect.handler(instance=instance, transition=transition, actor=actor)
