#!/usr/bin/env bash
# Start or stop a private Oxigraph server (the `oxigraph` binary of the PyPI package `oxigraph`) for the tests.
#
#   scripts/oxigraph-server.sh start DIR PORT   # database in DIR/db, listening on 127.0.0.1:PORT; waits until ready
#   scripts/oxigraph-server.sh stop DIR         # SIGTERM, then wait for the process
#
# Oxigraph's server has no users: it is for loopback tests only. Every wait is bounded by
# OXIGRAPH_START_TIMEOUT and OXIGRAPH_STOP_TIMEOUT (default 30 seconds each). With WATCH_PID set, the
# server is also stopped once that process has gone.
set -euo pipefail
# shellcheck source=scripts/server-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-common.sh"

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

oxigraph=${OXIGRAPH:-oxigraph}
start_timeout=${OXIGRAPH_START_TIMEOUT:-30}
stop_timeout=${OXIGRAPH_STOP_TIMEOUT:-30}

alive() {
  [ -f "$1/oxigraph.pid" ] && kill -0 "$(cat "$1/oxigraph.pid")" 2>/dev/null
}

start() {
  [ $# -eq 2 ] || usage
  local dir=$1 port=$2
  [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || die "the port must be a number from 1024 to 65535"
  command -v "$oxigraph" >/dev/null || die "$oxigraph not found: install the test extra (pip install -e '.[test]')"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  alive "$dir" && die "already running (pid $(cat "$dir/oxigraph.pid"))"
  setsid "$oxigraph" serve --location "$dir/db" --bind "127.0.0.1:$port" >"$dir/oxigraph.out" 2>&1 </dev/null &
  echo $! >"$dir/oxigraph.pid"
  local waited=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    alive "$dir" || { cat "$dir/oxigraph.out" >&2; die "the server exited while starting"; }
    if [ "$waited" -ge $((start_timeout * 10)) ]; then
      stop "$dir" >/dev/null 2>&1 || true
      die "not ready after $start_timeout s; see $dir/oxigraph.out"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  watch "$dir" "$(cat "$dir/oxigraph.pid")"
  echo "oxigraph-server.sh: ready at http://127.0.0.1:$port/query (pid $(cat "$dir/oxigraph.pid"))"
}

stop() {
  [ $# -eq 1 ] || usage
  local dir=$1
  alive "$dir" || { rm -f "$dir/oxigraph.pid"; echo "oxigraph-server.sh: not running"; return 0; }
  local pid
  pid=$(cat "$dir/oxigraph.pid")
  kill -TERM "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((stop_timeout * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/oxigraph.pid"
    die "did not stop after $stop_timeout s; killed"
  fi
  rm -f "$dir/oxigraph.pid"
  echo "oxigraph-server.sh: stopped"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) usage ;;
esac
