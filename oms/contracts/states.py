"""The contract's lifecycle as data (DESIGN 4, E-2, E-3)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.contracts.models import ContractStatus as C
from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.orders.permissions import can_renegotiate


def can_review_contract(user: Any, contract: Any) -> bool:
    """E-3: the sales head, order confirmation or an executive reviews before signing."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in {"executive", "admin"}:
        return True
    return user.role == "head" and user.department_kind in {"sales", "order_confirmation", "management"}


def can_handle_contract(user: Any, contract: Any) -> bool:
    return can_renegotiate(user, contract.order) or can_review_contract(user, contract)


# Read with the locked contract: the permission reads its order, and the hand-off that follows
# each transition reads the order's department and salesperson (issue 21).
_ORDER = ("order__department", "order__salesperson")

REVIEW = Transition(
    name="review_contract",
    label=_("合同评审通过"),
    source={C.DRAFTING},
    target=C.REVIEWED,
    permission=can_review_contract,
    automatic=True,
    raisers=raised_by,
    related=_ORDER,
)
SIGN = Transition(
    name="sign_contract",
    label=_("登记签订"),
    source={C.REVIEWED},
    target=C.SIGNED,
    permission=can_handle_contract,
    automatic=True,
    related=_ORDER,
    # E-2: the signed copy is filed as a document version under the order's lock (no statement more).
    locked_related=("order",),
)
REDRAFT = Transition(
    name="redraft_contract",
    label=_("新版本"),
    source={C.DRAFTING, C.REVIEWED, C.SIGNED},
    target=C.DRAFTING,
    permission=can_handle_contract,
    requires_reason=True,
    automatic=True,
    related=_ORDER,
)
CONTRACT = TransitionTable.of("contract", REVIEW, SIGN, REDRAFT)
