#!/usr/bin/env bash
# npm run bench:cycle [-- --devices N --dead 0.3 --cycles 3 --concurrency 256]
# The whole poll pipeline on SQLite (a throwaway tmp/bench_cycle.sqlite3), then
# on a throwaway MariaDB (bin/mariadb_test.sh). Set BENCH_DB=sqlite or mysql for one.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_ENV=development HOST=127.0.0.1 PORT="${PORT:-3999}" APP_URL="http://127.0.0.1"
export APP_KEY="${APP_KEY:-bench-cycle-only-key-0123456789abcdef}" AUDIT_KEY="${AUDIT_KEY:-bench-cycle-only-audit-key-0123456789}" LOG_LEVEL="${LOG_LEVEL:-info}"
export SESSION_DRIVER=memory LIMITER_STORE=memory LOCK_STORE=memory SNMP_SIMULATOR=false SCHEDULER_ENABLED=false
if [[ "${BENCH_DB:-sqlite}" != mysql ]]; then
  rm -f tmp/bench_cycle.sqlite3
  SQLITE_PATH=tmp/bench_cycle.sqlite3 node ace bench:cycle "$@"
  rm -f tmp/bench_cycle.sqlite3
fi
if [[ "${BENCH_DB:-mysql}" != sqlite ]]; then
  bash bin/mariadb_test.sh node ace bench:cycle "$@"
fi
