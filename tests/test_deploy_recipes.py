"""Issue 24.6: the deployment recipes in deploy/ and the runbook stay true to the code.

The systemd units parse (`systemd-analyze verify` when the machine has it), the compose file
names the services and settings the runbook promises, the Dockerfile copies files that exist,
and every OMS_* variable in the recipes and the runbook is one the code reads (and every one the
settings read is documented). No container is built or started: CI has no registry."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
RUNBOOK = ROOT / "docs" / "deployment.md"
ENV_EXAMPLE = DEPLOY / "oms.env.example"

SERVER = ["python", "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
WORKER = ["python", "manage.py", "run_worker"]
SCHEDULER = ["python", "manage.py", "run_scheduler"]
# The serving half of issue 24 (another branch) provides these; until it is merged their checks
# are skipped, and afterwards they hold like every other.
SERVING_MERGED = (ROOT / "config" / "gunicorn.conf.py").exists()
SERVING_VARS = {
    "OMS_ACCESS_LOG",
    "OMS_BIND",
    "OMS_DELIVERY_LEASE_SECONDS",
    "OMS_LOG_FORMAT",
    "OMS_METRICS_TOKEN",
    "OMS_OPS_LOG_LEVEL",
    "OMS_PORT",
    "OMS_STATISTICS_SECONDS",
    "OMS_SWEEP_SECONDS",
    "OMS_TASK_BACKOFF_SECONDS",
    "OMS_TASK_MAX_ATTEMPTS",
    "OMS_WEB_THREADS",
    "OMS_WEB_TIMEOUT",
    "OMS_WEB_WORKERS",
    "OMS_WORKER_HEARTBEAT_SECONDS",
}
NOT_FOR_DEPLOYMENT = {"OMS_TEST_DATABASE_NAME"}  # the test suite's own
OMS_NAME = re.compile(r"\bOMS_[A-Z0-9_]*[A-Z0-9]\b")


def _code_sources() -> list[Path]:
    files = [*(ROOT / "config").glob("*.py"), *(ROOT / "oms").rglob("*.py")]
    return [f for f in files if "tests" not in f.parts and "migrations" not in f.parts]


def _read_by_code() -> set[str]:
    """Names the code reads from the environment: quoted OMS_* names in config/ and oms/."""
    found: set[str] = set()
    for path in _code_sources():
        found |= set(re.findall(r"[\"'](OMS_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    return found


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8")))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


# --- systemd ----------------------------------------------------------------------------------


def test_there_are_units_for_the_server_the_worker_and_the_scheduler() -> None:
    assert [u.name for u in UNITS] == ["oms-scheduler.service", "oms-web.service", "oms-worker@.service"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_runs_its_command_as_the_oms_user_with_the_environment_file(path: Path) -> None:
    unit = _unit(path)
    service = unit["Service"]
    expected = {"oms-web.service": SERVER, "oms-worker@.service": WORKER, "oms-scheduler.service": SCHEDULER}
    command = service["ExecStart"].split()
    assert command[0] == "/opt/oms/.venv/bin/python"
    assert command[1 : len(expected[path.name])] == expected[path.name][1:]
    assert (service["User"], service["EnvironmentFile"], service["WorkingDirectory"]) == (
        "oms",
        "/etc/oms/oms.env",
        "/opt/oms",
    )
    # The service writes only the instance folder, which the env file example names.
    assert service["ReadWritePaths"] == "/var/lib/oms"
    assert "OMS_VAR_DIR=/var/lib/oms" in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` on copies pointed at this checkout and this interpreter (the real
    paths exist only on an installed machine): no unknown key, no bad value, the program exists."""
    names = []
    for unit in UNITS:
        text = (
            unit.read_text(encoding="utf-8")
            .replace("/opt/oms/.venv/bin/python", sys.executable)
            .replace("/etc/oms/oms.env", str(ENV_EXAMPLE))
            .replace("/opt/oms", str(ROOT))
        )
        name = unit.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
        if "@" in unit.name:
            (tmp_path / unit.name).write_text(text, encoding="utf-8")
        names.append(str(tmp_path / name))
    result = subprocess.run(
        ["systemd-analyze", "verify", *names], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert (result.returncode, result.stderr.strip()) == (0, "")


# --- container image ----------------------------------------------------------------------------


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(
        r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    )
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in joined.splitlines()
        if line.strip()
    ]


