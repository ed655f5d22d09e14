"""The policy's building blocks: department kinds every section names, and the strict base of
every section (an unknown key is an error, not ignored)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

DEPARTMENT_KINDS = (
    "sales",
    "customer_service",
    "marketing",
    "order_confirmation",
    "production",
    "technical",
    "quality",
    "procurement",
    "warehouse",
    "logistics",
    "finance",
    "supervision",
    "administration",
    "management",
)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, validate_assignment=True)


def _check_departments(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in DEPARTMENT_KINDS]
    if unknown:
        raise ValueError(f"unknown department kind(s): {', '.join(unknown)}")
    return values
