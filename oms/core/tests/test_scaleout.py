"""Several nodes on one database (issue 24.4): which cache, session engine, file storage and read
replica the environment selects (config/scaleout.py and its block in config/settings.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from config import scaleout

ROOT = Path(__file__).resolve().parents[3]


def _pg(url: str) -> dict[str, Any]:
    return {"ENGINE": "django.db.backends.postgresql", "URL": url}


def test_without_a_cache_url_the_cache_is_per_process_and_sessions_are_in_the_database() -> None:
    caches = scaleout.caches({})
    assert caches == {"default": {"BACKEND": scaleout.LOCMEM}}
    assert scaleout.session_engine(caches) == "django.contrib.sessions.backends.db"


def test_a_redis_url_selects_the_shared_cache_with_sessions_written_through_to_the_database() -> None:
    caches = scaleout.caches({"OMS_REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert caches == {
        "default": {
            "BACKEND": scaleout.REDIS,
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": "oms",
            "TIMEOUT": 300,
        }
    }
    assert scaleout.session_engine(caches) == "django.contrib.sessions.backends.cached_db"


def test_oms_cache_url_wins_over_oms_redis_url() -> None:
    caches = scaleout.caches({"OMS_CACHE_URL": "rediss://cache:6380/1", "OMS_REDIS_URL": "redis://x/0"})
    assert caches["default"]["LOCATION"] == "rediss://cache:6380/1"


def test_a_cache_url_that_is_not_redis_stops_the_start() -> None:
    with pytest.raises(ValueError, match="memcached"):
        scaleout.caches({"OMS_CACHE_URL": "memcached://127.0.0.1:11211"})


def test_without_a_bucket_uploads_go_to_the_instance_folder() -> None:
    assert scaleout.default_storage({"OMS_S3_ENDPOINT_URL": "http://minio:9000"}) == {
        "BACKEND": scaleout.FILESYSTEM
    }


def test_a_bucket_selects_private_s3_storage_with_the_configured_endpoint_and_keys() -> None:
    storage = scaleout.default_storage(
        {
            "OMS_S3_BUCKET": "oms-files",
            "OMS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "OMS_S3_REGION": "cn-east-1",
            "OMS_S3_ACCESS_KEY_ID": "AKID",
            "OMS_S3_SECRET_ACCESS_KEY": "SECRET",
            "OMS_S3_PREFIX": "prod",
        }
    )
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "oms-files",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "endpoint_url": "http://127.0.0.1:9000",
            "region_name": "cn-east-1",
            "access_key": "AKID",
            "secret_key": "SECRET",
            "location": "prod",
        },
    }


def test_the_selected_s3_storage_builds_signed_private_links_without_contacting_the_server() -> None:
    """The options are ones django-storages accepts: a link to an upload is signed (S-1: no
    public objects) and names the configured endpoint, bucket and prefix. No request is sent."""
    from django.utils.module_loading import import_string

    selected = scaleout.default_storage(
        {
            "OMS_S3_BUCKET": "oms-files",
            "OMS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
            "OMS_S3_REGION": "us-east-1",
            "OMS_S3_ACCESS_KEY_ID": "AKID",
            "OMS_S3_SECRET_ACCESS_KEY": "SECRET",
            "OMS_S3_PREFIX": "prod",
            "OMS_S3_ADDRESSING_STYLE": "path",
        }
    )
    storage = import_string(selected["BACKEND"])(**selected["OPTIONS"])
    url = storage.url("orders/originals/2026/12/po.pdf")
    assert url.startswith("http://127.0.0.1:9/oms-files/prod/orders/originals/2026/12/po.pdf?")
    assert "Signature=" in url and "Expires=" in url


def test_without_a_replica_url_there_is_no_replica() -> None:
    assert scaleout.replica_database({}, _pg, _pg("postgres://p/oms")) is None


def test_a_replica_url_adds_a_postgresql_replica_that_mirrors_the_primary_in_tests() -> None:
    replica = scaleout.replica_database(
        {"OMS_DATABASE_REPLICA_URL": "postgres://ro@replica:5432/oms"}, _pg, _pg("postgres://p/oms")
    )
    assert replica == {
        "ENGINE": "django.db.backends.postgresql",
        "URL": "postgres://ro@replica:5432/oms",
        "TEST": {"MIRROR": "default"},
    }


def test_a_replica_beside_sqlite_stops_the_start() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        scaleout.replica_database(
            {"OMS_DATABASE_REPLICA_URL": "postgres://replica/oms"},
            _pg,
            {"ENGINE": "oms.core.sqlite"},
        )


def _settings_in_a_fresh_process(env: dict[str, str]) -> dict[str, Any]:
    """config/settings.py as a new process reads it from `env` (settings are read once)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'session': s.SESSION_ENGINE, "
        "'storage': s.STORAGES['default']['BACKEND'], 'static': s.STORAGES['staticfiles']['BACKEND'], "
        "'media': str(s.MEDIA_ROOT), 'static_root': str(s.STATIC_ROOT), 'databases': sorted(s.DATABASES), "
        "'replica_host': s.DATABASES.get('replica', {}).get('HOST'), "
        "'routers': s.DATABASE_ROUTERS, 'replica': s.OMS_DATABASE_REPLICA}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OMS_CACHE", "OMS_REDIS", "OMS_S3"))}
    clean.pop("OMS_DATABASE_REPLICA_URL", None)
    clean.pop("OMS_MEDIA_ROOT", None)
    clean.pop("OMS_STATIC_ROOT", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_settings_default_to_one_node_defaults(tmp_path: Path) -> None:
    found = _settings_in_a_fresh_process({"OMS_VAR_DIR": str(tmp_path), "OMS_DATABASE_URL": ""})
    assert found == {
        "cache": scaleout.LOCMEM,
        "session": "django.contrib.sessions.backends.db",
        "storage": scaleout.FILESYSTEM,
        "static": settings.STORAGES["staticfiles"]["BACKEND"],  # untouched by the block
        "media": str(tmp_path / "media"),
        "static_root": str(tmp_path / "staticfiles"),
        "databases": ["default"],
        "replica_host": None,
        "routers": [],
        "replica": "",
    }


def test_settings_read_the_scale_out_environment(tmp_path: Path) -> None:
    found = _settings_in_a_fresh_process(
        {
            "OMS_VAR_DIR": str(tmp_path),
            "OMS_DATABASE_URL": "postgres://oms@primary:5432/oms",
            "OMS_DATABASE_REPLICA_URL": "postgres://oms@replica:5432/oms",
            "OMS_REDIS_URL": "redis://127.0.0.1:6379/0",
            "OMS_S3_BUCKET": "oms-files",
            "OMS_MEDIA_ROOT": str(tmp_path / "shared"),
            "OMS_STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    assert found == {
        "cache": scaleout.REDIS,
        "session": "django.contrib.sessions.backends.cached_db",
        "storage": scaleout.S3,
        "static": settings.STORAGES["staticfiles"]["BACKEND"],  # untouched by the block
        "media": str(tmp_path / "shared"),
        "static_root": str(tmp_path / "static"),
        "databases": ["default", "replica"],
        "replica_host": "replica",
        "routers": ["oms.core.replica.ReplicaRouter"],
        "replica": "replica",
    }


@pytest.mark.django_db
def test_behind_https_the_health_probes_are_not_redirected(client: Any, settings: Any) -> None:
    """Issue 24.6: orchestrators probe a node over plain HTTP (compose's healthcheck, a load
    balancer); every other address is still redirected to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    statuses = [client.get(path).status_code for path in ("/healthz", "/readyz", "/accounts/login/")]
    assert statuses[2] == 301
    assert 301 not in statuses[:2]


def test_backup_says_that_uploads_in_object_storage_are_not_in_it(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from django.core.management import call_command

    from oms.ops.management.commands import backup as command

    monkeypatch.setattr(command, "backup", lambda out: out / "2026-12-05")
    settings.STORAGES = {**settings.STORAGES, "default": scaleout.default_storage({"OMS_S3_BUCKET": "b"})}
    err = io.StringIO()
    call_command("backup", out=str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "Uploaded files are kept by storages.backends.s3.S3Storage, not in this backup" in err.getvalue()


def test_backups_go_to_the_instance_folder_also_when_uploads_are_elsewhere(settings: Any) -> None:
    from oms.ops.management.commands.backup import Command

    parser = Command().create_parser("manage.py", "backup")
    assert parser.parse_args([]).out == str(Path(settings.VAR_DIR) / "backups")
