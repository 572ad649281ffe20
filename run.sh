#!/usr/bin/env bash
# Run 现场检查 from source: ./run.sh [--db PATH] [--demo] [sub-command ...]
# Creates .venv on first use (or when pyproject.toml changed) and installs the app into it. On Debian/Ubuntu,
# as root or with password-less sudo, it also installs the system packages venv and the Qt window need.
set -euo pipefail
CALLER_DIR=$PWD  # file names on the command line are the user's, relative to where they typed them
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD

VENV=.venv
STAMP="$VENV/.inspector-app-installed"   # "<sha256 of pyproject.toml> <extras>", written after a good install

say() { echo "run.sh: $*" >&2; }

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
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || return 1
        APT_UPDATED=1
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

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
        rm -rf "$VENV"   # Debian/Ubuntu ship venv's ensurepip separately
        PYVER=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        apt_install python3-venv "python$PYVER-venv" || apt_install python3-venv || true
        "$PY" -m venv "$VENV" || { say "cannot create $VENV (on Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
    fi
fi

# Any install made from this pyproject.toml (the test extras included) is enough to run the app.
if [ "$(cut -d' ' -f1 "$STAMP" 2>/dev/null)" != "$HASH" ]; then
    say "installing the app and its dependencies into $VENV ..."
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q -e .
    echo "$HASH base" >"$STAMP"
fi

# The GUI (no sub-command): Qt's X11 window needs a few system libraries a bare Debian/Ubuntu lacks.
gui=1
skip=0
for arg in "$@"; do
    if [ "$skip" -eq 1 ]; then skip=0; continue; fi
    case "$arg" in
        --db) skip=1 ;;
        --demo) ;;
        *) gui=0 ;;
    esac
done
if [ "$gui" -eq 1 ] && [ "$(uname -s)" = Linux ] && command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for pkg in libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 \
        libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
        libxkbcommon-x11-0; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || dpkg-query -W -f='${Status}' "${pkg}t64" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing system libraries for the Qt window: ${missing[*]}"
        apt_install "${missing[@]}" || say "could not install them; run: sudo apt-get install ${missing[*]}"
    fi
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
        say "no display; on a machine without a screen use: xvfb-run -a ./run.sh $*"
    fi
fi

cd "$CALLER_DIR"
exec "$ROOT/$VENV/bin/python" -m inspector_app "$@"
