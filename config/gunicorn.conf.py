"""gunicorn settings for the production server (issue 24.1): `gunicorn -c config/gunicorn.conf.py`.

Read from the environment: OMS_BIND (default 127.0.0.1:${OMS_PORT:-${PORT:-8000}}: OMS_PORT, or the
conventional PORT that hosting platforms set), OMS_WEB_WORKERS
(processes, default 2), OMS_WEB_THREADS (threads per process, default 1), OMS_WEB_TIMEOUT
(seconds a request may take before its process is replaced, default 60), OMS_ACCESS_LOG
(1 = one JSON line per request on stdout, the default; 0 = none).

The worker class is gunicorn's default, sync (gthread when threads > 1): with gthread and
keep-alive, API creates were slower on 2 cores (bench/RESULTS.md, issue 21 round 6)."""

import os
import shutil
from pathlib import Path

wsgi_app = "config.wsgi:application"
_port = os.environ.get("OMS_PORT") or os.environ.get("PORT") or "8000"
bind = os.environ.get("OMS_BIND") or f"127.0.0.1:{_port}"
workers = int(os.environ.get("OMS_WEB_WORKERS", "2"))
threads = int(os.environ.get("OMS_WEB_THREADS", "1"))
timeout = int(os.environ.get("OMS_WEB_TIMEOUT", "60"))
graceful_timeout = 30
# A process is replaced after this many requests (with jitter), bounding any slow leak.
max_requests = 5000
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("OMS_TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"

if os.environ.get("OMS_ACCESS_LOG", "1") != "0":
    accesslog = "-"
    access_log_format = (
        '{"time": "%(t)s", "request_id": "%({x-request-id}o)s", "method": "%(m)s", "path": "%(U)s", '
        '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "remote": "%(h)s"}'
    )
errorlog = "-"
# gunicorn's own messages as JSON lines like the application's; access lines are JSON already.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "oms.ops.logs.JsonFormatter"},
        "plain": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "WARNING", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        # OMS_ACCESS_LOG=0: gunicorn still hands every request to this logger (it logs access
        # whenever a logging configuration is given, in its own Apache format): a level above
        # INFO keeps those lines out too.
        "gunicorn.access": {
            "handlers": ["access"],
            "level": "INFO" if os.environ.get("OMS_ACCESS_LOG", "1") != "0" else "WARNING",
            "propagate": False,
        },
    },
}
# The runtime control socket (gunicornc) would be one path per user: several servers on one
# machine would fight over it. Nothing here uses it.
control_socket_disable = True

# Issue 24.5: each worker process counts its requests in files here, and a scrape of /metrics
# adds them up. One folder per server (master) process, emptied when it starts.
_metrics_dir = Path(os.environ.get("OMS_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
_metrics_dir = _metrics_dir / "prometheus" / str(os.getpid())
shutil.rmtree(_metrics_dir, ignore_errors=True)
_metrics_dir.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):  # type: ignore[no-untyped-def]
    shutil.rmtree(os.environ.get("PROMETHEUS_MULTIPROC_DIR", ""), ignore_errors=True)
