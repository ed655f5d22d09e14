"""The order as a document (issue 23, point 5): its tabs, which registered panel belongs to which,
and the tab an order opens on.

The page used to be one long column of every stage's card; now each card sits in the tab of its
matter and only the shown tab's cards are read (fewer statements); the others load when chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from oms.core import registry
from oms.orders.models import OrderStatus as S


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any


TABS: tuple[Tab, ...] = (
    Tab("info", _("基本信息")),
    Tab("lines", _("明细")),
    Tab("review", _("评审审批")),
    Tab("contract", _("合同")),
    Tab("execution", _("执行")),
    Tab("delivery", _("发货验收")),
    Tab("billing", _("结算")),
    Tab("changes", _("变更")),
    Tab("records", _("记录")),
)
KEYS = frozenset(t.key for t in TABS)
DEFAULT = TABS[0].key

# The tab an order opens on when none is asked for: where its current stage's work is.
_BY_STATUS = {
    S.IN_REVIEW: "review",
    S.IN_APPROVAL: "review",
    S.REVIEW_FAILED: "review",
    S.AWAITING_CONFIRMATION: "review",
    S.CONFIRMED: "execution",
    S.RELEASED: "execution",
    S.IN_PRODUCTION: "execution",
    S.ON_HOLD: "execution",
    S.SHIPPED: "delivery",
    S.RECEIVED: "billing",
    S.CLOSED: "records",
    S.CANCELLED: "records",
}

# The tab of a panel registered without one, by the app whose template it is (a panel added
# later, say billing's payments, lands beside its app's others).
_BY_APP = {
    "review": "review",
    "contracts": "contract",
    "fulfilment": "execution",
    "quality": "execution",
    "delivery": "delivery",
    "billing": "billing",
    "changes": "changes",
    "tracking": "records",
}

# The header the page's in-place forms send (oms.js): the tab they were posted from, so the tab
# shown again after the action is theirs, whatever URL the action returns to.
TAB_HEADER = "OMS-Tab"


def tab_of(panel: registry.OrderPanel) -> str:
    """The tab of a registered panel: its own, else the tab named like it, else its app's, else
    the first."""
    if panel.tab in KEYS:
        return panel.tab
    if panel.key in KEYS:
        return panel.key
    return _BY_APP.get(panel.template.partition("/")[0], DEFAULT)


def panels_of(tab: str, panels: Iterable[registry.OrderPanel]) -> list[registry.OrderPanel]:
    return sorted((p for p in panels if tab_of(p) == tab), key=lambda p: p.order)


def _from_current_url(request: HttpRequest) -> str:
    """The tab in the address of the page htmx posted from (a redirect back drops the query)."""
    current = request.headers.get("HX-Current-URL", "")
    if not current or not url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        return ""
    query = current.partition("?")[2].partition("#")[0]
    pairs = (part.partition("=") for part in query.split("&"))
    return next((value for name, _sep, value in pairs if name == "tab"), "")


def chosen(request: HttpRequest, order: Any) -> str:
    """The tab to show: the one asked for (`?tab=`), or the one an in-place form came from, or
    where the order's current stage is worked on."""
    for asked in (
        request.GET.get("tab", ""),
        request.headers.get(TAB_HEADER, ""),
        _from_current_url(request),
    ):
        if asked in KEYS:
            return asked
    return _BY_STATUS.get(order.status, DEFAULT)


def is_partial(request: HttpRequest) -> bool:
    """Only the tab is sent: asked for (`partial=1`), or any htmx request but the restoring of a
    page from history (which wants the whole page). A form posted in place comes back here by
    the redirect of its action, still an htmx request, and gets its tab again."""
    if request.GET.get("partial") == "1":
        return True
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")
