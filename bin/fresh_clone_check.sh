#!/usr/bin/env bash
# Runs the README's two commands on a pristine clone of HEAD, with the test
# peers (snmpd, snmpsimd, chromium) absent:
#
#   1. `npm install && npm start` serves the demo: /login answers with the login page.
#   2. Peers absent and no way to install them: `npm test` stops at once (< 60 s)
#      with one Chinese + English line naming the apt command, and runs no test.
#   3. Peers absent, apt available: `npm test` installs them through apt and
#      passes. Here apt-get is a stand-in that "installs" a package by lifting
#      its hiding (the machine already has the real packages, which are never
#      removed); .ci/run's first step shows the real apt install working.
#
#   sudo bin/fresh_clone_check.sh         # step 3 runs the whole `npm test`
#   FRESH_CLONE_TEST_ARGS="--files snmp/real_agents.spec.ts; --files browser/identity/login.spec.ts" \
#     bin/fresh_clone_check.sh             # step 3: one `npm test -- …` per ";"-separated part
#
# The peers are hidden in a private mount namespace (unshare --mount): /dev/null
# is bind-mounted over each binary, so neither PATH nor the sbin directories
# find them; nothing outside this script sees a change. Needs root and
# unshare(1). Ports: PORT (default 3333) for npm start and the tests,
# SIMULATOR_PORT (default 16100). Exit 0 when all three steps pass.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORT:-3333}"
SIMULATOR_PORT="${SIMULATOR_PORT:-16100}"
TEST_ARGS="${FRESH_CLONE_TEST_ARGS:-}"

log() { echo "[fresh_clone_check] $*"; }
fail() {
  echo "[fresh_clone_check] FAILED: $*" >&2
  exit 1
}

[[ $EUID -eq 0 ]] || fail "run as root (it hides the peers in a private mount namespace)"
command -v unshare >/dev/null || fail "unshare(1) is missing (util-linux)"
unshare --mount --propagation private true 2>/dev/null ||
  fail "cannot create a mount namespace here (unshare --mount refused)"

PATH="$PATH:/usr/sbin:/sbin"
# the first of the named programs on PATH, or nothing (checked below)
first_on_path() {
  local name
  for name in "$@"; do
    if command -v "$name"; then return 0; fi
  done
  return 0
}
SNMPD="$(first_on_path snmpd)"
SNMPSIMD="$(first_on_path snmpsimd snmpsimd.py)"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
APT_GET="$(first_on_path apt-get)"
for binary in "$SNMPD" "$SNMPSIMD" "$CHROMIUM" "$APT_GET"; do
  [[ -n $binary && -x $binary ]] || fail "this check hides installed peers: install snmpd snmpsim chromium first"
done

WORK="$(mktemp -d /tmp/shuzhi-fresh-clone.XXXXXX)"
SERVER_PID=""
# shellcheck disable=SC2317 # (invoked by the EXIT trap)
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    # the server may have exited between the check and the kill; its exit status is not ours
    if ! kill -- "-$SERVER_PID" 2>/dev/null; then log "npm start had already stopped"; fi
    if ! wait "$SERVER_PID" 2>/dev/null; then :; fi
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

CLONE="$WORK/clone"
log "pristine clone of $(git -C "$ROOT" rev-parse --short HEAD) in $CLONE"
git clone --quiet --no-local "$ROOT" "$CLONE"
cd "$CLONE"
git checkout --quiet "$(git -C "$ROOT" rev-parse HEAD)"

# --- 1. npm install && npm start -------------------------------------------------
log "README command 1: npm install && npm start"
T0=$SECONDS
npm install --no-audit --no-fund --prefer-offline >"$WORK/npm-install.log" 2>&1 ||
  {
    tail -n 40 "$WORK/npm-install.log" >&2
    fail "npm install"
  }
log "npm install: $((SECONDS - T0)) s"
setsid env PORT="$PORT" SIMULATOR_PORT="$SIMULATOR_PORT" npm start >"$WORK/npm-start.log" 2>&1 &
SERVER_PID=$!
up=""
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$PORT/login" -o "$WORK/login.html" 2>/dev/null; then
    up=yes
    break
  fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 1
