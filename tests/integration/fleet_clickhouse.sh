#!/bin/sh
# fleet_clickhouse — ship and fleet against a real 2-shard ClickHouse cluster
# (two local servers, Distributed tables): row counts equal SQLite's, exact
# fleet answers on a synthetic 12-host fleet, shipping twice adds nothing
# (raw counts), kill -9 of a server mid-ship loses and doubles nothing,
# wrong password / URL / credentials file exit 2, and on a one-host fleet
# `fleet spikes` and `fleet blocklist` decide as `spikes` and `blocklist`.
# run.sh: once (the ClickHouse servers' time dominates; ship and fleet run under ASan/UBSan)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chlib.sh"
tools_dir "$1"
ch_need
ch_cluster_start
S=$SOCKSCOPE
export SOCKSCOPE_CH_USER=$CH_USER SOCKSCOPE_CH_PASSWORD=$CH_PASS

for db in fleet fleet2 inc; do
	for u in "$CH_URL1" "$CH_URL2"; do
		$S ship --url "$u" --database $db --create --cluster fleet >/dev/null 2>&1 ||
			fail "ship --create on $u"
		chq "$u" "EXISTS TABLE $db.spans" | grep -q 1 || fail "--create did not make $db.spans on $u"
	done
done

# --- a synthetic fleet: 12 hosts, 30 snapshots a minute apart; host01..03
# flooded from 198.51.100.0/24 (40 peers) and 203.0.113.0/24 (10) at minutes
# 10, 12, 14 for 5 snapshots; host04 a spoofed spread over 60 /24s of
# 198.18.0.0/15 at minute 16
T0=1795636800
gen() { # HOSTNO
	h=$1 k=0
	while [ $k -lt 30 ]; do
		date -u -d "@$((T0 + k * 60))" '+%a %b %e %H:%M:%S UTC %Y'
		echo "Active Internet connections (w/o servers)"
		echo "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
		j=1
		while [ $j -le 5 ]; do
			echo "tcp        0      0 192.0.2.$((100 + h)):443          192.0.2.$((10 + j)):4000$j        ESTABLISHED"
			j=$((j + 1))
		done
		on=$(( (h - 1) * 2 + 10 ))
		if [ $h -le 3 ] && [ $k -ge $on ] && [ $k -lt $((on + 5)) ]; then
			j=1
			while [ $j -le 40 ]; do
				echo "tcp        0      0 192.0.2.$((100 + h)):443          198.51.100.$j:5$((1000 + j))        SYN_RECV"
				j=$((j + 1))
			done
			j=1
			while [ $j -le 10 ]; do
				echo "tcp        0      0 192.0.2.$((100 + h)):443          203.0.113.$j:6$((1000 + j))        SYN_RECV"
				j=$((j + 1))
			done
		fi
		if [ $h -eq 4 ] && [ $k -ge 16 ] && [ $k -lt 21 ]; then
			j=0
			while [ $j -lt 60 ]; do
				echo "tcp        0      0 192.0.2.$((100 + h)):443          198.18.$j.7:3$((1000 + j))        SYN_RECV"
				j=$((j + 1))
			done
		fi
		k=$((k + 1))
	done
}
h=1
while [ $h -le 12 ]; do
	name=$(printf 'host%02d' $h)
	gen $h > "$SST_TMP/$name.log"
	$S import -q -d "$SST_TMP/fleet.db" --host $name "$SST_TMP/$name.log" >/dev/null 2>&1 ||
		fail "import $name"
	h=$((h + 1))
done

