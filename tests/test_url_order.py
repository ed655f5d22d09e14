"""Issue 21: the API's patterns come first in the URLconf, so an API call is not tried against
every page's pattern; that changes no answer only while no page's path starts with api/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import get_resolver


def _paths(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        path = prefix + str(p.pattern)
        if hasattr(p, "url_patterns"):
            yield from _paths(p.url_patterns, path)
        else:
            yield path


def test_no_page_path_starts_with_the_api_s_prefix() -> None:
    """Only the first entry (the API's) holds paths under api/."""
    first, *pages = get_resolver().url_patterns
    assert str(first.pattern) == "api/"
    assert [p for p in _paths(pages) if p.startswith("api/")] == []
