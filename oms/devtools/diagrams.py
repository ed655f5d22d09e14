"""State-machine diagrams (Mermaid) generated from the transition tables (DESIGN 4).

`python manage.py state_diagrams` writes docs/state-machines/; a test fails when they are stale.
The tables are discovered, not listed: every installed app's `states` module is imported and the
tables it declared in `workflow.TABLES` are drawn. A record moved by the tables of several apps
(the order: entered and checked, reviewed, released, shipped, received, closed, held, cancelled)
also gets one diagram of its whole life, named after the table of its own app (issue 22).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections import defaultdict
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings

from oms.engine import workflow
from oms.engine.workflow import TransitionTable


def _states_modules() -> list[tuple[str, ModuleType]]:
    """(app label, states module) of every installed app of the project, in INSTALLED_APPS order
    (the process order); test apps are left out."""
    found = []
    for app in apps.get_app_configs():
        name = f"{app.name}.states"
        if not app.name.startswith("oms.") or ".tests" in app.name or importlib.util.find_spec(name) is None:
            continue
        found.append((app.label, importlib.import_module(name)))
    return found


def _declared() -> list[tuple[str, TransitionTable]]:
    """(app label, table) for every table the apps' states modules registered in workflow.TABLES."""
    owner: dict[int, str] = {}
    for label, module in _states_modules():
        for value in vars(module).values():
            if isinstance(value, TransitionTable):
                owner.setdefault(id(value), label)
    rank = {label: i for i, (label, _module) in enumerate(_states_modules())}
    declared = [(owner[id(t)], t) for t in workflow.TABLES if id(t) in owner]
    return sorted(declared, key=lambda pair: rank[pair[0]])


def tables() -> list[TransitionTable]:
    return [table for _label, table in _declared()]


def _edges(table: TransitionTable, *, with_table: bool = False) -> list[str]:
    lines = []
    for t in table.transitions.values():
        marks = [table.name] if with_table else []
        if t.automatic:
            marks.append("auto")
        if t.requires_reason:
            marks.append("reason")
        if t.guards:
            marks.append("guards: " + ", ".join(g.__name__ for g in t.guards))
        suffix = f" ({'; '.join(marks)})" if marks else ""
        for source in sorted(t.source):
            lines.append(f"    {source} --> {t.target}: {t.name}{suffix}")
    return lines


def mermaid(table: TransitionTable) -> str:
    lines = [
        f"# {table.name}",
        "",
        "Generated from the transition table; do not edit.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        *_edges(table),
        "```",
        "",
    ]
    return "\n".join(lines)


def lives() -> dict[str, list[tuple[str, TransitionTable]]]:
    """Model label → (app label, table) of every table that moves it, for models moved by more
    than one table (each table names its model, `TransitionTable.model`)."""
    by_model: dict[str, list[tuple[str, TransitionTable]]] = defaultdict(list)
    for label, table in _declared():
        if table.model:
            by_model[table.model].append((label, table))
    return {model: found for model, found in by_model.items() if len(found) > 1}


def _home_table(model: str, found: list[tuple[str, TransitionTable]]) -> TransitionTable:
    """The table declared in the model's own app names the diagram of its whole life."""
    app_label = model.split(".", 1)[0]
    return next((table for label, table in found if label == app_label), found[0][1])


def life_mermaid(model: str, found: list[tuple[str, TransitionTable]]) -> str:
    """The whole life of `model`: every transition of every table that moves it, each marked
    with its table; the tables are listed in process order with the app that declares them."""
    home = _home_table(model, found)
    lines = [
        f"# {home.name}: the whole life",
        "",
        f"Generated from every transition table that moves `{model}`; do not edit.",
        "",
        *[f"- `{table.name}` ({label})" for label, table in found],
        "",
        "```mermaid",
        "stateDiagram-v2",
    ]
    for _label, table in found:
        lines += _edges(table, with_table=True)
    lines += ["```", ""]
    return "\n".join(lines)


def directory() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "state-machines"


def expected() -> dict[str, str]:
    files = {f"{table.name}.md": mermaid(table) for table in tables()}
    for model, found in lives().items():
        files[f"{_home_table(model, found).name}.md"] = life_mermaid(model, found)
    return files


def write() -> list[Path]:
    directory().mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected().items():
        path = directory() / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
