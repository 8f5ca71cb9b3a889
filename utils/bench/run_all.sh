#!/bin/bash
# Run the Ember benchmark suite: server A = EMBER_BINARY, server B = Debian's redis-server.
#
#   utils/bench/run_all.sh EMBER_BINARY [--quick|--full] [--rounds N] [--strict]
#
#   --quick   (default) throughput: 3 paired rounds of ~1.5 s runs; memory: strings and strings_ttl
#   --full    throughput: 5 paired rounds of ~3 s runs; memory: every shape
#   --rounds  override the throughput round count
#   --strict  exit 2 when a target is missed (default: report only; exit 1 only on errors)
#
# Environment: REDIS_SERVER (reference binary, default redis-server on PATH), BENCH_OUT (directory for
# the JSON results, default build/bench in the repository), BENCH_TESTS (throughput --tests),
# BENCH_SHAPES (memory --shapes). See utils/bench/README.md for the method and how to read the output.
set -u -o pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 64; }
[ $# -ge 1 ] || usage
EMBER=$1; shift
case "$EMBER" in -h|--help) usage ;; esac

MODE=quick; ROUNDS=""; STRICT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --rounds) ROUNDS=${2:?--rounds needs a value}; shift ;;
    --strict) STRICT=--strict ;;
    -h|--help) usage ;;
    *) echo "run_all.sh: unknown option $1" >&2; usage ;;
  esac
  shift
done

HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
REDIS=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${BENCH_OUT:-$ROOT/build/bench}

for bin in "$EMBER" "$REDIS"; do
  if [ ! -x "$bin" ]; then echo "run_all.sh: $bin is not an executable" >&2; exit 1; fi
done
for tool in redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "run_all.sh: $tool not found (apt-get install redis-tools)" >&2; exit 1; }
done
mkdir -p "$OUT"
rm -f "$OUT/throughput.json" "$OUT/memory.json"

COMMON=(--ember "$EMBER" --redis "$REDIS")
[ -n "$STRICT" ] && COMMON+=("$STRICT")
TP=("${COMMON[@]}" --json-out "$OUT/throughput.json")
MEM=("${COMMON[@]}" --json-out "$OUT/memory.json")
if [ "$MODE" = quick ]; then
  TP+=(--quick); MEM+=(--shapes "${BENCH_SHAPES:-strings,strings_ttl}")
else
  MEM+=(--shapes "${BENCH_SHAPES:-all}")
fi
[ -n "$ROUNDS" ] && TP+=(--rounds "$ROUNDS")
[ -n "${BENCH_TESTS:-}" ] && TP+=(--tests "$BENCH_TESTS")

echo "ember bench ($MODE): A=$EMBER  B=$REDIS  results in $OUT/"
START=$(date +%s)
STATUS=0
# Each script is bounded by its own per-run limits; `timeout` is a last-resort bound on the whole step.
timeout -k 10 1200 "$PY" "$HERE/throughput.py" "${TP[@]}"; rc=$?; [ $rc -gt $STATUS ] && STATUS=$rc
timeout -k 10 1200 "$PY" "$HERE/memory.py" "${MEM[@]}";    rc=$?; [ $rc -gt $STATUS ] && STATUS=$rc

echo
echo "== summary ($(( $(date +%s) - START ))s) =="
"$PY" - "$OUT/throughput.json" "$OUT/memory.json" <<'PYEOF'
import json, sys
for path in sys.argv[1:]:
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        print(f"{path}: no result"); continue
    if doc["bench"] == "throughput":
        for c in doc["cells"]:
            r = c["median_ratio"]
            print(f"throughput {c['test'].upper():>10} -P {c['pipeline']:<2} ratio "
                  f"{'-' if r is None else f'{r:.3f}'}  {c['verdict']}")
    else:
        for s in doc["shapes"]:
            u, m = s["used_per_key"], s["rss_per_key"]
            print(f"memory     {s['shape']:>12} used ratio {u['median_ratio']:.3f} {u['verdict']:>4}"
                  f"  rss ratio {m['median_ratio']:.3f} {m['verdict']:>4}")
PYEOF
case $STATUS in
  0) echo "bench: done" ;;
  2) echo "bench: done, some targets missed (--strict)" ;;
  *) echo "bench: FAILED (status $STATUS)" ;;
esac
exit $STATUS
