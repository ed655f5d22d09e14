"""Settings for several nodes on one database (issue 24, point 4), read from the environment.

Pure functions of the environment, so that tests check each choice without reloading settings:
- the cache: per process (locmem) by default; Redis when `OMS_CACHE_URL` or `OMS_REDIS_URL` is
  set. Nothing correctness-relevant lives in the cache either way: sessions, login failures and
  idempotency keys are rows in the database, which every node shares;
- sessions: in the database; with a shared cache, in the database with the cache in front
  (`cached_db`: every write goes to both, so a lost cache logs nobody out);
- uploaded files: the instance folder (`OMS_MEDIA_ROOT`, default `var/media`) or, when
  `OMS_S3_BUCKET` is set, S3-compatible object storage through django-storages;
- the read replica: `OMS_DATABASE_REPLICA_URL` names a PostgreSQL streaming replica that the
  read-heavy pages may read from (oms.core.replica).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

REDIS_SCHEMES = {"redis", "rediss", "unix"}
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"
S3 = "storages.backends.s3.S3Storage"
FILESYSTEM = "django.core.files.storage.FileSystemStorage"


def cache_url(env: Mapping[str, str]) -> str:
    return env.get("OMS_CACHE_URL", "") or env.get("OMS_REDIS_URL", "")


def caches(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The default cache: Redis when a URL is given (shared by every node), else per process."""
    url = cache_url(env)
    if not url:
        return {"default": {"BACKEND": LOCMEM}}
    scheme = urlparse(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ValueError(f"OMS_CACHE_URL: unsupported scheme {scheme!r} (redis://, rediss:// or unix://)")
    return {
        "default": {
            "BACKEND": REDIS,
            "LOCATION": url,
            # Several instances may share one Redis server: keys carry the instance's prefix.
            "KEY_PREFIX": env.get("OMS_CACHE_PREFIX", "oms"),
            "TIMEOUT": 300,
        }
    }


def session_engine(cache_settings: Mapping[str, Mapping[str, Any]]) -> str:
    """S-3 sessions are rows in the database (shared by every node, and an administrator ends
    one there); a shared cache only sits in front of them. A per-process cache never does."""
    if cache_settings["default"]["BACKEND"] == LOCMEM:
        return "django.contrib.sessions.backends.db"
    return "django.contrib.sessions.backends.cached_db"


def default_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """Where uploaded files go: S3-compatible object storage when a bucket is named, else the
    instance folder (MEDIA_ROOT; on several nodes a shared mount)."""
    bucket = env.get("OMS_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": FILESYSTEM}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Order documents are confidential (S-1): private objects, links signed and short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(env.get("OMS_S3_URL_SECONDS", "300")),
        # Two uploads with one name must not overwrite each other.
        "file_overwrite": False,
    }
    for name, option in (
        ("OMS_S3_ENDPOINT_URL", "endpoint_url"),
        ("OMS_S3_REGION", "region_name"),
        ("OMS_S3_ACCESS_KEY_ID", "access_key"),
        ("OMS_S3_SECRET_ACCESS_KEY", "secret_key"),
        ("OMS_S3_PREFIX", "location"),
        ("OMS_S3_ADDRESSING_STYLE", "addressing_style"),
    ):
        if env.get(name):
            options[option] = env[name]
    return {"BACKEND": S3, "OPTIONS": options}


def replica_database(env: Mapping[str, str], parse: Any, primary: Mapping[str, Any]) -> dict[str, Any] | None:
    """The read replica's connection settings, or None. It must be PostgreSQL like the primary;
    in tests it mirrors the primary (one test database, two connections)."""
    url = env.get("OMS_DATABASE_REPLICA_URL", "")
    if not url:
        return None
    if "postgresql" not in str(primary["ENGINE"]) or not url.startswith("postgres"):  # Django's or oms.core's
        raise ValueError("OMS_DATABASE_REPLICA_URL needs PostgreSQL for both the primary and the replica")
    replica: dict[str, Any] = dict(parse(url))
    replica["TEST"] = {"MIRROR": "default"}
    return replica
