#!/bin/sh
# bench/spans.sh — issue 17's benchmark: a recorded server (bench/spans_day.py:
# 2000 connections, one `netstat -ntu` per second, churn, a SYN flood of 5000
# in the middle) imported into spans, side by side with another build (e.g.
# one of schema 3): import time and rate, peak RSS, database bytes per
# socket-snapshot, each report's time, and whether every report prints the
# same. No root.
# Usage: sh bench/spans.sh BUILD_DIR [BASE_BUILD_DIR]
# Env: BENCH_SPANS_SECONDS (3600: dumps, one per second), BENCH_SPANS_SOCKETS (2000)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${BENCH_SPANS_SECONDS:-3600}
NSOCK=${BENCH_SPANS_SOCKETS:-2000}
for v in "$SECS" "$NSOCK"; do
	case $v in "" | *[!0-9]*) echo "bench-spans: BENCH_SPANS_* must be numbers" >&2; exit 1 ;; esac
done
abs() { case $1 in /*) echo "$1" ;; *) echo "$ROOT/$1" ;; esac; }
BUILDS=$(abs "${1:-build}")
[ $# -ge 2 ] && BUILDS="$BUILDS $(abs "$2")"
command -v python3 > /dev/null 2>&1 || { echo "SKIP: bench-spans: needs python3"; exit 0; }
[ -x /usr/bin/time ] || { echo "SKIP: bench-spans: needs /usr/bin/time (GNU time)"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-spans.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
LOG=$T/day.log
python3 "$ROOT/bench/spans_day.py" "$SECS" "$NSOCK" > "$LOG"
ROWS=$(grep -c '^tcp' "$LOG")
echo "== recording: $SECS dumps of netstat -ntu, $ROWS socket-snapshots, $(wc -c < "$LOG") bytes"
now() { date +%s.%N; }
i=0
for b in $BUILDS; do
	i=$((i + 1))
	db=$T/db$i.db
	/usr/bin/time -f '%e %M' -o "$T/time$i" "$b/sockscope" import -q --no-progress -d "$db" "$LOG"
	read -r secs kb < "$T/time$i"
	size=$(($(wc -c < "$db") + $(cat "$db-wal" 2>/dev/null | wc -c)))
	printf '%s\n  import %s s (%s socket-snapshots/s), peak RSS %s MiB, database %s bytes (%s bytes per socket-snapshot)\n' \
		"$b" "$secs" "$(awk -v r="$ROWS" -v s="$secs" 'BEGIN { printf "%.2fM", r / s / 1e6 }')" \
		"$((kb / 1024))" "$size" "$(awk -v z="$size" -v r="$ROWS" 'BEGIN { printf "%.2f", z / r }')"
	for r in "summary" "top --by ip" "top --by subnet" "timeline" "spikes" "ports" "programs" "blocklist"; do
		s=$(now)
		# shellcheck disable=SC2086  # r is words
		"$b/sockscope" $r -d "$db" > "$T/out$i" 2>&1 || true
		e=$(now)
		same=""
		if [ $i -gt 1 ]; then
			# shellcheck disable=SC2086
			"$(echo "$BUILDS" | cut -d' ' -f1)/sockscope" $r -d "$T/db1.db" > "$T/out1" 2>&1 || true
			cmp -s "$T/out1" "$T/out$i" && same=" (same output as the first build)" || same=" (OUTPUT DIFFERS from the first build)"
		fi
		printf '  %-16s %6.2f s%s\n' "$r" "$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')" "$same"
	done
done
