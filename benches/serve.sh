#!/usr/bin/env bash
# The HTTP serving benchmark (issue 11): `flowscript serve` and a FastAPI + uvicorn server running
# the same PocketFlow flow (benches/peers/serve/pf_serve.py), side by side, loaded by wrk with
# 100 connections. Workloads: `one` (a 1-node flow, benches/workloads/serve_one.flow.rhai) and
# `wait` (one node that sleeps 50 ms, serve_wait.flow.rhai). See benches/README.md.
#
#   benches/serve.sh                     # 3 rounds x 10 s per server and workload (5-15 min)
#   RUNS=1 DURATION=5 benches/serve.sh   # quicker
#   QUICK=1 benches/serve.sh             # smoke test: 1 round of 2 s (not for numbers)
#   python3 benches/serve/table.py target/bench-results/serve-latest.jsonl   # re-print
#
# Env knobs:
#   RUNS=3 DURATION=10 WARMUP=2   rounds (interleaved: every server and workload, then again),
#                                 seconds measured, seconds of load before that (discarded)
#   CONNECTIONS=100 THREADS=2     wrk's -c and -t;  WRK_TIMEOUT=5s  wrk's --timeout
#   WORKLOADS="one wait"          which workloads
#   SERVERS="fs pf1 pf2"          fs: flowscript serve (default workers: one per core);
#                                 fs1: flowscript serve --workers 1; pf1: uvicorn, 1 worker
#                                 (its default); pf2: uvicorn --workers 2; ax: bare axum with
#                                 no flow (benches/src/bin/serve_floor.rs), HTTP's own floor
#   FS_ARGS=""                    more flags for `flowscript serve` (e.g. "--keep-runs 0")
#   QUIET_BELOW=0.25 QUIET_MAX_WAIT=60  before each measurement wait (at most QUIET_MAX_WAIT s)
#                                 until the cores are < QUIET_BELOW busy (recorded as
#                                 cpu_busy_before)
#   PEER_VENV=target/serve-peer-venv  the peer's venv (made from its requirements.txt if missing
#                                 or if that file changed)
#   CARGO_TARGET_DIR              honoured (the binary is taken from its release/)
# Records: one JSON line per measurement in target/bench-results/serve-<stamp>.jsonl (and
# serve-latest.jsonl); benches/serve/table.py prints the table of medians.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"

QUICK="${QUICK:-0}"
if [ "$QUICK" = 1 ]; then
  RUNS="${RUNS:-1}"; DURATION="${DURATION:-2}"; WARMUP="${WARMUP:-1}"
else
  RUNS="${RUNS:-3}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-2}"
fi
CONNECTIONS="${CONNECTIONS:-100}"
THREADS="${THREADS:-2}"
WRK_TIMEOUT="${WRK_TIMEOUT:-5s}"
WORKLOADS="${WORKLOADS:-one wait}"
SERVERS="${SERVERS:-fs pf1 pf2 ax}"
FS_ARGS="${FS_ARGS:-}"
QUIET_BELOW="${QUIET_BELOW:-0.25}"
QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-60}"
VENV="${PEER_VENV:-$ROOT/target/serve-peer-venv}"
PEER_DIR="$HERE/peers/serve"
LUA="$HERE/serve/post.lua"

log() { echo "$@" >&2; }

# --- tools -----------------------------------------------------------------------------------
log "== building flowscript and the bare-axum reference (release)"
cargo build --release -p flowscript -p flowscript-bench --bin flowscript --bin serve_floor >&2
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
FLOWSCRIPT="$TARGET/release/flowscript"
FLOOR="$TARGET/release/serve_floor"

if ! command -v wrk >/dev/null 2>&1; then
  log "== installing wrk (Debian package)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  # Another apt-get may hold the lock (other builds on the machine): wait for it.
  if ! $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >&2; then
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
    $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk >&2
  fi
fi

PY="$VENV/bin/python"
if [ ! -x "$PY" ] || ! cmp -s "$PEER_DIR/requirements.txt" "$VENV/requirements.txt"; then
  log "== creating $VENV from benches/peers/serve/requirements.txt"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$PEER_DIR/requirements.txt" >&2
  cp "$PEER_DIR/requirements.txt" "$VENV/requirements.txt"
