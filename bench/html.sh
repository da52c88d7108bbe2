#!/bin/sh
# bench/html.sh — issue 18's goals for `sockscope report -o FILE.html`:
# writing the page takes no longer than summary, timeline, top and
# blocklist run one after the other (one hyperfine run, side by side), and
# its size: a day's cron log (tests/tools/cron_day.py) < 2 MB, and the
# page of BENCH_HTML_SECONDS of bench/spans_day.py (a server at one dump a
# second, a SYN flood in the middle).
# Usage: sh bench/html.sh BUILD_DIR   (no root; hyperfine and python3, else SKIP, exit 0)
# Env: BENCH_HTML_RUNS (hyperfine --runs, default 3), BENCH_HTML_SECONDS
# (3600), BENCH_HTML_SOCKETS (500: connections at a time).
# Prints a results table and appends it to bench/out/results.md.
set -eu

# shellcheck disable=SC2034  # SST_TEST: read by lib.sh
SST_TEST=bench-html
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

RUNS=${BENCH_HTML_RUNS:-3}
SECS=${BENCH_HTML_SECONDS:-3600}
NSOCK=${BENCH_HTML_SOCKETS:-500}
HF_WARMUP=1
OUT=$ROOT/bench/out

cd "$ROOT"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SS=$BUILD/sockscope
[ -x "$SS" ] || { echo "bench-html: missing $SS (run make)" >&2; exit 1; }
for t in hyperfine python3; do
	command -v "$t" >/dev/null 2>&1 || bench_skip "needs $t (apt-get install hyperfine python3)"
done
for v in "$RUNS" "$SECS" "$NSOCK"; do
	case $v in "" | *[!0-9]*) fail "BENCH_HTML_* must be positive integers, not '$v'" ;; esac
done
bench_tmpdir

echo "== the inputs: a day at one dump a minute; $SECS s at one a second, $NSOCK connections"
python3 "$ROOT/tests/tools/cron_day.py" > "$T/day.log"
"$SS" import -q -d "$T/day.db" "$T/day.log" 2>/dev/null
python3 "$ROOT/bench/spans_day.py" "$SECS" "$NSOCK" > "$T/run.log"
"$SS" import -q -d "$T/run.db" "$T/run.log" 2>/dev/null
rows=$("$SS" query -d "$T/run.db" "SELECT sum(sockets) FROM sources")
rm -f "$T/run.log"

"$SS" report -d "$T/day.db" -o "$T/day.html"
DAY=$(wc -c < "$T/day.html")
"$SS" report -d "$T/run.db" -o "$T/run.html"
RUN=$(wc -c < "$T/run.html")

FOUR="$SS summary -d $T/run.db > /dev/null && $SS timeline -d $T/run.db > /dev/null && $SS top -d $T/run.db > /dev/null && $SS blocklist -d $T/run.db > /dev/null 2>&1"
hf html_vs_reports \
	-n "report -o FILE.html" "$SS report -d $T/run.db -o $T/out.html" \
	-n "summary; timeline; top; blocklist" "$FOUR"
ratio=$(awk -v a="$HF_M1" -v b="$HF_M2" 'BEGIN { printf "%.2f", a / b }')
met=$(awk -v a="$HF_M1" -v b="$HF_M2" 'BEGIN { print (a <= b ? "met" : "not met") }')
row "report -o FILE.html vs summary, timeline, top, blocklist in a row, $(mega "$rows") rows ($SECS snapshots) (ms)" \
	"$(ms_pm "$HF_M1" "$HF_S1")" "$(ms_pm "$HF_M2" "$HF_S2")" "${ratio}x" "<= 1.00x" "$met"
row "page of a day (cron_day.py: 1320 snapshots, a 2 h gap) (bytes)" "$DAY" "-" "-" "< 2000000" \
	"$([ "$DAY" -lt 2000000 ] && echo met || echo 'not met')"
row "page of $SECS s of spans_day.py (bytes)" "$RUN" "-" "-" "(info)" "-"

{
	printf '| what | sockscope | peer | ratio | goal | |\n|---|---|---|---|---|---|\n'
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
	printf '\nLoad while measuring: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$T/table.md"
cat "$T/table.md"
results_section html "sockscope report (issue 18)" "$T/table.md"
