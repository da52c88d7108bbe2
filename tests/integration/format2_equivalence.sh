#!/bin/sh
# format2_equivalence — the recorder writes format 2 and, through the
# SOCKSCOPE_TEST_TWIN_V1 switch of the test build of the recorder
# (tests/tools/sockscope-recorder-test), format 1 of the same snapshots side
# by side: every decoded section of every snapshot must be byte-identical
# (sockscope dump --raw of both). Scenarios: this machine's own socket table
# with processes whose names are edge cases (TAB, backslash, '-', spaces,
# UTF-8), derived and verbatim renderings (and, without the twin, renderings
# digested row by row as the recorder reads /proc: they must rebuild to
# their SHA-256 on read); then, in network namespaces, a
# spoofed SYN flood whose SYN_RECV sockets appear, age and expire while
# recording (a churning population with moving timers and queues).
# Usage: sh tests/integration/format2_equivalence.sh BUILD_DIR
# run.sh: once (a recording compared byte for byte: the encoder runs under ASan/UBSan)
. "$(dirname "$0")/lib.sh"
tools_dir "$1"
TWIN_RECORDER=$BUILD/tests/tools/sockscope-recorder-test
[ -x "$TWIN_RECORDER" ] || fail "missing $TWIN_RECORDER (run make first)"
sst_tmpdir
T=$SST_TMP

# same SEGMENT TWIN WHAT: both decode to the same bytes, with deltas in it
same() {
	"$SOCKSCOPE" dump --raw "$1" > "$T/v2.dump" 2> "$T/v2.err" || fail "$3: dump v2: $(cat "$T/v2.err")"
	"$SOCKSCOPE" dump --raw "$2" > "$T/v1.dump" 2> "$T/v1.err" || fail "$3: dump v1: $(cat "$T/v1.err")"
	n=$(grep -c '^# snapshot seq ' "$T/v1.dump")
	[ "$n" -ge 10 ] || fail "$3: only $n snapshots"
	cmp -s "$T/v1.dump" "$T/v2.dump" || fail "$3: format 2 decodes differently: $(diff "$T/v1.dump" "$T/v2.dump" | head -5)"
	"$SOCKSCOPE" verify "$1" > "$T/verify" 2>&1 || fail "$3: verify: $(cat "$T/verify")"
	grep -q 'format 2: [1-9][0-9]* keyframes, [1-9][0-9]* deltas' "$T/verify" ||
		fail "$3: no deltas: $(cat "$T/verify")"
	# import reads both into the same rows
	if command -v sqlite3 > /dev/null 2>&1; then
		rm -f "$T/a.db" "$T/b.db"
		"$SOCKSCOPE" import -q --keep-raw -d "$T/a.db" "$1" > /dev/null 2>&1 || fail "$3: import v2"
		"$SOCKSCOPE" import -q --keep-raw -d "$T/b.db" "$2" > /dev/null 2>&1 || fail "$3: import v1"
		for tb in sockets counters processes raw; do
			# sorted: not every table has a rowid (a failing query
			# must fail the test, not compare two empty outputs)
			sqlite3 "$T/a.db" "select * from $tb" > "$T/a.$tb" || fail "$3: query $tb"
			sqlite3 "$T/b.db" "select * from $tb" > "$T/b.$tb" || fail "$3: query $tb"
			sort -o "$T/a.$tb" "$T/a.$tb"
			sort -o "$T/b.$tb" "$T/b.$tb"
			[ -s "$T/a.$tb" ] || [ "$tb" = raw ] || fail "$3: table $tb is empty"
			cmp -s "$T/a.$tb" "$T/b.$tb" || fail "$3: table $tb differs after import"
		done
	fi
	v1=$(wc -c < "$2")
	note "$3: $n snapshots identical ($(wc -c < "$1") bytes in format 2, $v1 uncompressed in format 1)"
}

# programs with edge-case names holding listening sockets (perl's $0 sets
# the command line netstat -p reads)
pids=
if perl -MIO::Socket::INET -e 1 2> /dev/null; then
	for name in "$(printf 'we\tird')" 'back\slash' '-' 'two words' "$(printf '\303\251t\303\251')"; do
		perl -MIO::Socket::INET -e '$0 = $ARGV[0];
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", Listen => 5) or die;
			sleep 60' "$name" &
		pids="$pids $!"
	done
	sleep 1
