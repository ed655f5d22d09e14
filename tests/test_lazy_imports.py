"""Issue 21, memory: a web process loads the heavy libraries only when a request needs them.

WeasyPrint (PDF), openpyxl (Excel), pypinyin (its phrase dictionary alone is ~57 MiB) and cn2an
were loaded by every gunicorn worker at start through module-level imports, which kept a worker
at 160 MiB RSS with nothing to show for it. Loading the WSGI application and the URLconf, as a
worker does before its first request, must not import them. Checked in a fresh interpreter:
this test process has long imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("weasyprint", "openpyxl", "pypinyin", "cn2an")

_PROBE = """
import json, sys
from config.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns  # every app's urls, views and API routers
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def test_loading_the_wsgi_application_and_urlconf_imports_no_heavy_library() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


_FROZEN = """
import gc
from config.wsgi import application
print(gc.get_freeze_count() > 0, "config.urls" in __import__("sys").modules)
"""


def test_the_loaded_application_is_frozen_out_of_the_garbage_collector() -> None:
    """Issue 21: the WSGI module loads the URLconf and freezes what is loaded (`gc.freeze`), so a
    full collection during a request does not walk Django and the apps again."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    done = subprocess.run(
        [sys.executable, "-c", _FROZEN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "True True"
