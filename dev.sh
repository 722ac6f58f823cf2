#!/usr/bin/env bash
# The two quick-start commands of the README:
#   ./dev.sh demo   set everything up, then open the desktop program on a demo clinic
#   ./dev.sh test   install what the tests need, then run the whole suite (what CI runs)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
# What Qt's window plugin links to on a fresh Debian, a CJK font so Chinese text shows, and venv support.
SYSTEM_PACKAGES=(python3-venv libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xfixes0 libxcb-xkb1 fonts-wqy-microhei)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

system_packages() {
  command -v dpkg-query >/dev/null || { say "not a Debian system: install the Qt 6 xcb libraries and a CJK font yourself"; return 0; }
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Please install, as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
}

python_env() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed" >&2; exit 1; }
  [ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
  say "installing Village Clinic$1 into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".$1"
}

postgres() {
  # Server tests run on SQLite and on this PostgreSQL; they skip with a reason where there is none.
  if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  export CLINIC_TEST_PG_URL=${CLINIC_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
}

case "${1:-}" in
  demo)
    system_packages
    python_env ""
    say "opening the demo clinic (users: admin / admin1234, doctor / doctor1234)"
    exec "$VENV/bin/clinic-app" --demo "${@:2}"
    ;;
  test)
    system_packages
    python_env "[test]"
    postgres
    export QT_QPA_PLATFORM=offscreen
    say "ruff"
    "$VENV/bin/ruff" check .
    say "mypy"
    "$VENV/bin/mypy"
    say "pytest"
    exec "$VENV/bin/python" -m pytest -p no:cacheprovider "${@:2}"
    ;;
  *)
    echo "usage: ./dev.sh demo | ./dev.sh test [pytest options]" >&2
    exit 2
    ;;
esac
