#!/usr/bin/env bash
# The two quick-start commands of the README:
#   ./dev.sh demo   set everything up, then open the desktop program on a demo clinic
#   ./dev.sh test   build the two test environments and run everything (what CI runs)
# and one for a deliberate dependency change:
#   ./dev.sh lock [PACKAGE…]   regenerate constraints.txt (keeping every pin, but moving the PACKAGEs named)
# Every environment installs with `pip install -c constraints.txt`: exact versions, nothing floating.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
LOCK=constraints.txt
UV_VERSION=0.13.8  # only `./dev.sh lock` uses uv, to write the lock; installing needs nothing but pip
# What Qt's window plugin links to on a fresh Debian, a CJK font so Chinese text shows, and venv support.
SYSTEM_PACKAGES=(python3-venv libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xfixes0 libxcb-xkb1 fonts-wqy-microhei)
# The tests also render printed PDFs to PNG (pdftoppm) and can run the window on a virtual screen.
TEST_SYSTEM_PACKAGES=(poppler-utils xvfb xauth)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

system_packages() {
  command -v dpkg-query >/dev/null || { say "not a Debian system: install the Qt 6 xcb libraries and a CJK font yourself"; return 0; }
  local missing=()
  for p in "$@"; do
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

# python_env VENV EXTRAS: VENV holds the project installed with EXTRAS ("", "[journeys]", "[test]") and nothing
# else, every package at the version the lock names. pip runs only when pyproject.toml, the lock or EXTRAS
# changed since the last install (a stamp in VENV keeps their hash).
python_env() {
  local venv=$1 extras=$2 stamp want
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed" >&2; exit 1; }
  stamp=$venv/.village-clinic-installed
  want=$(cat pyproject.toml "$LOCK" <(echo "$extras") | sha256sum | cut -d' ' -f1)
  [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  # Made anew, never topped up: nothing stays behind from an older lock or from another extra.
  [ -e "$venv" ] && { say "$venv was made from another pyproject.toml or $LOCK: making it anew"; rm -rf "$venv"; }
  say "creating $venv"
  "$PYTHON" -m venv "$venv"
  say "installing Village Clinic$extras into $venv (versions from $LOCK)"
  "$venv/bin/python" -m pip install -q -c "$LOCK" --upgrade pip setuptools
  # (setuptools says at every editable install that a folder named like a package shadows it: not news here)
  PYTHONWARNINGS="ignore:Editable installation" "$venv/bin/python" -m pip install -q -c "$LOCK" -e ".$extras"
  echo "$want" >"$stamp"
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

# split_args ARGS…: pytest arguments naming a path under tests/journeys go to the journeys run, other paths to
# the main run, options (and their values) to both. Sets JOURNEY_ARGS, MAIN_ARGS, JOURNEY_PATHS, MAIN_PATHS.
split_args() {
  JOURNEY_ARGS=() MAIN_ARGS=() JOURNEY_PATHS=0 MAIN_PATHS=0
  local a path
  for a in "$@"; do
    path=${a%%::*}
    if [[ $a != -* && -e $path ]]; then
      case "$(realpath -m "$path")/" in
        "$(realpath -m tests/journeys)"/*) JOURNEY_ARGS+=("$a"); JOURNEY_PATHS=$((JOURNEY_PATHS + 1)) ;;
        *) MAIN_ARGS+=("$a"); MAIN_PATHS=$((MAIN_PATHS + 1)) ;;
      esac
    else
      JOURNEY_ARGS+=("$a") MAIN_ARGS+=("$a")
    fi
  done
}

run_tests() {
  local failed=() rc
  split_args "$@"
  local any_paths=$((JOURNEY_PATHS + MAIN_PATHS))
  say "ruff"
  .venv-test/bin/ruff check . || failed+=(ruff)
  .venv-test/bin/ruff format --check . || failed+=(ruff-format)
  say "mypy"
  .venv-test/bin/mypy || failed+=(mypy)

  # (a) the journeys, in an environment built as `./dev.sh demo` builds .venv plus only the test runner
  if [ "$any_paths" -gt 0 ] && [ "$JOURNEY_PATHS" -eq 0 ]; then
    say "journeys: not asked for"
  elif [ ! -d tests/journeys ]; then
    say "journeys: none yet (no tests/journeys)"
  else
    say "pytest: journeys, in .venv-journeys (the plain install + pytest, pytest-qt, pytest-timeout)"
    [ "$JOURNEY_PATHS" -gt 0 ] || JOURNEY_ARGS=(tests/journeys "${JOURNEY_ARGS[@]}")
    rc=0
    CLINIC_COUNTY_SERVER=$PWD/.venv-test/bin/county-server \
      .venv-journeys/bin/python -m pytest -p no:cacheprovider "${JOURNEY_ARGS[@]}" || rc=$?
    # "no tests collected" fails a full run (the folder exists, so it must prove something); with a
    # selection such as `-m slow` it only means that none of the journeys is selected.
    if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 5 ] && [ $# -gt 0 ]; }; then failed+=(journeys); fi
  fi

  # (b) everything else, in the full test environment
  if [ "$any_paths" -gt 0 ] && [ "$MAIN_PATHS" -eq 0 ]; then
    say "pytest: only journeys asked for"
  else
    # The whole run on every core (TEST_WORKERS=0: one process): a test file stays on one worker, so a module's
    # fixtures are made once, and every test that touches PostgreSQL makes a database of its own. The API fuzz
    # (schemathesis) then runs in one process: under xdist it runs one case of each test and reports 8 of its 160.
    # A run of named paths is one process unless TEST_WORKERS says otherwise.
    local workers=${TEST_WORKERS:-$([ "$MAIN_PATHS" -eq 0 ] && echo auto || echo 0)}
    say "pytest: everything but the journeys, in .venv-test ($workers workers)"
    if [ "$workers" = 0 ]; then
      .venv-test/bin/python -m pytest -p no:cacheprovider --ignore=tests/journeys "${MAIN_ARGS[@]}" \
        || failed+=(pytest)
    else
      .venv-test/bin/python -m pytest -p no:cacheprovider --ignore=tests/journeys -n "$workers" --dist loadfile \
        --ignore=tests/server/test_fuzz.py "${MAIN_ARGS[@]}" || failed+=(pytest)
      if [ "$MAIN_PATHS" -eq 0 ]; then
        rc=0
        .venv-test/bin/python -m pytest -p no:cacheprovider "${MAIN_ARGS[@]}" tests/server/test_fuzz.py || rc=$?
        # (with a selection such as `-m slow`, "no tests collected" means none of the fuzz is selected)
        if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 5 ] && [ $# -gt 0 ]; }; then failed+=(pytest-fuzz); fi
      fi
    fi
  fi

  if [ ${#failed[@]} -gt 0 ]; then
    say "FAILED: ${failed[*]}"
    return 1
  fi
  say "all passed"
}

lock() {
  # uv resolves for every platform at once (--universal), so the one file also pins what only Windows
  # installs (pywin32-ctypes, pefile); an existing pin is kept unless its package is named here.
  local tools=.venv-lock upgrades=() p
  [ -x "$tools/bin/uv" ] || { "$PYTHON" -m venv "$tools" && "$tools/bin/python" -m pip install -q "uv==$UV_VERSION"; }
  for p in "$@"; do upgrades+=(--upgrade-package "$p"); done
  printf 'pip\nsetuptools\n' | "$tools/bin/uv" pip compile pyproject.toml - --all-extras --universal \
    --python-version 3.11 --no-header "${upgrades[@]}" -o "$LOCK.new" --quiet
  {
    echo "# The lock: every package any environment of Village Clinic installs, at its exact version, for every"
    echo "# platform (markers name what only Windows or Linux takes). Used by dev.sh, the README and build.spec:"
    echo "#     pip install -c constraints.txt -e '.[test]'      (or '.', '.[journeys]', '.[build]')"
    echo "# Regenerate (after changing a dependency in pyproject.toml):   ./dev.sh lock"
    echo "# Upgrade one package on purpose:   ./dev.sh lock PySide6-Essentials   then ./dev.sh test and the benchmark."
    echo "# (./dev.sh lock runs: uv pip compile pyproject.toml - --all-extras --universal --python-version 3.11,"
    echo "#  with pip and setuptools on stdin; uv $UV_VERSION from PyPI, in .venv-lock.)"
    cat "$LOCK.new"
  } >"$LOCK"
  rm -f "$LOCK.new"
  sed -i "s/^requires = \[\"setuptools==[^\"]*\"\]/requires = [\"setuptools==$(sed -n 's/^setuptools==\([^ ]*\).*/\1/p' "$LOCK")\"]/" \
    pyproject.toml
  say "wrote $LOCK; see git diff $LOCK"
}

case "${1:-}" in
  demo)
    system_packages "${SYSTEM_PACKAGES[@]}"
    python_env .venv ""
    say "opening the demo clinic (users: admin / admin1234, doctor / doctor1234, nurse / nurse1234, doctor2 / doctor1234, doctor3 / doctor1234)"
    exec .venv/bin/clinic-app --demo "${@:2}"
    ;;
  test)
    system_packages "${SYSTEM_PACKAGES[@]}" "${TEST_SYSTEM_PACKAGES[@]}"
    python_env .venv-test "[test]"
    python_env .venv-journeys "[journeys]"
    postgres
    export QT_QPA_PLATFORM=offscreen
    run_tests "${@:2}"
    ;;
  lock)
    lock "${@:2}"
    ;;
  *)
    echo "usage: ./dev.sh demo | ./dev.sh test [pytest options] | ./dev.sh lock [PACKAGE…]" >&2
    exit 2
    ;;
esac
