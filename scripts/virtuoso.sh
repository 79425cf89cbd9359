#!/usr/bin/env bash
# Start or stop a private Virtuoso (Debian's virtuoso-opensource) for the tests.
#
#   scripts/virtuoso.sh start DIR HTTP_PORT SQL_PORT   # create DIR on first use, start, wait until ready
#   scripts/virtuoso.sh stop DIR                       # checkpoint and shut down, then wait for the process
#
# The server has its own database directory and ini in DIR and listens on 127.0.0.1 only (SQL and HTTP).
# On first use the database is created and the dba password set in a run that exits without listening,
# so the server never listens with dba/dba; the generated passwords (at most 20 characters, as Virtuoso
# wants) are in DIR/dba-password and DIR/crossplan-password (mode 600). The user `crossplan` is the only
# one granted SPARQL_UPDATE (it loads through the Digest-authenticated /sparql-graph-crud-auth and
# /sparql-auth endpoints); the anonymous /sparql endpoint can only read.
# Every wait is bounded: VIRTUOSO_START_TIMEOUT (default 120) and VIRTUOSO_STOP_TIMEOUT (default 60) seconds.
# With WATCH_PID set, the server is also stopped (with its checkpoint) once that process has gone.
set -euo pipefail
# shellcheck source=scripts/server-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-common.sh"

usage() {
  echo "usage: $0 start DIR HTTP_PORT SQL_PORT | stop DIR" >&2
  exit 2
}

virtuoso=${VIRTUOSO:-virtuoso-t}
isql=${VIRTUOSO_ISQL:-isql-vt}
start_timeout=${VIRTUOSO_START_TIMEOUT:-120}
stop_timeout=${VIRTUOSO_STOP_TIMEOUT:-60}

port_ok() {
  [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge 1024 ] && [ "$1" -le 65535 ]
}

new_password() {
  # 16 letters and digits: within Virtuoso's 20-character limit and safe inside isql's quotes
  local password=""
  while [ ${#password} -lt 16 ]; do
    password+=$(head -c 64 /dev/urandom | tr -dc 'A-Za-z0-9' | head -c $((16 - ${#password})))
  done
  printf '%s' "$password"
}

sql() {
  # sql DIR STATEMENTS: run statements as dba (the password is a throwaway one of this test database)
  local dir=$1 statements=$2
  timeout 60 "$isql" "127.0.0.1:$(cat "$dir/sql-port")" dba "$(cat "$dir/dba-password")" \
    "exec=$statements" </dev/null
}

alive() {
  [ -f "$1/virtuoso.pid" ] && kill -0 "$(cat "$1/virtuoso.pid")" 2>/dev/null
}

write_ini() {
  local dir=$1 http_port=$2 sql_port=$3
  cat >"$dir/virtuoso.ini" <<EOF
; Written by scripts/virtuoso.sh: a private test database, listening on 127.0.0.1 only.
[Database]
DatabaseFile       = $dir/virtuoso.db
ErrorLogFile       = $dir/virtuoso.log
LockFile           = $dir/virtuoso.lck
TransactionFile    = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $dir/virtuoso-temp.db
TransactionFile    = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:$sql_port
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 5
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = $dir
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 2
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
MaxQueryMem          = 256M

[HTTPServer]
ServerPort           = 127.0.0.1:$http_port
ServerRoot           = $dir
MaxClientConnections = 5
ServerThreads        = 5
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 10000
MaxQueryCostEstimationTime = 60
MaxQueryExecutionTime      = 60
EOF
}

create() {
  local dir=$1
  (umask 077 && new_password >"$dir/dba-password" && new_password >"$dir/dav-password" && new_password >"$dir/crossplan-password")
  # With +pwdold the server creates the database, changes the passwords and exits: it never listens.
  timeout "$start_timeout" "$virtuoso" +configfile "$dir/virtuoso.ini" +foreground +pwdold dba \
    +pwddba "$(cat "$dir/dba-password")" +pwddav "$(cat "$dir/dav-password")" >"$dir/create.log" 2>&1 ||
    die "creating the database failed; see $dir/create.log"
  grep -q "The DBA password is changed" "$dir/create.log" || die "the dba password was not set; see $dir/create.log"
}

start() {
  [ $# -eq 3 ] || usage
  local dir=$1 http_port=$2 sql_port=$3
  port_ok "$http_port" && port_ok "$sql_port" || die "ports must be numbers from 1024 to 65535"
  command -v "$virtuoso" >/dev/null || die "$virtuoso not found: run scripts/install-system-deps.sh (Debian package virtuoso-opensource)"
  command -v "$isql" >/dev/null || die "$isql not found: run scripts/install-system-deps.sh (Debian package virtuoso-opensource)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 700 "$dir"
  alive "$dir" && die "already running (pid $(cat "$dir/virtuoso.pid"))"
  write_ini "$dir" "$http_port" "$sql_port"
  echo "$sql_port" >"$dir/sql-port"
  echo "$http_port" >"$dir/http-port"
  local fresh=0
  if [ ! -f "$dir/virtuoso.db" ]; then
    create "$dir"
    fresh=1
  fi
  # +foreground keeps the process ours, so its pid is known; setsid keeps a Ctrl-C in the terminal from
  # killing it before the tests stop it with a checkpoint.
  setsid "$virtuoso" +configfile "$dir/virtuoso.ini" +foreground >"$dir/virtuoso.out" 2>&1 </dev/null &
  echo $! >"$dir/virtuoso.pid"
  local waited=0
  until sql "$dir" "select 1;" >/dev/null 2>&1 && (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null; do
    alive "$dir" || { tail -n 20 "$dir/virtuoso.out" >&2; die "the server exited while starting; see $dir/virtuoso.log"; }
    if [ "$waited" -ge $((start_timeout * 2)) ]; then
      stop "$dir" >/dev/null 2>&1 || true
      die "not ready after $start_timeout s; see $dir/virtuoso.log"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  if [ "$fresh" -eq 1 ]; then
    sql "$dir" "DB.DBA.USER_CREATE ('crossplan', '$(cat "$dir/crossplan-password")'); GRANT SPARQL_UPDATE TO \"crossplan\";" >"$dir/users.log" 2>&1 ||
      die "creating the crossplan user failed; see $dir/users.log"
  fi
  watch "$dir" "$(cat "$dir/virtuoso.pid")"
  echo "virtuoso.sh: ready at http://127.0.0.1:$http_port/sparql (pid $(cat "$dir/virtuoso.pid"))"
}

stop() {
  [ $# -eq 1 ] || usage
  local dir=$1
  [ -f "$dir/virtuoso.pid" ] || { echo "virtuoso.sh: not running"; return 0; }
  local pid
  pid=$(cat "$dir/virtuoso.pid")
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$dir/virtuoso.pid"
    echo "virtuoso.sh: not running"
    return 0
  fi
  # A checkpoint writes the transaction log into the database, so the next start needs no roll-forward.
  sql "$dir" "checkpoint; shutdown;" >"$dir/stop.log" 2>&1 || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((stop_timeout * 4)) ]; do
    sleep 0.25
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "virtuoso.sh: no clean shutdown after $stop_timeout s; sending SIGTERM" >&2
    kill -TERM "$pid" 2>/dev/null || true
    sleep 5
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/virtuoso.pid"
    return 1
  fi
  rm -f "$dir/virtuoso.pid"
  echo "virtuoso.sh: stopped after a checkpoint"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) usage ;;
esac
