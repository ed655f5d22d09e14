"""Pinyin initials with every reading of a polyphonic character (issue 23: 'SFDJ' finds 伺服电机)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from oms.core.models import recompute_pinyin


def recompute(apps: Any, schema_editor: Any) -> None:
    for name in ("Supplier", "Carrier"):
        recompute_pinyin(apps.get_model("partners", name))


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
