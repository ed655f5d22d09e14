"""The order's pages (issue 22, point 1): `order` (the page composed of every stage's panel, its
transitions, versions and original document), `entry` (the list and the order form) and `work`
(my work)."""

from oms.workbench.views.entry import ORDER_SPEC, inquiry_convert, order_edit, order_new
from oms.workbench.views.order import VERBS, order_page, order_transition, order_versions, original_document
from oms.workbench.views.register import REGISTER_SPEC
from oms.workbench.views.search import search
from oms.workbench.views.work import work

__all__ = [
    "ORDER_SPEC",
    "REGISTER_SPEC",
    "VERBS",
    "inquiry_convert",
    "order_edit",
    "order_new",
    "order_page",
    "order_transition",
    "order_versions",
    "original_document",
    "search",
    "work",
]
