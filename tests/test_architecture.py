"""Issue 22, point 4: the size rules of the code, kept by CI rather than by review.

No module over 500 lines (application code and tests; migrations are generated) and no function
of the application over 60 lines, docstring included. ruff keeps the complexity rules (C901,
PLR0911, PLR0912, PLR0915 in pyproject.toml); it has no rule for lengths, so this test does.
Scenario tests may be longer: they walk a policy end to end in one readable story.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _python_files(*bases: str) -> list[Path]:
    return sorted(p for base in bases for p in (ROOT / base).rglob("*.py") if "migrations" not in p.parts)


def _is_test(path: Path) -> bool:
    return "tests" in path.relative_to(ROOT).parts


@pytest.mark.parametrize("base", ["oms", "tests", "config", "bench"])
def test_no_module_is_over_500_lines(base: str) -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _python_files(base)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_of_the_application_is_over_60_lines() -> None:
    long = {}
    for path in _python_files("oms", "config"):
        if _is_test(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}


# A path written into an f-string ("/orders/{pk}/") breaks silently when a URL moves.
_BUILT_URL = re.compile(r"""\bf["']/(?!/)[a-z]""")


def test_urls_are_reversed_not_built() -> None:
    built = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files("oms")
        if not _is_test(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _BUILT_URL.search(line)
    ]
    assert built == []
