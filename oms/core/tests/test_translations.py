"""Every label is translated both ways: Chinese is the source text, English the catalogue."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def _entries() -> dict[str, str]:
    entries = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block:
            entries["<fuzzy>"] = block
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
            # A message under a context (msgctxt, e.g. "one of") is its own entry: context\x04id.
            context = re.search(r'^msgctxt "(.*)"$', block, re.M)
            if msgid and context:
                msgid = f"{context.group(1)}\x04{msgid}"
            if msgid:
                entries[msgid] = "".join(re.findall(r'"(.*)"', match.group(2)))
    return entries


def test_every_message_has_an_english_translation() -> None:
    entries = _entries()
    assert "<fuzzy>" not in entries
    assert [k for k, v in entries.items() if not v] == []


def test_compiled_catalogue_matches_the_source() -> None:
    """The .mo is committed; it must be recompiled whenever the .po changes (msgfmt)."""
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    stale = [
        k for k, v in _entries().items() if catalogue.gettext(k.replace('\\"', '"')) != v.replace('\\"', '"')
    ]
    assert stale == []
