from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """Structured audit values as readable JSON (Chinese kept as is)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
