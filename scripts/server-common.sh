# Shared by scripts/oxigraph-server.sh and scripts/virtuoso.sh (sourced, not run).

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

watch() {
  # With WATCH_PID set (the test runner's pid), stop the server once that process is gone, however it ended.
  local dir=$1 pid=$2
  [ -n "${WATCH_PID:-}" ] || return 0
  [[ $WATCH_PID =~ ^[0-9]+$ ]] || die "WATCH_PID must be a process id"
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
                  kill -0 "$2" 2>/dev/null && exec bash "$3" stop "$4"' watch "$WATCH_PID" "$pid" "$0" "$dir" \
    >"$dir/watch.log" 2>&1 </dev/null &
}
