"""Pinyin initials with every reading of a polyphonic character (issue 23: 'SFDJ' finds 伺服电机)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from oms.core.models import recompute_pinyin


def recompute(apps: Any, schema_editor: Any) -> None:
    for name in ("Product",):
        recompute_pinyin(apps.get_model("catalog", name))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_decimal_column_bounds")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
