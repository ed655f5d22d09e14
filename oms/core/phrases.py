"""Stored text that reads in each reader's language (issue 23.12).

A to-do item or an inbox message is written once, by whoever's action opened it, and read later by
others, each in their own language. Storing the text as rendered in the writer's language showed
Chinese titles in English mode (and English ones to Chinese readers when the writer used English).
A `Phrase` keeps the message id and its arguments; it is rendered when read. The plain text in the
source language is kept beside it for search, exports and the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


@dataclass(frozen=True)
class Phrase:
    """A message id (the Chinese source text, as in the catalogue) with its named arguments;
    an argument may itself be a phrase (a label inside a title)."""

    msgid: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = gettext(self.msgid)
        if not self.args:
            return text
        # A plain-text argument that is itself a catalogue entry (a label such as 生产任务) reads
        # in the reader's language too; names and numbers are not entries and stay as they are.
        return text % {k: v if isinstance(v, Phrase) else gettext(str(v)) for k, v in self.args.items()}

    def source(self) -> str:
        """The text in the system's own language, whatever language is active now."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self)

    def to_json(self) -> dict[str, Any]:
        # A lazy label is kept in the source language, so that reading translates it.
        with translation.override(settings.LANGUAGE_CODE):
            return {
                "m": self.msgid,
                "a": {k: v.to_json() if isinstance(v, Phrase) else str(v) for k, v in self.args.items()},
            }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        args = {k: cls.from_json(v) if isinstance(v, Mapping) else v for k, v in data.get("a", {}).items()}
        return cls(str(data["m"]), args)


def phrase(msgid: str, **args: Any) -> Phrase:
    """`phrase("初审订单 %(n)s", n=order.number)`: the text of `_("初审订单 %(n)s") % {...}`,
    rendered when it is read rather than when it is written."""
    return Phrase(msgid, args)


def as_phrase(text: str, data: Mapping[str, Any] | None) -> str | Phrase:
    """A stored title as it was given: the phrase when one was kept (to quote it inside another)."""
    return Phrase.from_json(data) if data else text


def stored(text: str | Phrase, limit: int) -> tuple[str, dict[str, Any] | None]:
    """What a model keeps of a title: the source-language text (cut to the column) and, for a
    phrase, the phrase itself."""
    if isinstance(text, Phrase):
        return text.source()[:limit], text.to_json()
    return str(text)[:limit], None


def shown(text: str, data: Mapping[str, Any] | None) -> str:
    """The title in the reader's language: the phrase when one was kept, else the stored text."""
    if not data:
        return text
    try:
        return str(Phrase.from_json(data))
    except (KeyError, TypeError, ValueError):
        # A catalogue whose translation lost a placeholder must not break the reader's page.
        return text
