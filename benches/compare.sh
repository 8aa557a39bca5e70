#!/usr/bin/env bash
# Run flowscript's W1-W5 benchmarks and PocketFlow's (the Python peers in $PEERS_DIR)
# side by side and print a table with flowscript / PocketFlow ratios and the goals.
#
#   benches/compare.sh                 # release build, 2 runs of everything (~6 min)
#   RUNS=1 benches/compare.sh          # one run
#   RUNS=1 QUICK=1 benches/compare.sh  # smoke test with small sizes (not for numbers)
#
# Env knobs:
#   PEERS_DIR (required)        the peers' folder (bench/*.py, requirements.txt)
#   PEERS_VENV=target/peers-venv  the venv (created from requirements.txt if missing)
#   RUNS=2                      suite repetitions (interleaved: everything, then again)
#   QUIET_BELOW=0.25 QUIET_MAX_WAIT=60  before each process wait (at most QUIET_MAX_WAIT s)
#                               until the cores are < QUIET_BELOW busy, as run_all.sh does
#   SCRIPT_TIMEOUT=900          per-process timeout in seconds
#   CARGO_TARGET_DIR            honoured (the binaries are taken from its release/)
# Records go to target/bench-results/<stamp>.jsonl (and latest.jsonl); the table is printed
# by benches/compare.py, which can be re-run on any results file.
set -u -o pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"

PEERS_DIR="$(cd "${PEERS_DIR:?set PEERS_DIR to the folder of the peers (bench/*.py, requirements.txt)}" && pwd)" || exit 1
PEERS_BENCH="$PEERS_DIR/bench"
RUNS="${RUNS:-2}"
QUICK="${QUICK:-0}"
QUIET_BELOW="${QUIET_BELOW:-0.25}"
QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-60}"
SCRIPT_TIMEOUT="${SCRIPT_TIMEOUT:-900}"

echo "== building (release)" >&2
cargo build --release -p flowscript-bench -p flowscript >&2 || exit 1
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release"

VENV="${PEERS_VENV:-$ROOT/target/peers-venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "== creating $VENV from $PEERS_DIR/requirements.txt" >&2
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$PEERS_DIR/requirements.txt" || exit 1
fi
# W4's server is the peers' stdlib http_server.py for both sides, under the same interpreter.
export PEERS_DIR PYTHON="$PY" FLOWSCRIPT_BIN="$BIN/flowscript"

RESULTS="$ROOT/target/bench-results"
mkdir -p "$RESULTS"
OUT="$RESULTS/$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$OUT"

if [ "$QUICK" = 1 ]; then
  W1="--nodes 50 --repeats 3"; N1=1000; N2=2000; W3="--items 10"; W4="--n 200 --repeats 2"
  W5="--runs 3 --warmup 1"
else
  W1=""; N1=10000; N2=100000; W3=""; W4=""; W5=""
fi

# "peer|command": each workload's PocketFlow script, then flowscript's binary, so both meet
# similar machine conditions. PocketFlow's W4 runs the aiohttp client only (RESULTS.md: use the
# aiohttp rows for framework comparisons; httpx's pool collapses at 100-way concurrency).
CMDS=(
  "pf|$PY $PEERS_BENCH/pf_w1_chain.py $W1"
  "fs|$BIN/w1_chain $W1"
  "pf|$PY $PEERS_BENCH/pf_w2_io_fanout.py --n $N1"
  "fs|$BIN/w2_io_fanout $N1"
  "pf|$PY $PEERS_BENCH/pf_w2_io_fanout.py --n $N2"
  "fs|$BIN/w2_io_fanout $N2"
  "pf|$PY $PEERS_BENCH/pf_w3_cpu_batch.py $W3"
  "fs|$BIN/w3_cpu_batch $W3"
  "pf|$PY $PEERS_BENCH/pf_w4_http_fanout.py --clients aiohttp $W4"
  "fs|$BIN/w4_http_fanout $W4"
  "pf|$PY $PEERS_BENCH/pf_w5_startup.py $W5"
  "fs|$BIN/w5_startup $W5"
)

echo "== writing $OUT  (runs=$RUNS, processes=$(( ${#CMDS[@]} * RUNS )))" >&2
for run in $(seq 1 "$RUNS"); do
  for entry in "${CMDS[@]}"; do
    cmd="${entry#*|}"
    busy="$(python3 "$PEERS_BENCH/cpu_busy.py" --seconds 1 --wait-below "$QUIET_BELOW" --max-wait "$QUIET_MAX_WAIT")"
    t0=$(date +%s)
    printf '[run %s] %-70s busy=%s ... ' "$run" "${cmd#"$ROOT"/}" "$busy" >&2
    # The peers import their helpers (_common.py) from their own folder.
    # shellcheck disable=SC2086
    line="$(cd "$PEERS_BENCH" && BENCH_RUN=$run BENCH_BUSY_BEFORE=$busy timeout "$SCRIPT_TIMEOUT" $cmd | tail -n 1)"
    rc=$?
    if [ "${line:0:1}" = "{" ]; then
      echo "$line" >> "$OUT"
    fi
    if [ $rc -ne 0 ] || [ "${line:0:1}" != "{" ]; then
      echo "FAILED (rc=$rc)" >&2
      continue
    fi
    echo "$(( $(date +%s) - t0 )) s" >&2
  done
done

cp "$OUT" "$RESULTS/latest.jsonl"
echo >&2
python3 "$HERE/compare.py" "$OUT"
