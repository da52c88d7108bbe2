#!/bin/sh
# Test runner: cmocka unit tests and netns integration scripts, for one or
# more build directories. Ends with "N passed, N failed, N skipped".
#   sh tests/run.sh [--unit-only|--integration-only] BUILD_DIR...
# Integration scripts get BUILD_DIR as $1 and exit 0 pass, 77 skip, else fail.
# A script with the header line "# run.sh: once" runs only against the last
# BUILD_DIR (make test: the ASan/UBSan build); see tests/integration/README.md.
set -u
mode=all
case "${1:-}" in
--unit-only) mode=unit; shift ;;
--integration-only) mode=integration; shift ;;
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

run_integration() { # BUILD SCRIPT
	name="$1:${2}"
	start=$(date +%s)
	timeout 600 sh "$2" "$1" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $name (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $name: $(grep -m1 'SKIP' "$log" || echo 'skipped')" ;;
	*) failed=$((failed + 1)); echo "FAIL $name (exit $rc, ${secs}s)"; sed 's/^/    /' "$log"
	   failures="$failures $name" ;;
	esac
}

last_build=""
for b in "$@"; do last_build=$b; done

for build in "$@"; do
	if [ "$mode" != integration ]; then
		for t in "$build"/tests/unit/test_*; do
			[ -x "$t" ] || continue
			case "$t" in *.o|*.d) continue ;; esac
			run_unit "$build" "$t"
		done
	fi
	if [ "$mode" != unit ]; then
		for t in tests/integration/*.sh; do
			case "$t" in */lib.sh) continue ;; esac
			if [ "$build" != "$last_build" ] && grep -q '^# run.sh: once' "$t"; then
				echo "ONCE $build:$t (runs against $last_build only)"
				continue
			fi
			run_integration "$build" "$t"
		done
	fi
done

[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
