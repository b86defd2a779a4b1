#!/usr/bin/env bash
# Runs a command against a throwaway MariaDB server, then removes it.
#
#   bin/mariadb_test.sh npm test             # whole suite on MariaDB
#   bin/mariadb_test.sh npm test -- unit     # one suite
#
# Starts mariadbd on 127.0.0.1 (port $MARIADB_TEST_PORT, else the first free one
# from 3307 on) with a fresh datadir under /tmp, creates the database
# shuzhi_test (utf8mb4) and the user 'shuzhi'@'127.0.0.1' with a random
# password, exports
# DB_CONNECTION=mysql DB_HOST DB_PORT DB_USER DB_PASSWORD DB_DATABASE, runs the
# command, and always shuts the server down and deletes the datadir on exit.
# Exits with the command's exit status.
#
# Needs the Debian packages mariadb-server and mariadb-client. Run as root (as
# CI does) the server runs as the "mysql" user; otherwise as the caller.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]   (e.g. $0 npm test)" >&2
  exit 2
fi

# mariadbd and mariadb-install-db live in /usr/sbin, not on a normal user's PATH.
export PATH="$PATH:/usr/sbin:/usr/bin"

PORT="${MARIADB_TEST_PORT:-3307}"
DB_NAME=shuzhi_test
DB_USER_NAME=shuzhi

log() { echo "[mariadb_test] $*" >&2; }

for tool in mariadb-install-db mariadbd mariadb-admin mariadb; do
  if ! command -v "$tool" >/dev/null; then
    log "missing $tool: apt-get install mariadb-server mariadb-client"
    exit 2
  fi
done

if [[ $EUID -eq 0 ]]; then
  OS_USER=mysql
else
  OS_USER="$(id -un)"
fi

# mktemp -d gives a 0700 directory; /tmp itself is world-traversable, so handing
# the directory to the server's user is enough for it to reach its datadir.
DATADIR="$(mktemp -d /tmp/shuzhi-mariadb.XXXXXX)"
SOCKET="$DATADIR/s.sock"
SERVER_LOG="$DATADIR/mariadbd.log"
SERVER_PID=""
ADMIN_USER="$(id -un)" # unix_socket authentication: the OS user is the DB user

# shellcheck disable=SC2317 # (invoked by the EXIT trap)
cleanup() {
  local status=$? i
  set +e # best effort from here on: always reach the rm -rf
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping MariaDB (pid $SERVER_PID)"
    if ! mariadb-admin --socket="$SOCKET" -u"$ADMIN_USER" shutdown >/dev/null 2>&1; then
      log "mariadb-admin shutdown failed; sending SIGTERM"
      kill -TERM "$SERVER_PID" 2>/dev/null
    fi
    # Up to 30 s for a clean stop, then SIGKILL.
    for ((i = 0; i < 60; i++)); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      log "MariaDB did not stop; sending SIGKILL"
      kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    wait "$SERVER_PID" 2>/dev/null # reap our child so the datadir is free
  fi
  rm -rf "$DATADIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $EUID -eq 0 ]]; then
  chown "$OS_USER:$OS_USER" "$DATADIR"
  chmod 0750 "$DATADIR"
fi

log "initialising datadir $DATADIR"
if ! mariadb-install-db --user="$OS_USER" --datadir="$DATADIR" \
  --auth-root-authentication-method=socket --skip-test-db >"$DATADIR/install.log" 2>&1; then
  log "mariadb-install-db failed:"
  cat "$DATADIR/install.log" >&2
  exit 1
fi

# start_server PORT: 0 once it answers; 1 if it died or is still silent after
# 30 s; 3 if the port was taken.
start_server() {
  local i
  log "starting mariadbd on 127.0.0.1:$1"
  mariadbd --no-defaults --user="$OS_USER" --datadir="$DATADIR" --socket="$SOCKET" \
    --port="$1" --bind-address=127.0.0.1 --skip-name-resolve >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < 60; i++)); do
    if mariadb-admin --socket="$SOCKET" -u"$ADMIN_USER" ping >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      if ! wait "$SERVER_PID" 2>/dev/null; then
        : # it exited: its status is in the log
      fi
      SERVER_PID=""
      if grep -q 'Address already in use' "$SERVER_LOG"; then
        return 3
      fi
      return 1
    fi
    sleep 0.5
  done
  return 1
}

# With no MARIADB_TEST_PORT, a taken 3307 (another run of this script, say)
# moves us on to the next port.
for ((attempt = 0; ; attempt++)); do
  if start_server "$PORT"; then
    break
  else
    started=$?
  fi
  if [[ $started -eq 3 && -z "${MARIADB_TEST_PORT:-}" && $attempt -lt 20 ]]; then
    log "port $PORT is taken; trying $((PORT + 1))"
    PORT=$((PORT + 1))
    continue
  fi
  log "MariaDB did not come up (within 30 s); its log:"
  cat "$SERVER_LOG" >&2
  exit 1
done

DB_PASS="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
mariadb --socket="$SOCKET" -u"$ADMIN_USER" <<SQL
CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$DB_USER_NAME'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER_NAME'@'127.0.0.1';
SQL
log "ready: $(mariadb-admin --socket="$SOCKET" -u"$ADMIN_USER" version | sed -n 's/^Server version[[:space:]]*//p'), database $DB_NAME, user $DB_USER_NAME"

export DB_CONNECTION=mysql
export DB_HOST=127.0.0.1
export DB_PORT="$PORT"
export DB_USER="$DB_USER_NAME"
export DB_PASSWORD="$DB_PASS"
export DB_DATABASE="$DB_NAME"
# The admin socket, for tests that create their own least-privilege accounts.
export MARIADB_TEST_SOCKET="$SOCKET"
export MARIADB_TEST_ADMIN="$ADMIN_USER"

if "$@"; then
  status=0
else
  status=$?
fi

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  log "MariaDB died while the command ran; its log:"
  cat "$SERVER_LOG" >&2
  if [[ $status -eq 0 ]]; then
    status=1
  fi
fi
exit "$status"
