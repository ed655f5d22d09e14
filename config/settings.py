"""Settings for every environment, driven by environment variables (see docs/adr/0001).

The embedded default is SQLite with DEBUG off; `OMS_DATABASE_URL=postgres://...` switches to
PostgreSQL. Secrets come from the environment; a development key is generated per checkout.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OMS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """S-3: the key comes from the environment; a local checkout gets its own random one."""
    key = os.environ.get("OMS_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _key_file(env: str, default_name: str, make: Callable[[], str]) -> Path:
    """A key kept outside the database, in the instance folder unless `env` points elsewhere.

    Generated on first start, readable by the owner only (0600); created with O_EXCL so two
    processes starting at once never overwrite each other's key. Back these files up with the
    database (README, Backup): without them the audit chain cannot be verified and encrypted
    secrets cannot be read (ADR 0014)."""
    path = Path(os.environ.get(env) or VAR_DIR / default_name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path
        with os.fdopen(fd, "w") as fh:
            fh.write(make() + "\n")
    return path


# S-2: the audit chain's HMAC key and its anchors (latest sequence number and hash, appended by
# the sweeper at most every OMS_AUDIT_ANCHOR_MINUTES and by every backup). ADR 0014.
AUDIT_KEY_FILE = _key_file("OMS_AUDIT_KEY_FILE", "audit.key", lambda: secrets.token_hex(32))
AUDIT_ANCHOR_FILE = Path(os.environ.get("OMS_AUDIT_ANCHOR_FILE") or VAR_DIR / "audit-anchors.jsonl")
AUDIT_ANCHOR_MINUTES = int(os.environ.get("OMS_AUDIT_ANCHOR_MINUTES", "10"))
# S-3: the key that encrypts secrets at rest (TOTP secrets, robots' signing secrets): Fernet keys,
# one a line, the first encrypts; `manage.py rotate_secrets_key` replaces it (ADR 0014).
SECRETS_KEY_FILE = _key_file(
    "OMS_SECRETS_KEY_FILE", "secrets.key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()
)
DEBUG = _env_bool("OMS_DEBUG")
ALLOWED_HOSTS = [
    h for h in os.environ.get("OMS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OMS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "django_tasks",
    "oms.core",
    "oms.accounts",
    "oms.policy",
    "oms.audit",
    "oms.notifications",
    "oms.web",  # issue 22: the web shell on top of tier 0 (base templates, listing, tier-0 pages)
    "oms.customers",
    "oms.catalog",
    "oms.partners",
    "oms.orders",
    "oms.tracking",
    "oms.intake",
    "oms.review",
    "oms.contracts",
    "oms.fulfilment",
    "oms.quality",
    "oms.changes",
    "oms.delivery",
    "oms.billing",
    "oms.feedback",
    "oms.archive",
    "oms.supervision",
    "oms.analytics",
    "oms.portal",
    "oms.workbench",  # issue 22: the order page, composed of the panels every process app registers
    "oms.demo",
    "oms.devtools",
    "django_tasks_db",  # issue 24: the database-backed task queue (see the block at the end)
    "oms.ops",
    "oms.wiring",  # issue 22: last, fills the registries every app reads (oms/wiring/wiring.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "oms.web.middleware.RequestIdMiddleware",
    "oms.web.middleware.ContentSecurityPolicyMiddleware",
    # P-1: NUL characters are refused before any session, form or query reads them.
    "oms.web.middleware.NulCharacterMiddleware",
    # Issue 21: a request that only reads asks the policy and the department tree once.
    "oms.web.middleware.RequestMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oms.portal.middleware.PortalConfinementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # M-3: a link to a page of an archived order leads to its archive record, not to a 404.
    "oms.archive.middleware.ArchivedLinkMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oms.web.context_processors.navigation",
                "oms.notifications.context_processors.unread",
            ],
            # P-1: the figure filters (money, price, qty) in every template without a load.
            "builtins": ["oms.web.templatetags.oms_tags"],
        },
    }
]


def _prepared() -> dict[str, object]:
    """PostgreSQL plans each statement once per connection and keeps it (ADR 0021, issue 21): the
    parameters travel apart from the text (server-side binding) and psycopg prepares a statement
    the second time the connection sends it. The path's statements cost the server half the CPU
    this way. OMS_PG_PREPARE=0 sends every statement with its values inlined instead, for a pooler
    in transaction mode that cannot keep prepared statements."""
    if os.environ.get("OMS_PG_PREPARE", "1") == "0":
        return {}
    return {"server_side_binding": True, "prepare_threshold": 2}


def _database(url: str) -> dict[str, object]:
    """One code path for both engines; SQLite is tuned for concurrent writers (DESIGN 2)."""
    if not url or url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else str(VAR_DIR / "oms.sqlite3")
        return {
            "ENGINE": "oms.core.sqlite",  # django.db.backends.sqlite3, reading never fails (P-1)
            "NAME": path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"OMS_DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "oms.core.postgresql",  # django.db.backends.postgresql, preparing in transactions
        "NAME": unquote(parts.path.lstrip("/")) or "oms",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        "CONN_MAX_AGE": 60,
        # A kept connection is checked (a cheap round trip) before its first use in each request,
        # so that after a database restart the worker reconnects instead of answering 500.
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": _prepared(),
        "TEST": {"NAME": os.environ.get("OMS_TEST_DATABASE_NAME", "test_oms")},
    }


DATABASES = {"default": _database(os.environ.get("OMS_DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Issue 21: the user, their department, the policy in force and the unread count in one read.
    "oms.web.auth.UserBackend",
    # Only for the sessions opened before the line above (Django keeps the backend's path in them).
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "oms.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("OMS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# S-3: session and cookie security. Secure cookies need HTTPS, so production turns them on.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("OMS_SESSION_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = _env_bool("OMS_HTTPS")
CSRF_COOKIE_SECURE = _env_bool("OMS_HTTPS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _env_bool("OMS_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Only our own origin: every asset is vendored under static/vendor/ (DEVELOPERS.md).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# S-3: failed logins within the window, counted per account (the name as typed, stripped and
# case-folded): from one address (ATTEMPTS), from all addresses together (ACCOUNT_ATTEMPTS), and
# per address over all accounts: a high ceiling against password spraying that still lets a whole
# office behind one proxy in (ADDRESS_ATTEMPTS).
LOGIN_THROTTLE_ATTEMPTS = int(os.environ.get("OMS_LOGIN_THROTTLE_ATTEMPTS", "5"))
LOGIN_THROTTLE_ACCOUNT_ATTEMPTS = int(os.environ.get("OMS_LOGIN_THROTTLE_ACCOUNT_ATTEMPTS", "20"))
LOGIN_THROTTLE_ADDRESS_ATTEMPTS = int(os.environ.get("OMS_LOGIN_THROTTLE_ADDRESS_ATTEMPTS", "200"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("OMS_LOGIN_THROTTLE_WINDOW", "900"))


def _proxies(text: str) -> list[str]:
    """S-3: the reverse proxies whose X-Forwarded-For is believed; a bad entry stops the start."""
    import ipaddress

    entries = [e.strip() for e in text.split(",") if e.strip()]
    for entry in entries:
        ipaddress.ip_network(entry, strict=False)
    return entries


OMS_TRUSTED_PROXIES = _proxies(os.environ.get("OMS_TRUSTED_PROXIES", ""))

# B-9: Excel import limits, checked before a file is parsed: the upload, the unpacked size of the
# archive, and the data rows of its first sheet.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("OMS_IMPORT_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("OMS_IMPORT_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))
)
IMPORT_MAX_ROWS = int(os.environ.get("OMS_IMPORT_MAX_ROWS", "2000"))

# ---- Several nodes on one database (issue 24.4 and 24.6; config/scaleout.py, docs/deployment.md) ---
# Every node shares the database, and through it sessions, login failures (S-3) and idempotency
# keys (DESIGN 6). The cache is per process unless OMS_CACHE_URL / OMS_REDIS_URL names a Redis
# server; nothing correctness-relevant relies on it. Uploaded files: the instance folder
# (OMS_MEDIA_ROOT, a shared mount on several nodes) or S3-compatible storage (OMS_S3_BUCKET).
# Read-heavy pages may read from a streaming replica (OMS_DATABASE_REPLICA_URL, oms.core.replica).
from config import scaleout  # noqa: E402

CACHES = scaleout.caches(os.environ)
SESSION_ENGINE = scaleout.session_engine(CACHES)
MEDIA_ROOT = Path(os.environ.get("OMS_MEDIA_ROOT") or MEDIA_ROOT)
STORAGES = {**STORAGES, "default": scaleout.default_storage(os.environ)}
_replica = scaleout.replica_database(os.environ, _database, DATABASES["default"])
OMS_DATABASE_REPLICA = "replica" if _replica else ""
OMS_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("OMS_REPLICA_MAX_LAG_SECONDS", "30"))
if _replica:
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["oms.core.replica.ReplicaRouter"]
MIDDLEWARE = [*MIDDLEWARE, "oms.core.replica.ReplicaReadsMiddleware"]
# Issue 24.6 (deploy/): a container image keeps the collected static files out of the instance
# volume; health probes come straight to a node over HTTP, so the HTTPS redirect spares them.
STATIC_ROOT = Path(os.environ.get("OMS_STATIC_ROOT") or STATIC_ROOT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# ---- end of issue 24.4 and 24.6 ---------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OMS_LOG_LEVEL", "WARNING")},
}

# DESIGN 2: background work through the django.tasks API. The embedded default and the tests run
# tasks at once; production points OMS_TASKS_BACKEND at a queue backend with its own workers.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("OMS_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

# T-1: outgoing messages. The SMTP server and its credentials come from the environment (secrets
# stay out of the code); port 465 means SMTP over SSL. Robot addresses and signing secrets are
# configured per channel by the administrator. A failed message is retried with exponential
# backoff, then marked failed with its reason.
EMAIL_HOST = os.environ.get("OMS_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("OMS_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("OMS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OMS_SMTP_PASSWORD", "")
EMAIL_USE_SSL = EMAIL_PORT == 465 or _env_bool("OMS_SMTP_SSL")
EMAIL_USE_TLS = not EMAIL_USE_SSL and _env_bool("OMS_SMTP_STARTTLS")
EMAIL_TIMEOUT = int(os.environ.get("OMS_SMTP_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("OMS_MAIL_FROM", "oms@localhost")
OMS_BASE_URL = os.environ.get("OMS_BASE_URL", "http://127.0.0.1:8000")
OMS_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("OMS_DELIVERY_MAX_ATTEMPTS", "5"))
OMS_DELIVERY_BACKOFF_SECONDS = int(os.environ.get("OMS_DELIVERY_BACKOFF_SECONDS", "30"))
OMS_DELIVERY_TIMEOUT_SECONDS = float(os.environ.get("OMS_DELIVERY_TIMEOUT", "5"))

# Covering indexes (Index.include) serve the analysis on PostgreSQL; SQLite builds the same
# index without the non-key columns, which is all this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]


# --- Issue 24 (serving): the production server, the worker, the scheduler, observability ---
# OMS_TASKS_BACKEND=database is the database-backed queue (django-tasks-db: SELECT ... FOR UPDATE
# SKIP LOCKED on PostgreSQL, an exclusive transaction on SQLite) run by `manage.py run_worker`;
# the embedded default of the tests stays the immediate backend.
if TASKS["default"]["BACKEND"] in {"database", "db"}:
    TASKS["default"]["BACKEND"] = "django_tasks_db.DatabaseBackend"
# A failed task is retried OMS_TASK_MAX_ATTEMPTS times in all, waiting OMS_TASK_BACKOFF_SECONDS,
# then twice as long, and so on; then the administrator sees it at /system/ and may retry it.
OMS_TASK_MAX_ATTEMPTS = int(os.environ.get("OMS_TASK_MAX_ATTEMPTS", "3"))
OMS_TASK_BACKOFF_SECONDS = int(os.environ.get("OMS_TASK_BACKOFF_SECONDS", "30"))
# Workers write a heartbeat this often; /readyz wants one younger than three beats when the queue
# is the database's, and a task left running by a worker that stopped beating is queued again.
OMS_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("OMS_WORKER_HEARTBEAT_SECONDS", "10"))
# Periodic jobs (`manage.py run_scheduler`): the sweeper's interval; statistics run hourly.
OMS_SWEEP_SECONDS = int(os.environ.get("OMS_SWEEP_SECONDS", "60"))
OMS_STATISTICS_SECONDS = int(os.environ.get("OMS_STATISTICS_SECONDS", "3600"))
# A claimed message is not taken by another worker for this long (plus its send timeout).
OMS_DELIVERY_LEASE_SECONDS = int(os.environ.get("OMS_DELIVERY_LEASE_SECONDS", "60"))
# Long exports (issue 24.2): a list of more rows than this is written by the worker and fetched
# from "my downloads"; fewer are answered at once. Generated files are deleted after this many hours.
OMS_EXPORT_INLINE_ROWS = int(os.environ.get("OMS_EXPORT_INLINE_ROWS", "2000"))
OMS_GENERATED_FILE_HOURS = int(os.environ.get("OMS_GENERATED_FILE_HOURS", "24"))
# An archive packet (M-2) of more documents than this is zipped by the worker likewise.
OMS_PACKET_INLINE_FILES = int(os.environ.get("OMS_PACKET_INLINE_FILES", "20"))
# /metrics answers a bearer token equal to OMS_METRICS_TOKEN, or without one a direct call from
# the machine itself (loopback, no X-Forwarded-For).
OMS_METRICS_TOKEN = os.environ.get("OMS_METRICS_TOKEN", "")
MIDDLEWARE.insert(
    MIDDLEWARE.index("oms.web.middleware.RequestIdMiddleware") + 1, "oms.ops.metrics.MetricsMiddleware"
)
# Logs: one JSON object a line with the request id (OMS_LOG_FORMAT=text for the plain form).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "oms.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "oms.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if os.environ.get("OMS_LOG_FORMAT", "json") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("OMS_LOG_LEVEL", "WARNING")},
    "loggers": {"oms.ops": {"level": os.environ.get("OMS_OPS_LOG_LEVEL", "INFO")}},
}
# --- end of issue 24 (serving) ---