fi

# --- helpers ---------------------------------------------------------------------------------
# Busy fraction (0..1) of all cores over one second, from /proc/stat.
cpu_busy() {
  local a b
  read -r -a a < /proc/stat
  sleep 1
  read -r -a b < /proc/stat
  local t0=0 t1=0 i
  for i in 1 2 3 4 5 6 7 8; do t0=$((t0 + a[i])); t1=$((t1 + b[i])); done
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=$((t1 - t0))
  awk -v i="$idle" -v t="$total" 'BEGIN { printf "%.3f", (t > 0 ? 1 - i / t : 0) }'
}

# Wait until the cores are quiet (or QUIET_MAX_WAIT passed); print the last sample.
wait_quiet() {
  local deadline=$(( $(date +%s) + QUIET_MAX_WAIT )) busy
  busy="$(cpu_busy)"
  while awk -v b="$busy" -v q="$QUIET_BELOW" 'BEGIN { exit !(b >= q) }' \
        && [ "$(date +%s)" -lt "$deadline" ]; do
    busy="$(cpu_busy)"
  done
  echo "$busy"
}

# CPU seconds (user + system) of a process and its children (uvicorn's workers), so far.
tree_cpu_ticks() {
  local root="$1" sum=0 f pid rest fields
  for f in /proc/[0-9]*/stat; do
    pid="${f#/proc/}"; pid="${pid%/stat}"
    { read -r rest < "$f"; } 2>/dev/null || continue  # it may have exited meanwhile
    rest="${rest##*) }"            # fields after "(comm) "
    read -r -a fields <<< "$rest"  # fields[0] = state, [1] = ppid, [11] = utime, [12] = stime
    if [ "$pid" = "$root" ] || [ "${fields[1]}" = "$root" ]; then
      sum=$((sum + fields[11] + fields[12]))
    fi
  done
  echo "$sum"
}
CLK_TCK="$(getconf CLK_TCK)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

SERVER_PID=""
SERVER_LOG="$(mktemp)"
WRK_OUT="$(mktemp)"
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    # flowscript exits at once when no run is running; uvicorn stops its workers first.
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap 'stop_server; rm -f "$SERVER_LOG" "$WRK_OUT"' EXIT

# Start server $1 for workload $2; sets SERVER_PID and BASE (http://127.0.0.1:PORT).
start_server() {
  local server="$1" workload="$2" port addr
  : > "$SERVER_LOG"
  case "$server" in
    fs|fs1|ax)
      local workers=()
      if [ "$server" = fs1 ]; then workers=(--workers 1); fi
      if [ "$server" = ax ]; then
        "$FLOOR" 2> "$SERVER_LOG" &
      else
        # shellcheck disable=SC2086
        "$FLOWSCRIPT" serve "$HERE/workloads/serve_$workload.flow.rhai" --addr 127.0.0.1:0 \
          "${workers[@]}" $FS_ARGS 2> "$SERVER_LOG" &
      fi
      SERVER_PID=$!
      addr=""
      for _ in $(seq 1 100); do
        addr="$(sed -n 's|^listening on http://||p' "$SERVER_LOG")"
        [ -n "$addr" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
      done
      if [ -z "$addr" ]; then log "flowscript serve did not start:"; cat "$SERVER_LOG" >&2; return 1; fi
      BASE="http://$addr"
      ;;
    pf1|pf2)
      local workers=()
      if [ "$server" = pf2 ]; then workers=(--workers 2); fi
      port="$(free_port)"
      "$VENV/bin/uvicorn" pf_serve:app --app-dir "$PEER_DIR" --host 127.0.0.1 --port "$port" \
        --loop uvloop --http httptools --no-access-log --log-level warning "${workers[@]}" \
        2> "$SERVER_LOG" &
      SERVER_PID=$!
      BASE="http://127.0.0.1:$port"
      ;;
    *) log "unknown server $server"; return 1 ;;
  esac
  # Ready once a run answers as expected (the same check as the answers under load).
  local want answer=""
  if [ "$workload" = one ]; then want='"greeting":"Hello, Ada!"'; else want='"waited":50'; fi
  for _ in $(seq 1 150); do
    answer="$(curl -s --max-time 2 -X POST -H 'Content-Type: application/json' \
      -d '{"name":"Ada"}' "$BASE/flows/$workload/runs" 2>/dev/null || true)"
    case "$answer" in *'"status":"finished"'*"$want"*|*"$want"*'"status":"finished"'*) return 0 ;; esac
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "$server did not answer as expected on $BASE: ${answer:-nothing}"; cat "$SERVER_LOG" >&2
  return 1
}

