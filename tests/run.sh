#!/bin/sh
# Test runner: cmocka unit tests and netns integration scripts, for one or
# more build directories. Ends with "N passed, N failed, N skipped".
#   sh tests/run.sh [--unit-only|--integration-only] BUILD_DIR...
# Integration scripts get BUILD_DIR as $1 and exit 0 pass, 77 skip, else fail.
# A script with the header line "# run.sh: once" runs only against the last
# BUILD_DIR (make test: the ASan/UBSan build). Integration scripts run
# TEST_JOBS at a time (default: the CPU count, at most 4); one whose header
# says "# run.sh: alone" (it times things) runs after them with nothing
# beside it. See tests/integration/README.md.
set -u
mode=all
case "${1:-}" in
--unit-only) mode=unit; shift ;;
--integration-only) mode=integration; shift ;;
--one)
	# internal: one integration script of the pool (BUILD SCRIPT RESULT_DIR)
	b=$2 t=$3 res=$4/$(echo "$3" | tr / _)
	start=$(date +%s)
	timeout 600 sh "$t" "$b" >"$res.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	echo "$rc $secs" > "$res.rc"
	case $rc in
	0) echo "PASS $b:$t (${secs}s)" ;;
	77) ;;   # reported with its reason, in order, once the pool is done
	*) echo "FAIL $b:$t (exit $rc, ${secs}s; log below, once the pool is done)" ;;
	esac
	exit 0 ;;
esac
[ $# -ge 1 ] || { echo "usage: $0 [--unit-only|--integration-only] BUILD_DIR..." >&2; exit 2; }

passed=0 failed=0 skipped=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TEST_DATA_DIR="${TEST_DATA_DIR:-tests/data}"

run_unit() { # BUILD TESTBIN
	name="$1:${2#$1/}"
	timeout 300 "$2" >"$log" 2>&1
	rc=$?
	# cmocka's stdout and stderr may interleave mid-line: match anywhere.
	p=$(grep -o '\[  PASSED  \] [0-9]* test' "$log" | tail -n 1 | tr -dc 0-9)
	f=$(grep -o '\[  FAILED  \] [0-9]* test' "$log" | tail -n 1 | tr -dc 0-9)
	s=$(grep -o '\[  SKIPPED \] [0-9]* test' "$log" | tail -n 1 | tr -dc 0-9)
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or sanitizer report
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		sed 's/^/    /' "$log"
		failures="$failures $name"
	else
		echo "PASS $name ($p passed${s:+, $s skipped})" | sed 's/, 0 skipped//'
		grep -h '^\[  SKIPPED \] \|SKIP' "$log" | grep -v '^\[  SKIPPED \] [0-9]' | sed 's/^/    /'
	fi
}

# Counts one finished script; prints what the pool has not printed yet
# (always the SKIP reason and a failure's log; the PASS/FAIL line when $4).
tally() { # BUILD SCRIPT RESULT_PREFIX PRINT_LINE
	name="$1:$2"
	read -r rc secs < "$3.rc" || { rc=1 secs=0; }
	case $rc in
	0) passed=$((passed + 1))
	   [ "$4" = no ] || echo "PASS $name (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $name: $(grep -m1 'SKIP' "$3.log" || echo 'skipped')" ;;
	*) failed=$((failed + 1))
	   if [ "$4" = no ]; then echo "FAIL $name (exit $rc, ${secs}s), its log:"
	   else echo "FAIL $name (exit $rc, ${secs}s)"; fi
	   sed 's/^/    /' "$3.log"
	   failures="$failures $name" ;;
	esac
}

run_integration() { # BUILD: the pool, then the "alone" scripts one by one
	res=$(mktemp -d)
	pool="" alone=""
	for t in tests/integration/*.sh; do
		case "$t" in */lib.sh | */chlib.sh) continue ;; esac
		if [ "$1" != "$last_build" ] && grep -q '^# run.sh: once' "$t"; then
			echo "ONCE $1:$t (runs against $last_build only)"
			continue
		fi
		if grep -q '^# run.sh: alone' "$t"; then alone="$alone $t"; else pool="$pool $t"; fi
	done
	# shellcheck disable=SC2086  # the lists are paths without blanks
	[ -z "$pool" ] || printf '%s\n' $pool |
		xargs -P "$jobs" -I '{}' sh "$0" --one "$1" '{}' "$res"
	for t in $pool; do
		tally "$1" "$t" "$res/$(echo "$t" | tr / _)" no
	done
	for t in $alone; do
		sh "$0" --one "$1" "$t" "$res" >/dev/null
		tally "$1" "$t" "$res/$(echo "$t" | tr / _)" yes
	done
	rm -rf "$res"
}

last_build=""
for b in "$@"; do last_build=$b; done
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in '' | *[!0-9]* | 0) jobs=1 ;; esac
[ "$jobs" -le 4 ] || jobs=4

for build in "$@"; do
	if [ "$mode" != integration ]; then
		for t in "$build"/tests/unit/test_*; do
			[ -x "$t" ] || continue
			case "$t" in *.o|*.d) continue ;; esac
			run_unit "$build" "$t"
		done
	fi
	if [ "$mode" != unit ]; then
		run_integration "$build"
	fi
done

[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
