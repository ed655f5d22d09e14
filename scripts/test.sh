#!/usr/bin/env bash
# Install everything (Python packages from the lock file, Debian's chromium for browser tests)
# and run the whole test suite. Against PostgreSQL:
#   OMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_env.sh
install_python_deps
install_chromium
install_cjk_fonts
set +e
"$PY" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: the test setup is broken" >&2
  exit 1
fi
exit "$status"
