"""Issue 22: inside fulfilment, quality and delivery, reads never import writes and models import
neither (selectors do not import actions; models do not import actions, selectors or views)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import oms

APPS = ("fulfilment", "quality", "delivery")
FORBIDDEN = {
    "selectors": ("actions", "views", "api", "forms"),
    "models": ("actions", "selectors", "views", "api", "forms"),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_does_not_import_a_higher_one_of_its_app(app: str, layer: str) -> None:
    path = Path(oms.__file__).parent / app / f"{layer}.py"
    wrong = sorted(
        name
        for name in _imports(path)
        if any(name == f"oms.{app}.{up}" or name.startswith(f"oms.{app}.{up}.") for up in FORBIDDEN[layer])
    )
    assert wrong == []
