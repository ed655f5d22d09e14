"""The field policy (S-1): which confidential field groups a user may see, per the policy's
visibility setting. It lives with the policy it reads (issue 22: `accounts` sits below `policy`);
`oms.accounts.permissions` keeps the groups, the masking and the redaction that need no policy."""

from __future__ import annotations

from typing import Any

from oms.accounts.models import Role
from oms.accounts.permissions import FIELD_GROUPS
from oms.policy.selectors import policy


def visible_field_groups(user: Any) -> frozenset[str]:
    """S-1: which confidential field groups the user may see, per the policy's visibility setting."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, "role", "") in {Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR} or getattr(
        user, "is_superuser", False
    ):
        return frozenset(FIELD_GROUPS)
    cached = getattr(user, "_oms_visible_groups", None)
    if cached is not None:
        return frozenset(cached)
    visibility = policy().visibility
    kind = user.department_kind
    groups = frozenset(g for g in FIELD_GROUPS if kind in getattr(visibility, g))
    user._oms_visible_groups = groups
    return groups