# --- errors first (nothing shipped by them)
out=$(SOCKSCOPE_CH_PASSWORD=wrong $S ship --url "$CH_URL1" --database fleet -d "$SST_TMP/fleet.db" \
	--state "$SST_TMP/x.state" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "authentication failed" || fail "wrong password: rc $rc: $out"
echo "$out" | grep -q wrong && fail "the password was printed: $out"
out=$($S ship --url "http://127.0.0.1:99999" --database fleet -d "$SST_TMP/fleet.db" \
	--state "$SST_TMP/x.state" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "bad URL" || fail "wrong URL: rc $rc: $out"
printf 'user=%s\npassword=%s\n' "$CH_USER" "$CH_PASS" > "$SST_TMP/cred"
chmod 644 "$SST_TMP/cred"
out=$(env -u SOCKSCOPE_CH_PASSWORD $S ship --url "$CH_URL1" --credentials "$SST_TMP/cred" \
	--database fleet -d "$SST_TMP/fleet.db" --state "$SST_TMP/x.state" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "readable by group or others" || fail "credentials mode: rc $rc: $out"
chmod 600 "$SST_TMP/cred"

# --- ship (credentials from the file), counts against SQLite
env -u SOCKSCOPE_CH_USER -u SOCKSCOPE_CH_PASSWORD $S ship --url "$CH_URL1" --credentials "$SST_TMP/cred" \
	--database fleet -d "$SST_TMP/fleet.db" --state "$SST_TMP/fleet.state" --insert-gap 10ms \
	>/dev/null 2>"$SST_TMP/ship.err" || fail "ship fleet.db: $(cat "$SST_TMP/ship.err")"
counts() { # DATABASE
	for t in snapshots snapshot_states counters processes sources; do
		printf '%s ' "$(chq "$CH_URL1" "SELECT count() FROM $1.$t")"
	done
	chq "$CH_URL1" "SELECT sum((k_last - k_first + 1) * copies) FROM $1.spans"
}
sq() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$@"; }
want=""
for t in snapshots snapshot_states counters processes sources; do
	want="$want$(sq "$SST_TMP/fleet.db" "SELECT count(*) FROM $t") "
done
want="$want$(sq "$SST_TMP/fleet.db" "SELECT count(*) FROM sockets")"
got=$(counts fleet)
[ "$got" = "$want" ] || fail "counts: ClickHouse '$got', SQLite '$want'"
for u in "$CH_URL1" "$CH_URL2"; do
	[ "$(chq "$u" "SELECT count() FROM fleet.snapshots_local")" -gt 0 ] || fail "shard $u holds nothing"
done

# --- twice: with the state file, and without it (the server is asked)
$S ship --url "$CH_URL1" --database fleet -d "$SST_TMP/fleet.db" --state "$SST_TMP/fleet.state" \
	>/dev/null 2>&1 || fail "second ship"
rm -f "$SST_TMP/fleet.state"
$S ship --url "$CH_URL1" --database fleet -d "$SST_TMP/fleet.db" --state "$SST_TMP/fleet.state" \
	--insert-gap 10ms >/dev/null 2>&1 || fail "ship without state"
raw=$(chq "$CH_URL1" "SELECT count() FROM fleet.spans")
[ "$(counts fleet)" = "$want" ] || fail "shipping again added rows: $(counts fleet)"
# small hosts share batches (12 hosts x 30 snapshots: one batch); one
# series_ranges row per host and series: SYN_RECV, no counters in netstat
[ "$(chq "$CH_URL1" "SELECT uniqExact(batch), uniqExact(host) FROM fleet.snapshots")" = "1	12" ] ||
	fail "batches: $(chq "$CH_URL1" "SELECT batch, uniqExact(host) FROM fleet.snapshots GROUP BY batch")"
[ "$(chq "$CH_URL1" "SELECT count(), uniqExact(host), sum(points) FROM fleet.series_ranges WHERE series = 'SYN_RECV'")" = "12	12	360" ] ||
	fail "series_ranges: $(chq "$CH_URL1" "SELECT series, count() FROM fleet.series_ranges GROUP BY series")"

# --- the fleet's answers
U="--url $CH_URL1 --database fleet"
top=$($S fleet top $U --state SYN_RECV -n 3 -o csv) || fail "fleet top"
exp="name,hosts,sockets,peers,first,last
198.51.100.0/24,3,600,40,2026-11-25T20:10:00Z,2026-11-25T20:18:00Z
203.0.113.0/24,3,150,10,2026-11-25T20:10:00Z,2026-11-25T20:18:00Z
198.18.0.0/24,1,5,1,2026-11-25T20:16:00Z,2026-11-25T20:20:00Z"
[ "$top" = "$exp" ] || fail "fleet top:
$top
expected
$exp"
n=$($S fleet top $U --state SYN_RECV -n 0 -o csv | grep -c '^198\.18\.')
[ "$n" = 60 ] || fail "spoofed spread: $n /24s of 198.18.0.0/15, expected 60"
sp=$($S fleet spikes $U -o csv | cut -d, -f1-3) || fail "fleet spikes"
exp="host,series,start
host01,SYN_RECV,2026-11-25T20:10:00Z
host02,SYN_RECV,2026-11-25T20:12:00Z
host03,SYN_RECV,2026-11-25T20:14:00Z
host04,SYN_RECV,2026-11-25T20:16:00Z"
[ "$sp" = "$exp" ] || fail "fleet spikes:
$sp
expected
$exp"
tl=$($S fleet timeline $U --bucket 1m --since 2026-11-25T20:16:00Z --until 2026-11-25T20:16:00Z -o csv | tail -1)
[ "$tl" = "2026-11-25T20:16:00Z,*,12,12,18.3,5,13.3,60" ] || fail "fleet timeline: $tl"
bl=$($S fleet blocklist $U -o csv 2>/dev/null | cut -d, -f1-6) || fail "fleet blocklist"
exp="net,hosts,score,pattern,peak,total
198.51.100.0/24,3,59.2,syn-flood,40,600"
[ "$bl" = "$exp" ] || fail "fleet blocklist:
$bl
expected
$exp"

# fleet blocklist as `blocklist`: firewall formats, --explain with each
# host's evidence and near misses, --on-hosts, allow lists (exact output)
bl=$($S fleet blocklist $U --format iptables | tail -n +2) || fail "fleet blocklist --format iptables"
exp='*filter
:SOCKSCOPE-BLOCK - [0:0]
-F SOCKSCOPE-BLOCK
-A SOCKSCOPE-BLOCK -s 198.51.100.0/24 -m comment --comment "sockscope score 59.2" -j DROP
-I INPUT 1 -j SOCKSCOPE-BLOCK
COMMIT'
[ "$bl" = "$exp" ] || fail "fleet blocklist --format iptables:
$bl"
[ "$($S fleet blocklist $U --format plain)" = "198.51.100.0/24" ] || fail "fleet blocklist --format plain"
$S fleet blocklist $U --format nft --ttl 1h | grep -q '^		timeout 3600s$' || fail "fleet blocklist --format nft --ttl"
$S fleet blocklist $U --explain --near 1 -o csv >/dev/null 2>"$SST_TMP/ex.err" || fail "fleet blocklist --explain"
w1="40 hosts (40 alike), 40 sockets at peak 2026-11-25T20"
w2="40 SYN_RECV, 0 ESTABLISHED, 0 closing; present in 5 of 30 snapshots (2026-11-25T20"
n1="not blocked 203.0.113.0/24: 10 sockets at peak, below 20 (--min-conns). 10 hosts (10 alike), 10 sockets at peak 2026-11-25T20"
n2="10 SYN_RECV, 0 ESTABLISHED, 0 closing; present in 5 of 30 snapshots (2026-11-25T20"
exp="evidence: 12 hosts, 360 snapshots from 2026-11-25T20:00:00Z to 2026-11-25T20:29:00Z; each host judged as \`blocklist\` judges one, against its own baseline
block 198.51.100.0/24 on 3 of 12 hosts, highest score 59.2 (syn-flood):
  host01: block 198.51.100.0/24, score 59.2 (syn-flood): $w1:10:00Z: $w2:10:00Z to 2026-11-25T20:14:00Z); 50.00% of all sockets
  host02: block 198.51.100.0/24, score 59.2 (syn-flood): $w1:12:00Z: $w2:12:00Z to 2026-11-25T20:16:00Z); 50.00% of all sockets
  host03: block 198.51.100.0/24, score 59.2 (syn-flood): $w1:14:00Z: $w2:14:00Z to 2026-11-25T20:18:00Z); 50.00% of all sockets
