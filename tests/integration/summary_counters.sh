# summary_counters — summary's counter rises, computed chain by chain from
# counter_changes (analyzer/report/counterrise.c), equal the old query over
# the `counters` view run by the sqlite3 shell, the reference: over one
# host's segments, with a second recording of the same host and boot
# imported again as its own chains (they overlap in time: the view's way is
# taken), and within a time window that cuts chains.
# Usage: sh tests/integration/summary_counters.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
command -v sqlite3 > /dev/null 2>&1 || skip "needs the sqlite3 shell (apt-get install sqlite3)"

NAMES="TcpExt.SyncookiesSent TcpExt.SyncookiesRecv TcpExt.SyncookiesFailed TcpExt.ListenOverflows
TcpExt.ListenDrops TcpExt.TCPReqQFullDrop TcpExt.TCPReqQFullDoCookies Tcp.PassiveOpens
Tcp.ActiveOpens Tcp.AttemptFails Tcp.EstabResets Tcp.RetransSegs"

# the reference: summary's old query, each counter that rose, in the list's order
reference() {   # DB WHERE
	for n in $NAMES; do
		sqlite3 -separator , "$1" "SELECT 'counters', name, '+' || sum(max(d, 0)) || ' over ' || count(*) || ' samples'
			FROM (SELECT c.name, c.value - lag(c.value, 1, c.value) OVER (PARTITION BY s.host,
			coalesce(s.boot_id, ''), c.name ORDER BY s.time, s.id) AS d
			FROM counters c JOIN snapshots s ON s.id = c.snapshot_id WHERE c.name = '$n' $2)
			GROUP BY name HAVING sum(max(d, 0)) > 0" || fail "sqlite3 failed"
	done
}

check() {   # DB what WHERE SUMMARY_ARGS...
	db=$1 what=$2 where=$3
	shift 3
	reference "$db" "$where" > "$dir/want"
	"$S" summary -o csv "$@" -d "$db" > "$dir/all" || fail "summary $* failed"
	grep '^counters,' "$dir/all" | grep -v '^counters,none,' > "$dir/got"
	[ -s "$dir/want" ] || fail "$what: no counter rose in the reference (the test needs some)"
	cmp -s "$dir/want" "$dir/got" ||
		fail "$what: summary's counters differ from the view's: $(diff "$dir/want" "$dir/got" | head -6)"
}

"$BUILD/tests/tools/daygen" --out "$dir/a" --hours 0.05 --sockets 300 --flood 3000 --no-render \
	> /dev/null || fail "daygen failed"
"$BUILD/tests/tools/daygen" --out "$dir/b" --hours 0.05 --sockets 300 --flood 3000 --seed 7 \
	--no-render > /dev/null || fail "daygen failed"
"$S" import -q --no-progress -d "$dir/one.db" "$dir/a" > /dev/null || fail "import failed"
# whole seconds, as --since and --until take them (--until: to its end)
t0=$(sqlite3 "$dir/one.db" "SELECT (min(time) / 1000000 + 37) * 1000000 FROM snapshots")
t1=$(sqlite3 "$dir/one.db" "SELECT (min(time) / 1000000 + 121) * 1000000 FROM snapshots")
iso() { sqlite3 "$dir/one.db" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', $1 / 1000000, 'unixepoch')"; }
check "$dir/one.db" "one recording" ""
check "$dir/one.db" "a window" "AND s.time >= $t0 AND s.time < $t1 + 1000000" --since "$(iso "$t0")" --until "$(iso "$t1")"
# the same host and boot again from another recording: chains overlapping in time
cp "$dir/one.db" "$dir/two.db"
"$S" import -q --no-progress -d "$dir/two.db" "$dir/b" > /dev/null || fail "import of b failed"
check "$dir/two.db" "two recordings of one host" ""
pass "counter rises equal the view's over one recording, a window, and overlapping recordings"
