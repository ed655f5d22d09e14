"""Template helpers for S-1 field visibility."""

from __future__ import annotations

from typing import Any

from django import template

from oms.accounts.permissions import mask_contact
from oms.policy.visibility import visible_field_groups

register = template.Library()


@register.simple_tag(takes_context=True)
def contact(context: Any, value: Any) -> str:
    """S-1: the customer's phone or e-mail in full for departments the policy lets see contact
    data, masked for everyone else (and for a page rendered without a user)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    text = "" if value is None else str(value)
    if user is not None and "contact" in visible_field_groups(user):
        return text
    return mask_contact(text)
