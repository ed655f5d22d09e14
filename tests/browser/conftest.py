"""A real server for browser tests: its own database, migrated and loaded with the demo data,
started the way the README starts the app. Not pytest-django's live_server: that empties the
database between tests, which the audit log's append-only triggers rightly refuse.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PINNED_START

ROOT = Path(__file__).resolve().parents[2]
_PINNED_LAUNCH = (
    "import datetime, runpy, sys, time_machine;"
    "time_machine.travel(datetime.datetime.fromisoformat(sys.argv[1]), tick=True).start();"
    "sys.argv = sys.argv[2:];"
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)
CHROMIUM = os.environ.get("OMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _browser_available() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed"
    return None


def _server_database(tmp: Path) -> str:
    """A fresh database for the server: a temp SQLite file, or a scratch PostgreSQL database."""
    url = os.environ.get("OMS_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    import psycopg

    base, _, _name = url.rpartition("/")
    scratch = f"oms_browser_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    return f"{base}/{scratch}"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: Any) -> Iterator[str]:
    reason = _browser_available()
    if reason:
        if os.environ.get("OMS_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here but cannot run: {reason}")
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("server")
    env = {
        **os.environ,
        "OMS_DATABASE_URL": _server_database(tmp),
        "OMS_VAR_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    # The server keeps the suite's pinned clock (conftest.PINNED_START): the demo data and the
    # dates the tests type are judged against the same today as in every other test.
    manage = [sys.executable, "-c", _PINNED_LAUNCH, PINNED_START.isoformat(), str(ROOT / "manage.py")]

    def run_manage(*args: str) -> str:
        done = subprocess.run(
            [*manage, *args], env=env, check=False, cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode:
            raise AssertionError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    _SERVER["manage"] = run_manage
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = _free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/health/", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; see {tmp / 'server.log'}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        if env["OMS_DATABASE_URL"].startswith("postgres"):
            import psycopg

            with psycopg.connect(os.environ["OMS_DATABASE_URL"], autocommit=True) as conn:
                conn.execute(
                    f'DROP DATABASE IF EXISTS "{env["OMS_DATABASE_URL"].rpartition("/")[2]}" WITH (FORCE)'
                )


# The server's own `manage.py` (same database and clock), for a test that must act as the worker.
_SERVER: dict[str, Any] = {}


@pytest.fixture
def server_manage(server_url: str) -> Any:
    return _SERVER["manage"]


@pytest.fixture(scope="session")
def browser(server_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, server_url: str, request: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=server_url, locale="zh-CN", viewport={"width": 1280, "height": 860}
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
