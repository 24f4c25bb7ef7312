#!/usr/bin/env bash
# pgcluster.sh -- a private, throw-away PostgreSQL server for tests and the demo.
#
#   pgcluster.sh start STATE_DIR [tcp]  create (first time) and start a cluster
#   pgcluster.sh stop  STATE_DIR        stop it (fast mode)
#   pgcluster.sh destroy STATE_DIR      stop it and delete its files
#   pgcluster.sh env   STATE_DIR        print PGHOST/PGPORT/PGUSER lines
#
# The cluster lives in a short directory under ${TMPDIR:-/tmp} (Unix socket
# paths are limited to 107 bytes); STATE_DIR records where, and holds
# `conninfo` (a libpq key=value string for database "postgres") once the
# server is up.  By default the server listens only on its Unix socket, so
# parallel clusters never fight over ports; with "tcp" it also listens on a
# free loopback port (the demo uses that so curl and psql work as usual).
# As root, the server runs as the `postgres` user (initdb refuses root).
set -eu

die() { echo "pgcluster: $*" >&2; exit 1; }

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  die "no PostgreSQL server binaries found (install the postgresql package: make install-deps)"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

[ $# -ge 2 ] || die "usage: pgcluster.sh start|stop|destroy|env STATE_DIR [tcp]"
cmd=$1
state=$2
mode=${3:-socket}
mkdir -p "$state"
state=$(cd "$state" && pwd)
BIN=$(pg_bindir)

cluster_dir() {
  if [ -f "$state/cluster" ]; then
    cat "$state/cluster"
  fi
}

free_port() {
  # A port nothing listens on right now; pg_ctl fails cleanly if we lose
  # the race, and start retries with another one.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "no free port found"
}

start() {
  dir=$(cluster_dir)
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/srpg.XXXXXX")
    echo "$dir" > "$state/cluster"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  if as_pg "$BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    return 0
  fi
  listen="''"
  port=5432
  for attempt in 1 2 3; do
    if [ "$mode" = tcp ]; then
      port=$(free_port)
      listen=127.0.0.1
    fi
    # fsync off: tests and the demo never need durability across a crash
    # of the machine, and it makes the suite several times faster.
    if as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=$listen -p $port -c unix_socket_directories=$dir \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c max_connections=300 -c max_wal_size=4GB" start >/dev/null 2>&1; then
      printf 'host=%s port=%s user=postgres dbname=postgres\n' "$dir" "$port" \
        > "$state/conninfo"
      printf '%s\n' "$port" > "$state/port"
      return 0
    fi
    [ "$mode" = tcp ] || break
  done
  tail -20 "$dir/server.log" >&2 || true
  die "PostgreSQL did not start (log: $dir/server.log)"
}

stop() {
  dir=$(cluster_dir)
  [ -n "$dir" ] && [ -d "$dir/data" ] || return 0
  as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  destroy)
    stop
    dir=$(cluster_dir)
    [ -n "$dir" ] && rm -rf "$dir"
    rm -f "$state/cluster" "$state/conninfo" "$state/port"
    ;;
  env)
    dir=$(cluster_dir)
    [ -n "$dir" ] || die "no cluster in $state"
    echo "PGHOST=$dir"
    echo "PGPORT=$(cat "$state/port")"
    echo "PGUSER=postgres"
    ;;
  *) die "unknown command $cmd" ;;
esac
