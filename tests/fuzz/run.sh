#!/bin/sh
# run.sh — runs libFuzzer targets for a bounded time on a scratch copy of
# their seed corpus; one result line per target, non-zero exit on a crash.
#
#   sh tests/fuzz/run.sh SECONDS build-fuzz/fuzz_addr build-fuzz/fuzz_utctime
#
# The corpus of fuzz_NAME is tests/fuzz/corpus/NAME/; it is copied so that
# new inputs never land in the committed corpus. Crash, timeout and OOM
# inputs are kept in FUZZ_ARTIFACTS (default: crashes/ next to the binary)
# and their paths printed; everything else is removed on exit.

usage() {
	echo "usage: sh tests/fuzz/run.sh SECONDS FUZZ_BINARY..." >&2
	exit 2
}

[ $# -ge 2 ] || usage
secs=$1
shift
case $secs in
'' | *[!0-9]*) usage ;;
esac
[ "$secs" -gt 0 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# A hard stop well past -max_total_time, for a target that hangs in one
# input longer than libFuzzer's own -timeout can notice.
limit=$((secs + 60))
if command -v timeout >/dev/null 2>&1; then
	stopper="timeout -s KILL $limit"
else
	stopper=
fi

# one I BIN: runs one target; prints its result line(s), exit 1 on failure.
one() {
	i=$1 bin=$2
	prog=$(basename "$bin")
	name=${prog#fuzz_}
	seeds=$here/corpus/$name
	if [ ! -x "$bin" ]; then
		echo "$prog: FAIL binary $bin not found or not executable"
		return 1
	fi
	if [ ! -d "$seeds" ]; then
		echo "$prog: FAIL no seed corpus $seeds"
		return 1
	fi
	work=$tmp/$i-$name
	log=$tmp/$i-$name.log
	arts=${FUZZ_ARTIFACTS:-$(cd "$(dirname "$bin")" && pwd)/crashes}/$prog
	mkdir -p "$work" "$arts" || return 1
	cp "$seeds"/* "$work"/ 2>/dev/null
	nseed=$(find "$work" -type f | wc -l | tr -d ' ')

	# shellcheck disable=SC2086 # $stopper is a command prefix or empty
	$stopper "$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$arts/" "$work" >"$log" 2>&1
	rc=$?

	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs='?'
	found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tr '\n' ' ' | sed 's/ $//')
	ncorp=$(find "$work" -type f | wc -l | tr -d ' ')

	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		echo "$prog: ok ($runs runs in ${secs}s, corpus $nseed -> $ncorp)"
		# (its parent only once every target is done: removed here, it
		# raced another target's mkdir -p of its own folder in it)
		rmdir "$arts" 2>/dev/null
		return 0
	fi
	if [ -n "$found" ]; then
		echo "$prog: CRASH exit $rc, input saved: $found"
	elif [ "$rc" -eq 137 ]; then
		echo "$prog: FAIL killed after ${limit}s (hang)"
	else
		echo "$prog: FAIL exit $rc"
	fi
	# The log lives in the scratch dir: show its tail before it goes.
	grep -E 'ERROR|runtime error|SUMMARY|#[0-9]+ 0x[0-9a-f]+ in .*\.c:[0-9]' "$log" |
		head -n 20 | sed 's/^/    /'
	return 1
}

# Internal: one target of the pool (SECS OUT I BIN): its lines to OUT/I.out,
# a failure marked by OUT/I.failed (OUT: the calling run's scratch dir).
if [ "${FUZZ_ONE:-}" = 1 ]; then
	one "$2" "$3" > "$1/$2.out" 2>&1 || : > "$1/$2.failed"
	exit 0
fi

# FUZZ_JOBS targets at a time (default: the CPU count, at most 4); their
# lines are printed in the targets' order once all are done.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) jobs=1 ;; esac
[ "$jobs" -le 4 ] || jobs=4
i=0
for bin in "$@"; do
	i=$((i + 1))
	echo "$i $bin"
done | FUZZ_ONE=1 xargs -P "$jobs" -L 1 sh "$0" "$secs" "$tmp"
failed=0
i=0
for bin in "$@"; do
	i=$((i + 1))
	cat "$tmp/$i.out" 2>/dev/null || echo "$(basename "$bin"): FAIL no result"
	[ -e "$tmp/$i.failed" ] && failed=1
	[ -e "$tmp/$i.out" ] || failed=1
	# the artifacts' folder, when no target left anything in it
	rmdir "${FUZZ_ARTIFACTS:-$(cd "$(dirname "$bin")" && pwd)/crashes}" 2>/dev/null
done
exit $failed