variant_of() {
  case "$1" in
    fs) echo "flowscript serve (workers: one per core)" ;;
    fs1) echo "flowscript serve --workers 1" ;;
    pf1) echo "uvicorn, 1 worker (default)" ;;
    pf2) echo "uvicorn --workers 2" ;;
    ax) echo "reference: bare axum, no flow" ;;
  esac
}

# --- the measurements ------------------------------------------------------------------------
RESULTS="$ROOT/target/bench-results"
mkdir -p "$RESULTS"
OUT="$RESULTS/serve-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$OUT"

n_workloads="$(wc -w <<< "$WORKLOADS")"
n_servers="$(wc -w <<< "$SERVERS")"
count=$((RUNS * n_workloads * n_servers))
log "== writing $OUT  (rounds=$RUNS, measurements=$count, ${DURATION}s each after ${WARMUP}s warm-up, -c$CONNECTIONS -t$THREADS)"
log "   flowscript: $("$FLOWSCRIPT" --version 2>&1 || true); wrk: $(wrk --version 2>&1 | sed -n 1p || true); peer: $("$PY" -c 'import fastapi, uvicorn, pocketflow, sys; print(f"Python {sys.version.split()[0]}, fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__}, pocketflow 0.0.3")')"

for run in $(seq 1 "$RUNS"); do
  for workload in $WORKLOADS; do
    for server in $SERVERS; do
      busy="$(wait_quiet)"
      load1="$(cut -d' ' -f1 /proc/loadavg)"
      printf '[run %s] %-5s %-42s busy=%s ... ' "$run" "$workload" "$(variant_of "$server")" "$busy" >&2
      if ! start_server "$server" "$workload"; then
        stop_server
        log "FAILED to start"
        continue
      fi
      url="$BASE/flows/$workload/runs"
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$url" \
        > /dev/null 2>&1 || true
      cpu0="$(tree_cpu_ticks "$SERVER_PID")"
      rc=0
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$url" \
        > "$WRK_OUT" 2>&1 || rc=$?
      cpu1="$(tree_cpu_ticks "$SERVER_PID")"
      alive=true
      kill -0 "$SERVER_PID" 2>/dev/null || alive=false
      stop_server
      line="$(grep '^{' "$WRK_OUT" | tail -n 1 || true)"
      if [ $rc -ne 0 ] || [ -z "$line" ]; then
        log "FAILED (wrk rc=$rc)"; cat "$WRK_OUT" >&2
        continue
      fi
      server_cpu_s="$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')"
      peer=flowscript
      case "$server" in pf*) peer=pocketflow ;; esac
      printf '{"bench":"serve","workload":"%s","peer":"%s","server":"%s","variant":"%s","run":%s,"connections":%s,"threads":%s,"duration_s":%s,"warmup_s":%s,"cpu_busy_before":%s,"loadavg_start":%s,"server_cpu_s":%s,"server_alive":%s,"wrk":%s}\n' \
        "$workload" "$peer" "$server" "$(variant_of "$server")" "$run" "$CONNECTIONS" "$THREADS" \
        "$DURATION" "$WARMUP" "$busy" "$load1" "$server_cpu_s" "$alive" "$line" >> "$OUT"
      python3 - "$line" <<'EOF' >&2
import json, sys
w = json.loads(sys.argv[1])
bad = w["non2xx"] + sum(w["errors"].values())
print(f'{w["rps"]:.0f} rps, p50 {w["p50_us"] / 1000:.2f} ms, p99 {w["p99_us"] / 1000:.2f} ms'
      + (f'  INVALID: {bad} errors/non-2xx {w["errors"]}' if bad else ''))
EOF
    done
  done
done

cp "$OUT" "$RESULTS/serve-latest.jsonl"
log
python3 "$HERE/serve/table.py" "$OUT"
