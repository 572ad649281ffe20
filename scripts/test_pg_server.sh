#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (test.sh): `start DIR` prints its SQLAlchemy URL, `stop DIR` ends it.
# The cluster lives in DIR (data, log, unix socket), listens on 127.0.0.1 on a free port, trusts local
# connections (nothing else can reach it) and runs as an unprivileged user: the caller, or `nobody` when the
# caller is root (PostgreSQL refuses to run as root). fsync is off: the data is thrown away at the end.
set -euo pipefail

cmd=${1:?usage: test_pg_server.sh start|stop DIR}
dir=${2:?usage: test_pg_server.sh start|stop DIR}

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && { bindir=$d; break; }
    done
fi
[ -n "$bindir" ] || { echo "test_pg_server.sh: initdb not found (Debian/Ubuntu: apt-get install postgresql)" >&2; exit 1; }

as_owner() {  # run a command as the cluster's owner
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown nobody "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: test_pg_server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