near misses (at most 1 a host, --near):
  host01: $n1:10:00Z: $n2:10:00Z to 2026-11-25T20:14:00Z); 12.50% of all sockets
  host02: $n1:12:00Z: $n2:12:00Z to 2026-11-25T20:16:00Z); 12.50% of all sockets
  host03: $n1:14:00Z: $n2:14:00Z to 2026-11-25T20:18:00Z); 12.50% of all sockets"
[ "$(grep -v 'a SYN flood from a spread' "$SST_TMP/ex.err")" = "$exp" ] || fail "fleet blocklist --explain:
$(cat "$SST_TMP/ex.err")
expected
$exp"
out=$($S fleet blocklist $U --on-hosts 4 --explain -o csv 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -qx "not listed 198.51.100.0/24: blocked on 3 of 12 hosts, fewer than --on-hosts 4:" &&
	! echo "$out" | grep -q '^198' || fail "--on-hosts 4: rc $rc: $out"
out=$($S fleet blocklist $U --allow 198.51.100.128/25 --explain --near 1 -o csv 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^  host02: not blocked 198.51.100.0/24: overlaps --allow 198.51.100.128/25\." ||
	fail "--allow: rc $rc: $out"
printf '# ours\n198.51.100.0/25\n' > "$SST_TMP/allow"
[ "$($S fleet blocklist $U --allow-file "$SST_TMP/allow" -o csv 2>/dev/null)" = "net,hosts,score,pattern,peak,total,first,last" ] ||
	fail "--allow-file: still listed"
printf '198.51.100.0/24\nnot-a-network\n' > "$SST_TMP/allow"
out=$($S fleet blocklist $U --allow-file "$SST_TMP/allow" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "allow:2: expected a network" &&
	echo "$out" | grep -q "1 bad line: fix it, nothing was written" || fail "bad --allow-file: rc $rc: $out"
out=$($S fleet blocklist --url http://127.0.0.1:1 --format pf 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "sockscope fleet blocklist: --format pf: expected plain, iptables, ip6tables, nft, ipset, csv or json" ] ||
	fail "--format pf: rc $rc: $out"

# --- the state file lost and the database grown since (a new host sorts
# among the batches): what the server holds is read back, nothing doubled
cp "$SST_TMP/fleet.db" "$SST_TMP/grown.db"
gen 13 > "$SST_TMP/host13.log"
$S import -q -d "$SST_TMP/grown.db" --host host13 "$SST_TMP/host13.log" >/dev/null 2>&1 || fail "import host13"
$S ship --url "$CH_URL2" --database fleet -d "$SST_TMP/grown.db" --state "$SST_TMP/grown.state" \
	--insert-gap 10ms >/dev/null 2>"$SST_TMP/grown.err" || fail "ship grown.db: $(cat "$SST_TMP/grown.err")"
want13=""
for t in snapshots snapshot_states counters processes sources; do
	want13="$want13$(sq "$SST_TMP/grown.db" "SELECT count(*) FROM $t") "
done
want13="$want13$(sq "$SST_TMP/grown.db" "SELECT count(*) FROM sockets")"
[ "$(counts fleet)" = "$want13" ] || fail "a grown database without its state file: '$(counts fleet)', expected '$want13'"

# --- kill -9 of the server shipped to, mid-ship: resumed, nothing lost or doubled
# (batches of 7 snapshots: most hold two hosts, whose rows may land on two shards)
$S ship --url "$CH_URL1" --database fleet2 -d "$SST_TMP/fleet.db" --state "$SST_TMP/f2.state" \
	--batch 7 --insert-gap 20ms --retry-for 60 2>"$SST_TMP/f2.err" &
sp_pid=$!
sleep 1
ch_kill9 1
sleep 1
ch_start 1
i=0
while kill -0 $sp_pid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $sp_pid 2>/dev/null && { kill $sp_pid; fail "ship did not finish after the restart"; }
wait $sp_pid || fail "ship across the kill -9: $(cat "$SST_TMP/f2.err")"
grep -q retrying "$SST_TMP/f2.err" || note "the kill -9 came after the last batch (no retry seen)"
got=$(counts fleet2)
[ "$got" = "$want" ] || fail "after kill -9 and resume: '$got', expected '$want'"

[ "$(chq "$CH_URL1" "SELECT count(), sum(points) FROM fleet2.series_ranges WHERE series = 'SYN_RECV'")" = \
	"$(chq "$CH_URL1" "SELECT uniqExact(host, batch), count() FROM fleet2.snapshots")" ] ||
	fail "after kill -9: series_ranges do not cover the snapshots"
sp2=$($S fleet spikes --url "$CH_URL2" --database fleet2 -o csv | cut -d, -f1-3)
[ "$sp2" = "$sp" ] || fail "fleet spikes after small batches: $sp2"

# --- a database from before series_ranges: refused, then --create marks
# its hosts "*" (each server its own) and fleet spikes reads them whole
for u in "$CH_URL1" "$CH_URL2"; do
	chq "$u" "DROP TABLE fleet2.series_ranges" >/dev/null
	chq "$u" "DROP TABLE fleet2.series_ranges_local" >/dev/null
done
out=$($S fleet spikes --url "$CH_URL1" --database fleet2 2>&1); rc=$?
[ $rc = 2 ] && [ "$out" = "sockscope fleet: schema does not match: no fleet2.series_ranges.host (sockscope ship --create, or --print-schema)" ] ||
	fail "old database: rc $rc: $out"
for u in "$CH_URL1" "$CH_URL2"; do
	$S ship --url "$u" --database fleet2 --create --cluster fleet >/dev/null 2>&1 || fail "--create on an old database"
done
[ "$(chq "$CH_URL1" "SELECT count(), uniqExact(host), sum(points) FROM fleet2.series_ranges WHERE series = '*'")" = "12	12	360" ] ||
	fail "old hosts not marked: $(chq "$CH_URL1" "SELECT * FROM fleet2.series_ranges")"
sp2=$($S fleet spikes --url "$CH_URL1" --database fleet2 -o csv | cut -d, -f1-3)
[ "$sp2" = "$sp" ] || fail "fleet spikes on an old database: $sp2"

# --- one host: fleet spikes = spikes, on samples/incident
$S import -q -d "$SST_TMP/inc.db" "$(dirname "$0")/../../samples/incident" >/dev/null 2>&1 || fail "import incident"
$S ship --url "$CH_URL2" --database inc -d "$SST_TMP/inc.db" --insert-gap 10ms >/dev/null 2>&1 ||
	fail "ship incident"
loc=$($S spikes -d "$SST_TMP/inc.db" -o csv | cut -d, -f1-11)
flt=$($S fleet spikes --url "$CH_URL1" --database inc -o csv)
[ -n "$loc" ] && [ "$loc" = "$flt" ] || fail "spikes differ: local
$loc
fleet
$flt"
loc=$($S blocklist -d "$SST_TMP/inc.db" --format csv 2>/dev/null | grep ',block,' | cut -d, -f1,3,4,7)
flt=$($S fleet blocklist --url "$CH_URL1" --database inc -o csv 2>"$SST_TMP/bl.err" | tail -n +2 | cut -d, -f1,3-5)
[ -n "$loc" ] && [ "$loc" = "$flt" ] || fail "blocklists differ: local
$loc
fleet
$flt"
loc=$($S blocklist -d "$SST_TMP/inc.db" --format nft 2>/dev/null | tail -n +2)
flt=$($S fleet blocklist --url "$CH_URL1" --database inc --format nft 2>/dev/null | tail -n +2)
[ -n "$loc" ] && [ "$loc" = "$flt" ] || fail "nft block-lists differ: local
$loc
fleet
$flt"
grep -q "victim: a SYN flood from a spread of one-off sources" "$SST_TMP/bl.err" ||
	fail "fleet blocklist did not name the spoofed flood: $(cat "$SST_TMP/bl.err")"
# --- a batch never crosses a UTC midnight (the tables are partitioned by
# day: one part per host and insert, all or nothing)
k=0
while [ $k -lt 4 ]; do
	date -u -d "@$((1795651080 + k * 60))" '+%a %b %e %H:%M:%S UTC %Y'
	echo "Active Internet connections (w/o servers)"
	echo "Proto Recv-Q Send-Q Local Address           Foreign Address         State"
	echo "tcp        0      0 192.0.2.99:443          192.0.2.7:40001        ESTABLISHED"
	k=$((k + 1))
done > "$SST_TMP/midnight.log"
$S import -q -d "$SST_TMP/mid.db" --host midnight "$SST_TMP/midnight.log" >/dev/null 2>&1 || fail "import midnight"
$S ship --url "$CH_URL1" --database fleet2 -d "$SST_TMP/mid.db" --insert-gap 10ms >/dev/null 2>&1 ||
	fail "ship midnight"
got=$(chq "$CH_URL1" "SELECT count(), uniqExact(batch), max(d) FROM (SELECT batch, uniqExact(toDate(toDateTime(intDiv(time, 1000000)), 'UTC')) AS d FROM fleet2.snapshots WHERE host = 'midnight' GROUP BY batch)")
[ "$got" = "2	2	1" ] || fail "batches across midnight: $got (batches, batches, most days in one)"

# --- --follow on a recorder's folder: a segment that appears is shipped
mkdir -p "$SST_TMP/seg"
$S ship --follow --interval 0.2 --url "$CH_URL1" --database fleet2 --state "$SST_TMP/fol.state" \
	--insert-gap 10ms "$SST_TMP/seg" 2>"$SST_TMP/fol.err" &
fol=$!
sleep 0.5
cp "$(dirname "$0")"/../../samples/incident/*.zst "$SST_TMP/seg/"
i=0
while [ "$(chq "$CH_URL1" "SELECT count() FROM fleet2.snapshots WHERE host = 'victim'")" != 39 ] &&
	[ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ $i -lt 100 ] || { kill $fol; fail "--follow did not ship the new segment: $(cat "$SST_TMP/fol.err")"; }
# ... and does not read it again while it does not change: the next ~10
# rounds read less than twice its size in all (each used to re-read it whole)
sleep 0.5
r0=$(sed -n 's/^rchar: //p' "/proc/$fol/io")
sleep 2
rchar=$(( $(sed -n 's/^rchar: //p' "/proc/$fol/io") - r0 ))
size=$(cat "$SST_TMP"/seg/*.zst | wc -c)
kill $fol
wait $fol 2>/dev/null
[ "$rchar" -lt $((size * 2)) ] || fail "--follow re-read an unchanged segment: $rchar bytes read in 2 s, the segment is $size"

pass "counts equal SQLite, twice adds nothing ($raw span rows), hosts share batches, exact top/spikes/timeline/blocklist (firewall formats, --explain, --on-hosts, allow lists), old database marked, kill -9 resumed, errors exit 2, one-host spikes and blocklist agree, --follow ships a new segment and does not re-read it"
