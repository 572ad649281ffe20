#!/usr/bin/env bash
# Run the whole test suite: ./test.sh [pytest arguments ...] — offscreen, plus one real-window soak under Xvfb.
# Creates .venv with the test and build extras when it is missing or pyproject.toml changed, and installs the
# few Debian/Ubuntu packages offscreen Qt, the Xvfb soak and PyInstaller need when they are missing and we may
# (root or sudo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VENV=.venv
EXTRAS="test,build"
STAMP="$VENV/.inspector-app-installed"   # "<sha256 of pyproject.toml> <extras>", written after a good install

say() { echo "test.sh: $*" >&2; }

# --- privileges for apt-get: root, or sudo without a password; otherwise we only advise -----------------------
SUDO=none
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    SUDO="sudo -n"
fi
APT_UPDATED=0

apt_install() {  # apt_install PKG... — returns non-zero when it could not
    command -v apt-get >/dev/null 2>&1 || return 1
    [ "$SUDO" != none ] || return 1
    if [ "$APT_UPDATED" -eq 0 ]; then
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        APT_UPDATED=1
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# --- Python and the virtual environment ---------------------------------------------------------------------
find_python() {
    local c
    for c in "${PYTHON:-}" python3 python3.14 python3.13 python3.12 python3.11; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
        if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

PY=$(find_python) || { say "Python >= 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
HASH=$("$PY" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')

if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    rm -rf "$VENV"
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
        # Debian/Ubuntu ship venv's ensurepip separately.
        rm -rf "$VENV"
        PYVER=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        say "python -m venv failed; installing python3-venv"
        apt_install python3-venv "python$PYVER-venv" || apt_install python3-venv || true
        "$PY" -m venv "$VENV" || { say "cannot create $VENV (on Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
    fi
fi

if [ "$(cat "$STAMP" 2>/dev/null)" != "$HASH $EXTRAS" ]; then
    say "installing the app with [$EXTRAS] into $VENV ..."
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q -e ".[$EXTRAS]"
    echo "$HASH $EXTRAS" >"$STAMP"
fi

# --- system libraries for offscreen Qt (bare Debian/Ubuntu), binutils for PyInstaller, a Chinese font ---------
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
LIBS=$("$LDCONFIG" -p 2>/dev/null || true)
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
has_lib() { grep -q "[[:space:]]$1 " <<<"$LIBS"; }

missing=()
for pair in libegl1:libEGL.so.1 libgl1:libGL.so.1 libx11-6:libX11.so.6 libdbus-1-3:libdbus-1.so.3 \
    libfontconfig1:libfontconfig.so.1 libfreetype6:libfreetype.so.6 libglib2.0-0:libglib-2.0.so.0 \
    libxkbcommon0:libxkbcommon.so.0; do
    pkg=${pair%%:*} lib=${pair#*:}
    has_lib "$lib" || have_pkg "$pkg" || missing+=("$pkg")
done
# The real-window soak (tests/ui/test_soak.py): an X server and the libraries of Qt's xcb platform.
for pair in xvfb:/usr/bin/Xvfb xauth:/usr/bin/xauth; do
    pkg=${pair%%:*} file=${pair#*:}
    [ -x "$file" ] || have_pkg "$pkg" || missing+=("$pkg")
done
for pair in libxcb-cursor0:libxcb-cursor.so.0 libxcb-icccm4:libxcb-icccm.so.4 libxcb-keysyms1:libxcb-keysyms.so.1 \
    libxcb-image0:libxcb-image.so.0 libxcb-render-util0:libxcb-render-util.so.0 libxcb-shape0:libxcb-shape.so.0 \
    libxkbcommon-x11-0:libxkbcommon-x11.so.0; do
    pkg=${pair%%:*} lib=${pair#*:}
    has_lib "$lib" || have_pkg "$pkg" || missing+=("$pkg")
done
command -v objdump >/dev/null 2>&1 || missing+=(binutils)
# PyInstaller bundles the Python shared library; Debian's python3 has it in a package of its own.
VENV_PYVER=$("$VENV/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
if ! "$VENV/bin/python" -c 'import sys
from PyInstaller.depend.bindepend import get_python_library_path
sys.exit(0 if get_python_library_path() else 1)' >/dev/null 2>&1 && ! have_pkg "libpython$VENV_PYVER"; then
    missing+=("libpython$VENV_PYVER")
fi
if [ ${#missing[@]} -gt 0 ]; then
    say "missing system packages: ${missing[*]}"
    apt_install "${missing[@]}" || say "could not install them; run: sudo apt-get install ${missing[*]}"
fi
if ! have_pkg fonts-wqy-microhei && [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
    # Optional: Chinese glyphs in screenshots. The tests pass without it.
    apt_install fonts-wqy-microhei || say "fonts-wqy-microhei not installed (optional: Chinese glyphs in screenshots)"
fi

# --- begin p17: a PostgreSQL server for the tests that run on both engines (issue 17) ----------------------------
# INSPECTOR_APP_TEST_PG (a SQLAlchemy URL of a role that may create databases) when set; otherwise a throwaway
# cluster of Debian's postgresql package in a temporary folder on a free port, run as an unprivileged user
# (scripts/test_pg_server.sh) and stopped at the end. Without it the SQLite half runs, and we say so.
pg_initdb() { ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1; command -v initdb 2>/dev/null || true; }
if [ -z "${INSPECTOR_APP_TEST_PG:-}" ]; then
    [ -n "$(pg_initdb)" ] || apt_install postgresql || true
    if [ -n "$(pg_initdb)" ]; then
        PG_TMP=$(mktemp -d)
        chmod 755 "$PG_TMP"  # the cluster's owner (nobody, when we are root) must reach its folder
        trap 'scripts/test_pg_server.sh stop "$PG_TMP/pg"; rm -rf "$PG_TMP"' EXIT
        if PG_URL=$(scripts/test_pg_server.sh start "$PG_TMP/pg"); then
            export INSPECTOR_APP_TEST_PG=$PG_URL
            say "PostgreSQL half: a throwaway server at $PG_URL"
        fi
    fi
fi
if [ -z "${INSPECTOR_APP_TEST_PG:-}" ]; then
    say "THE POSTGRESQL HALF OF THE TESTS WAS NOT RUN: no PostgreSQL server. Install one (sudo apt-get install"
    say "postgresql) or set INSPECTOR_APP_TEST_PG=postgresql+psycopg://user@host:5432/postgres; running the SQLite half."
fi
# --- end p17 ---------------------------------------------------------------------------------------------------

# --- lint, then the tests ------------------------------------------------------------------------------------
# ./test.sh --fast: the inner loop, without the tests marked slow (the Xvfb soak, the build, the kill tests).
# A full run (no arguments, as CI calls it) first checks the code with ruff, then the types of core, sync and
# documents with mypy (the files and settings are in pyproject.toml, [tool.mypy]).
args=()
for arg in "$@"; do
    if [ "$arg" = --fast ]; then args+=(-m "not slow"); else args+=("$arg"); fi
done
if [ $# -eq 0 ]; then
    "$VENV/bin/ruff" check inspector_app tests benchmarks scripts
    "$VENV/bin/ruff" format --check --quiet inspector_app tests benchmarks scripts \
        || { say "ruff format would change the files above: run .venv/bin/ruff format"; exit 1; }
    "$VENV/bin/mypy" || { say "mypy found the type errors above"; exit 1; }
fi
export QT_QPA_PLATFORM=offscreen
# Not exec: the EXIT trap above stops the throwaway PostgreSQL server (p17).
"$VENV/bin/python" -m pytest ${args[@]+"${args[@]}"}
