#!/usr/bin/env bash
# Install everything and start the application on the embedded default: SQLite with demo data.
# Usage: ./scripts/start.sh            (then open the printed URL)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
install_python_deps
install_cjk_fonts
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_demo
# The deadline sweeper escalates overdue steps every minute (P-2); it stops with the server.
"$PY" manage.py sweep_deadlines --every 60 &
sweeper=$!
trap 'kill "$sweeper" 2>/dev/null' EXIT
echo
echo "订单管理系统 / Order Management System: http://127.0.0.1:${OMS_PORT:-8000}/"
echo "(Ctrl+C to stop)"
"$PY" manage.py runserver --noreload "127.0.0.1:${OMS_PORT:-8000}"