else
	note "no perl: program-name edge cases not recorded"
fi
# digested SEGMENT N WHAT: N good snapshots whose renderings rebuild to
# their digests, and the rebuilt renderings are there
digested() {
	"$SOCKSCOPE" verify "$1" > "$T/verify" 2>&1 || fail "$3: verify: $(cat "$T/verify")"
	grep -q "good=$2 bad=0" "$T/verify" || fail "$3: $(cat "$T/verify")"
	"$SOCKSCOPE" dump --raw "$1" > "$T/d.dump" 2> "$T/d.err" || fail "$3: dump: $(cat "$T/d.err")"
	[ "$(grep -c '^## netstat -anp$' "$T/d.dump")" -eq "$2" ] || fail "$3: renderings missing"
	note "$3: $2 snapshots, renderings rebuilt to their digests"
}
cleanup_progs() { for p in $pids; do kill "$p" 2> /dev/null; done; }

for store in derived verbatim; do
	rm -f "$T/twin.$store"
	SOCKSCOPE_TEST_TWIN_V1=$T/twin.$store "$TWIN_RECORDER" -q -o "$T/host.$store" -i 0.05 --count 30 \
		--keyframe-every 7 --netstat-store "$store" || { cleanup_progs; fail "recorder ($store)"; }
	same "$T"/host.$store/*.zst "$T/twin.$store" "this host, renderings $store"
done
# without the twin the recorder digests renderings row by row (it keeps no
# rows): every snapshot must verify and dump, renderings rebuilt and checked
"$RECORDER" -q -o "$T/host.digest" -i 0.05 --count 30 --keyframe-every 7 ||
	{ cleanup_progs; fail "recorder (digests)"; }
digested "$T"/host.digest/*.zst 30 "this host, renderings digested row by row"
# the names were recorded (escaped in the table, '.' in the renderings)
if [ -n "$pids" ]; then
	"$SOCKSCOPE" dump --section processes "$T"/host.derived/*.zst | grep -qF 'we\tird' ||
		{ cleanup_progs; fail "the program named we<TAB>ird is not in the processes table"; }
	"$SOCKSCOPE" dump --section 'netstat -anp' "$T"/host.derived/*.zst | grep -qF '/we.ird' ||
		{ cleanup_progs; fail "the program named we<TAB>ird is not in the renderings"; }
fi
cleanup_progs

if ! (need_root_netns) > /dev/null 2>&1; then
	pass "this host: format 2 equals format 1 (netns flood skipped: not root)"
fi
need_root_netns
netns_reap_stale
victim_and_attacker
# short-lived SYN_RECV (2 SYN-ACK retries, ~7 s): they appear and expire
# while recording
ns_sysctl victim net.ipv4.tcp_syncookies=0 net.core.somaxconn=16384 \
	net.ipv4.tcp_max_syn_backlog=32768 net.ipv4.tcp_synack_retries=2
start_connhold victim "$T/v.ready" --hold 60 --listen 192.0.2.2:80 --backlog 16384
rm -f "$T/twin.flood"
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/24 --src 203.0.113.0/24 \
	--count 12000 --duration 12 --rate 1000 > /dev/null 2>&1 &
flood=$!
SOCKSCOPE_TEST_TWIN_V1=$T/twin.flood in_ns victim "$TWIN_RECORDER" -q -o "$T/flood" -i 0.25 --count 48 \
	--keyframe-every 10 || fail "recorder in the flood"
wait $flood
same "$T"/flood/*.zst "$T/twin.flood" "SYN flood"
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.18.0.0/15 \
	--count 6000 --duration 6 --rate 1000 > /dev/null 2>&1 &
flood=$!
in_ns victim "$RECORDER" -q -o "$T/flood.digest" -i 0.25 --count 20 --keyframe-every 10 ||
	fail "recorder in the flood (digests)"
wait $flood
digested "$T"/flood.digest/*.zst 20 "SYN flood, renderings digested row by row"
max=$("$SOCKSCOPE" dump --section sockets "$T"/flood/*.zst | awk -F'\t' '$3 == "SYN_RECV"' | wc -l)
[ "$max" -ge 1000 ] || fail "the flood did not land ($max SYN_RECV rows)"
pass "format 2 decodes to format 1's bytes: this host (derived, verbatim), SYN flood ($max SYN_RECV rows)"
