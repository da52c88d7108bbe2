# report_threads — the database's readers split the snapshots into shares,
# one per thread, and a span that crosses from one share into the next is
# read once, by the share it starts in, and carried on (issue 17): every
# report prints byte for byte the same with 1, 2 and 3 readers, over two
# hosts (two chains, overlapping in time), whole and within a time window
# that starts and ends inside spans.
# Usage: sh tests/integration/report_threads.sh BUILD_DIR
# run.sh: once (1.7M socket-snapshots generated and imported: the same C
# paths as under ASan/UBSan, which is the run that matters)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3)"

# host a: 500 s of bench/spans_day.py (2000 connections, a flood in the
# middle); host b: its last 200 dumps again, so the chains overlap in time.
# Readers split by rows: at least 200,000 socket-snapshots are needed for
# more than one.
python3 "$ROOT/bench/spans_day.py" 500 2000 > "$dir/a.log" || fail "spans_day.py failed"
awk '/^[A-Z][a-z][a-z] [A-Z][a-z][a-z] / { n++ } n > 300' "$dir/a.log" > "$dir/b.log"
[ -s "$dir/b.log" ] || fail "no dumps for host b (date lines not found)"
"$S" import -q --no-progress --host a -d "$dir/db" "$dir/a.log" > /dev/null ||
	fail "import of host a failed"
"$S" import -q --no-progress --host b -d "$dir/db" "$dir/b.log" > /dev/null ||
	fail "import of host b failed"
# host c: segments with listeners and programs (ports, programs), from daygen
"$BUILD/tests/tools/daygen" --out "$dir/seg" --hours 0.05 --sockets 1000 --flood 10000 --no-render \
	> /dev/null || fail "daygen failed"
"$S" import -q --no-progress --host c -d "$dir/db" "$dir/seg" > /dev/null ||
	fail "import of host c failed"
rows=$(sqlite3 "$dir/db" 'SELECT sum(n) FROM snapshot_states' 2> /dev/null) ||
	skip "needs the sqlite3 shell (apt-get install sqlite3)"
chains=$(sqlite3 "$dir/db" 'SELECT count(DISTINCT chain) FROM snapshots')
[ "$rows" -ge 400000 ] || fail "only $rows socket-snapshots: too few for 3 readers"
[ "$chains" -ge 2 ] || fail "$chains chain(s), want 2 or more"
# a window that starts and ends inside the flood's and the clients' spans
t0=$(sqlite3 "$dir/db" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(time) / 1000000 + 137, 'unixepoch') FROM snapshots")
t1=$(sqlite3 "$dir/db" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(time) / 1000000 + 401, 'unixepoch') FROM snapshots")
n=0
for win in "" "--since $t0 --until $t1"; do
	for r in summary "top --by ip" "top --by subnet" "top --by state" timeline "timeline --port 80" \
		spikes blocklist ports programs "programs --host c" "ports --host c"; do
		# shellcheck disable=SC2086  # r and win are words
		SOCKSCOPE_TEST_THREADS=1 "$S" $r $win -d "$dir/db" > "$dir/one" 2>&1 ||
			fail "$r $win with 1 reader failed: $(head -3 "$dir/one")"
		for t in 2 3; do
			# shellcheck disable=SC2086
			SOCKSCOPE_TEST_THREADS=$t "$S" $r $win -d "$dir/db" > "$dir/many" 2>&1 ||
				fail "$r $win with $t readers failed: $(head -3 "$dir/many")"
			cmp -s "$dir/one" "$dir/many" ||
				fail "$r $win: $t readers print otherwise than 1: $(diff "$dir/one" "$dir/many" | head -6)"
		done
		[ -s "$dir/one" ] || fail "$r $win printed nothing"
		n=$((n + 1))
	done
done
pass "$n reports ($rows socket-snapshots, $chains chains, whole and $t0 .. $t1) print the same with 1, 2 and 3 readers"
