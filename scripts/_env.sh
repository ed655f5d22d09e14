# Shared by scripts/start.sh and scripts/test.sh: a project virtualenv installed from the lock file.
VENV="${OMS_VENV:-.venv}"
PY="$VENV/bin/python"

install_python_deps() {
  if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.lock-installed"
  if [ ! -f "$stamp" ] || ! cmp -s requirements.lock "$stamp"; then
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -r requirements.lock
    cp requirements.lock "$stamp"
  fi
}

install_cjk_fonts() {
  # Printable documents (WeasyPrint) need a Chinese font; Debian's Noto CJK is the one we use.
  if fc-list :lang=zh 2>/dev/null | grep -q .; then
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "note: no Chinese font installed (fonts-noto-cjk); PDF documents will show boxes" >&2
      return
    fi
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null
}

install_chromium() {
  # Browser tests drive Debian's chromium; Playwright never downloads a browser of its own.
  if [ -x /usr/bin/chromium ]; then
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "note: /usr/bin/chromium is missing and cannot be installed without root; browser tests will be skipped" >&2
      return
    fi
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
}
