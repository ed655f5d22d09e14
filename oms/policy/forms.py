"""The policy edit form, generated from the schema so that a new setting needs no new page.

Scalars become inputs named by their dotted path (`review.board_time_limit_days`); lists of
simple values become comma-separated inputs (department lists become checkboxes); lists of
records (order classes, approval tiers) are edited as a TOML block.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import tomli_w
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy
from pydantic import BaseModel

from oms.accounts.models import DepartmentKind
from oms.core.errors import FieldErrors
from oms.policy.actions import parse_policy_toml, toml_ready
from oms.policy.schema import DEPARTMENT_KINDS, PolicyData

# Unordered sets of departments become checkboxes; `review.sequence` is ordered, so it stays a list.
DEPARTMENT_LISTS = {"review.board", "visibility.price", "visibility.cost", "visibility.contact"}
CHOICE_LABELS = {
    "parallel": gettext_lazy("并行评审（各部门同时）"),
    "sequential": gettext_lazy("顺序评审（逐个环节）"),
}


@dataclass
class Leaf:
    path: str
    label: str
    kind: str  # int | decimal | str | bool | choice | departments | list | records
    value: Any
    choices: list[tuple[str, str]]


@dataclass
class Section:
    path: str
    label: str
    leaves: list[Leaf]


_SCALAR_KINDS: dict[Any, str] = {bool: "bool", int: "int", Decimal: "decimal"}


def _kind(annotation: Any) -> tuple[str, list[tuple[str, str]]]:
    """How the editor shows a setting of this type: its input kind and, for a choice, the options."""
    origin = typing.get_origin(annotation)
    if annotation in _SCALAR_KINDS:
        return _SCALAR_KINDS[annotation], []
    if origin is typing.Literal:
        return "choice", [(str(a), str(CHOICE_LABELS.get(str(a), a))) for a in typing.get_args(annotation)]
    if origin is list:
        (inner,) = typing.get_args(annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "records", []
        return "list", []
    return "str", []


def _department_choices() -> list[tuple[str, str]]:
    labels = dict(DepartmentKind.choices)
    return [(k, str(labels.get(k, k))) for k in DEPARTMENT_KINDS]


def sections(policy: PolicyData) -> list[Section]:
    result: list[Section] = []
    top_leaves: list[Leaf] = []
    for name, info in PolicyData.model_fields.items():
        value = getattr(policy, name)
        label = gettext(info.title or name)
        if isinstance(value, BaseModel):
            leaves = []
            for sub, sub_info in type(value).model_fields.items():
                kind, choices = _kind(sub_info.annotation)
                sub_value = getattr(value, sub)
                if kind == "list" and f"{name}.{sub}" in DEPARTMENT_LISTS:
                    kind, choices = "departments", _department_choices()
                if kind == "records":  # e.g. the change rules: edited as TOML like the top-level lists
                    sub_value = tomli_w.dumps(
                        toml_ready({sub: [i.model_dump(mode="python") for i in sub_value]})
                    )
                leaves.append(Leaf(f"{name}.{sub}", gettext(sub_info.title or sub), kind, sub_value, choices))
            result.append(Section(name, label, leaves))
        else:
            kind, choices = _kind(info.annotation)
            if kind == "records":
                dumped = toml_ready({name: [item.model_dump(mode="python") for item in value]})
                top_leaves.append(Leaf(name, label, kind, tomli_w.dumps(dumped), choices))
            else:
                top_leaves.append(Leaf(name, label, kind, value, choices))
    return [Section("", "", top_leaves), *result]


def collect(post: QueryDict, policy: PolicyData) -> dict[str, Any]:
    """Build the policy dict from the submitted form; every leaf of every section is read."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for section in sections(policy):
        target = data if not section.path else data.setdefault(section.path, {})
        for leaf in section.leaves:
            key = leaf.path.rsplit(".", 1)[-1]
            raw = post.get(leaf.path, "")
            if leaf.kind == "bool":
                target[key] = post.get(leaf.path) == "on"
            elif leaf.kind == "departments":
                target[key] = post.getlist(leaf.path)
            elif leaf.kind == "list":
                target[key] = [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
            elif leaf.kind == "records":
                try:
                    target[key] = parse_policy_toml(raw).get(key, [])
                except FieldErrors as exc:
                    errors[leaf.path] = exc.errors["toml"][0]
            else:
                target[key] = raw.strip()
    if errors:
        raise FieldErrors(errors)
    return data