def test_the_image_is_python_3_11_slim() -> None:
    assert _dockerfile()[0] == ("FROM", "python:3.11-slim")


def test_every_file_the_dockerfile_copies_exists() -> None:
    for instruction, args in _dockerfile():
        if instruction == "COPY":
            sources = [a for a in args.split()[:-1] if not a.startswith("--")]
            assert sources, args
            for source in sources:
                assert (ROOT / source).exists(), source


def test_the_image_installs_the_lock_file_the_fonts_and_collects_static_files() -> None:
    runs = " ".join(args for instruction, args in _dockerfile() if instruction == "RUN")
    assert "pip install -r requirements.lock" in runs
    assert "fonts-noto-cjk" in runs
    assert "manage.py collectstatic --noinput" in runs


def test_the_image_runs_the_server_as_a_user_that_is_not_root() -> None:
    steps = _dockerfile()
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1] not in {"root", "0"}
    last_user = max(i for i, (instruction, _) in enumerate(steps) if instruction == "USER")
    assert all(instruction != "RUN" for instruction, _ in steps[last_user:])
    assert steps[-1] == ("CMD", '["' + '", "'.join(SERVER) + '"]')


# --- compose and nginx --------------------------------------------------------------------------


def test_compose_names_the_database_two_servers_a_worker_the_scheduler_and_nginx() -> None:
    services = _compose()["services"]
    assert sorted(services) == ["app1", "app2", "db", "migrate", "nginx", "scheduler", "worker"]
    assert [services[s]["command"] for s in ("app1", "app2", "worker", "scheduler")] == [
        SERVER,
        SERVER,
        WORKER,
        SCHEDULER,
    ]
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_every_application_container_waits_for_migrations_and_shares_the_instance_folder() -> None:
    services = _compose()["services"]
    for name in ("app1", "app2", "worker", "scheduler"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["environment"]["OMS_VAR_DIR"] == "/var/lib/oms", name
        assert "oms-var:/var/lib/oms" in service["volumes"], name


def test_compose_runs_behind_nginx_with_https_and_nginx_as_the_trusted_proxy() -> None:
    """OMS_HTTPS=1 and OMS_TRUSTED_PROXIES covering nginx's fixed address, in a form the settings
    accept (an invalid entry would stop the start)."""
    import ipaddress

    from config.settings import _proxies

    compose = _compose()
    env = compose["services"]["app1"]["environment"]
    nginx_address = compose["services"]["nginx"]["networks"]["oms"]["ipv4_address"]
    proxies = _proxies(env["OMS_TRUSTED_PROXIES"])
    assert env["OMS_HTTPS"] == "1"
    assert any(ipaddress.ip_address(nginx_address) in ipaddress.ip_network(p) for p in proxies)
    assert compose["networks"]["oms"]["ipam"]["config"][0]["subnet"] == env["OMS_TRUSTED_PROXIES"]


def test_servers_are_health_checked_on_readyz() -> None:
    services = _compose()["services"]
    for name in ("app1", "app2"):
        assert "http://127.0.0.1:8000/readyz" in " ".join(services[name]["healthcheck"]["test"]), name


def test_nginx_balances_over_both_servers_and_terminates_tls_with_the_mounted_certificate() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    code = "\n".join(ln.split("#", 1)[0] for ln in conf.splitlines())
    assert code.count("{") == code.count("}")
    upstream = re.search(r"upstream oms \{(.*?)\}", code, re.S)
    assert upstream is not None
    assert re.findall(r"server (\S+?):8000", upstream.group(1)) == ["app1", "app2"]
    assert "proxy_set_header X-Forwarded-Proto https;" in code
    assert "listen 443 ssl;" in code
    mounts = _compose()["services"]["nginx"]["volumes"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in mounts and "./certs:/etc/nginx/certs:ro" in mounts
    assert "ssl_certificate /etc/nginx/certs/fullchain.pem;" in code


# --- environment variables ----------------------------------------------------------------------


def _recipe_variables() -> set[str]:
    """OMS_* names the recipes give the application: the env file example, the environment of
    compose's services, and the runbook (wildcards like OMS_S3_* are not names)."""
    names = set(re.findall(r"^#?(OMS_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))
    for service in _compose()["services"].values():
        names |= {k for k in service.get("environment", {}) if k.startswith("OMS_")}
    for unit in UNITS:
        names |= set(OMS_NAME.findall(unit.read_text(encoding="utf-8")))
    names |= set(re.findall(r"`(OMS_[A-Z0-9_]*[A-Z0-9])(?:=[^`]*)?`", RUNBOOK.read_text(encoding="utf-8")))
    return names


def test_every_variable_in_the_recipes_is_read_by_the_code() -> None:
    unread = _recipe_variables() - _read_by_code() - SERVING_VARS
    assert unread == set()


@pytest.mark.skipif(not SERVING_MERGED, reason="the serving half of issue 24 is not merged in this branch")
def test_the_serving_variables_in_the_recipes_are_read_by_the_code() -> None:
    assert (_recipe_variables() & SERVING_VARS) - _read_by_code() == set()


@pytest.mark.skipif(not SERVING_MERGED, reason="the serving half of issue 24 is not merged in this branch")
def test_the_commands_the_recipes_run_exist() -> None:
    from django.core.management import get_commands

    commands = get_commands()
    assert ("run_worker" in commands, "run_scheduler" in commands) == (True, True)


def test_every_variable_the_settings_read_is_in_the_runbook() -> None:
    """The runbook's environment table is complete: each name appears, or a wildcard covering it
    (`OMS_S3_*`)."""
    text = RUNBOOK.read_text(encoding="utf-8")
    wildcards = re.findall(r"`(OMS_[A-Z0-9_]*_)\*`", text)
    settings_files = sorted((ROOT / "config").glob("*.py"))  # settings, scaleout, gunicorn.conf
    read = set()
    for path in settings_files:
        read |= set(re.findall(r"[\"'](OMS_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    undocumented = {
        name
        for name in read - NOT_FOR_DEPLOYMENT
        if f"`{name}`" not in text and not any(name.startswith(w) for w in wildcards)
    }
    assert undocumented == set()


# --- the server's address (issue 24.1: the run command honours the documented environment) ---


def _bind(tmp_path: Path, **env: str) -> str:
    """The address config/gunicorn.conf.py gives gunicorn under `env` (read in a child process:
    the file sets PROMETHEUS_MULTIPROC_DIR in the environment of whoever reads it)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"OMS_BIND", "OMS_PORT", "PORT"}}
    done = subprocess.run(
        [sys.executable, "-c", "import runpy; print(runpy.run_path('config/gunicorn.conf.py')['bind'])"],
        env={**clean, "OMS_VAR_DIR": str(tmp_path), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("env", "bind"),
    [
        ({}, "127.0.0.1:8000"),
        ({"PORT": "8123"}, "127.0.0.1:8123"),
        ({"OMS_PORT": "8124", "PORT": "8123"}, "127.0.0.1:8124"),
        ({"OMS_BIND": "0.0.0.0:9000", "OMS_PORT": "8124", "PORT": "8123"}, "0.0.0.0:9000"),
    ],
    ids=["default", "PORT", "OMS_PORT-wins", "OMS_BIND-wins"],
)
def test_the_server_listens_where_the_environment_says(
    tmp_path: Path, env: dict[str, str], bind: str
) -> None:
    assert _bind(tmp_path, **env) == bind


def test_the_run_command_leaves_the_address_to_the_server_s_configuration() -> None:
    """scripts/start.sh passes no --bind of its own (which would override the environment) and
    prints the address in the same order of precedence as config/gunicorn.conf.py."""
    script = (ROOT / "scripts" / "start.sh").read_text(encoding="utf-8")
    assert '"$PY" -m gunicorn -c config/gunicorn.conf.py &' in script
    assert "--bind" not in script and " -b " not in script
    assert "http://${OMS_BIND:-127.0.0.1:${OMS_PORT:-${PORT:-8000}}}/" in script


def test_the_run_command_starts_the_server_one_worker_and_the_scheduler_on_the_queue() -> None:
    """Issue 24.1-3: the README's run command serves with gunicorn (never runserver), with one
    worker on the database queue and the scheduler beside it."""
    script = (ROOT / "scripts" / "start.sh").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line.startswith('"$PY" ')]
    assert commands == [
        '"$PY" manage.py migrate --noinput -v0',
        '"$PY" manage.py load_demo',
        '"$PY" manage.py run_worker --no-startup-delay -v0 &',
        '"$PY" manage.py run_scheduler &',
        '"$PY" -m gunicorn -c config/gunicorn.conf.py &',
    ]
    assert 'export OMS_TASKS_BACKEND="${OMS_TASKS_BACKEND:-database}"' in script