done
if [[ -z $up ]] || ! grep -q '用户名' "$WORK/login.html"; then
  tail -n 40 "$WORK/npm-start.log" >&2
  fail "npm start did not serve the login page on port $PORT"
fi
grep -q 'Shuzhi@2026!' "$WORK/npm-start.log" || fail "npm start did not print the demo logins"
log "npm start served /login after $((SECONDS - T0)) s (demo logins printed); stopping it"
kill -- "-$SERVER_PID"
# npm start ends by our signal: a non-zero status here is expected, not a failure
if ! wait "$SERVER_PID" 2>/dev/null; then :; fi
SERVER_PID=""

# --- 2 and 3 run with the peers hidden -------------------------------------------
HIDE="$WORK/hide.sh"
FAKE_APT="$WORK/apt-get"
cat >"$HIDE" <<EOF
set -e
for binary in "$SNMPD" "$SNMPSIMD" "$CHROMIUM"; do mount --bind /dev/null "\$binary"; done
EOF
# The stand-in apt-get: "update" does nothing; "install" lifts the hiding of the
# packages it is asked for, saying so, as apt would say "Setting up …".
cat >"$FAKE_APT" <<EOF
#!/usr/bin/env bash
echo "apt-get (fresh_clone_check stand-in) \$*"
[[ \$1 == install ]] || exit 0
for arg in "\$@"; do
  case "\$arg" in
    snmpd) umount "$SNMPD" && echo "Setting up snmpd ..." ;;
    snmpsim) umount "$SNMPSIMD" && echo "Setting up snmpsim ..." ;;
    chromium) umount "$CHROMIUM" && echo "Setting up chromium ..." ;;
  esac
done
EOF
chmod +x "$FAKE_APT"

log "README command 2 with the peers absent and no apt: npm test must stop at once"
T0=$SECONDS
set +e
unshare --mount --propagation private bash -c "
  source '$HIDE'
  mount --bind /dev/null '$APT_GET'
  PORT='$PORT' npm test
" >"$WORK/npm-test-missing.log" 2>&1
status=$?
set -e
took=$((SECONDS - T0))
cat "$WORK/npm-test-missing.log"
[[ $status -ne 0 ]] || fail "npm test exited 0 with the peers missing"
[[ $took -lt 60 ]] || fail "npm test took ${took}s to give up (expected < 60 s)"
grep -q 'apt-get install -y snmpd snmpsim chromium' "$WORK/npm-test-missing.log" ||
  fail "no line naming 'apt-get install -y snmpd snmpsim chromium'"
[[ $(grep -c 'apt-get install' "$WORK/npm-test-missing.log") -eq 1 ]] ||
  fail "expected exactly one line naming the install command"
if grep -Eq '[0-9]+ passed|✖' "$WORK/npm-test-missing.log"; then
  fail "tests ran although the peers were missing"
fi
log "stopped after ${took}s with exit $status and one line naming the command"

# One `npm test` per ";"-separated part of FRESH_CLONE_TEST_ARGS (the whole suite when empty),
# each in a fresh namespace, so each starts with every peer hidden.
IFS=';' read -r -a RUNS <<<"${TEST_ARGS:- }"
for run in "${RUNS[@]}"; do
  run="$(echo "$run" | xargs)"
  log "README command 2 with the peers absent and apt available: npm test${run:+ -- $run}"
  T0=$SECONDS
  set +e
  unshare --mount --propagation private bash -c "
    source '$HIDE'
    mount --bind '$FAKE_APT' '$APT_GET'
    PORT='$PORT' npm test ${run:+-- $run}
  " 2>&1 | tee "$WORK/npm-test.log"
  status=${PIPESTATUS[0]}
  set -e
  grep -q 'installing the missing test peers with apt' "$WORK/npm-test.log" ||
    fail "npm test did not install the missing peers"
  [[ $status -eq 0 ]] || fail "npm test failed after installing the peers (exit $status)"
  log "npm test installed the peers and passed in $((SECONDS - T0)) s"
done
log "OK"
