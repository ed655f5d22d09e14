#!/usr/bin/env bash
# Install everything and start the application on the embedded default: SQLite with demo data,
# served by gunicorn (OMS_WEB_WORKERS processes, default 2) with one background worker and the
# scheduler of periodic jobs beside it. Usage: ./scripts/start.sh   (then open the printed URL)
# For development with code reloading: .venv/bin/python manage.py runserver (never in production).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
install_python_deps
install_cjk_fonts
# Background tasks go to the database queue, run by the worker below (issue 24.2).
export OMS_TASKS_BACKEND="${OMS_TASKS_BACKEND:-database}"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_demo
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$PY" manage.py run_worker --no-startup-delay -v0 &
pids+=($!)
# Deadline sweeper, statistics and recovery of orphaned tasks, each once per interval (P-2).
"$PY" manage.py run_scheduler &
pids+=($!)
echo
# The port as config/gunicorn.conf.py reads it: OMS_BIND, else OMS_PORT, else PORT, else 8000.
echo "订单管理系统 / Order Management System: http://${OMS_BIND:-127.0.0.1:${OMS_PORT:-${PORT:-8000}}}/"
echo "(Ctrl+C to stop)"
"$PY" -m gunicorn -c config/gunicorn.conf.py &
pids+=($!)
wait "${pids[-1]}"
