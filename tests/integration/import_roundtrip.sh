# import_roundtrip — recorder → import → database: the sockets table holds
# exactly the recorder's rows (IPv4, IPv6, IPv4-mapped, SYN_RECV, UDP,
# programs with spaces); `sockscope netstat` replays the article's commands
# (stored with --keep-raw: byte-identical; else rendered: the same rows); a
# segment imported while it grows gets every snapshot exactly once.
# Usage: sh tests/integration/import_roundtrip.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
need_root_netns
netns_reap_stale

victim_and_attacker
ns_sysctl victim net.ipv4.tcp_syncookies=0 net.ipv4.tcp_synack_retries=8
sst_tmpdir; dir=$SST_TMP
v6=$SST_ADDR6_victim
start_connhold victim "$dir/a.ready" --hold 60 --name "sst web server" \
	--listen 192.0.2.2:80 --listen "[::]:8443" --listen "[$v6]:443" \
	--udp 192.0.2.2:53 --udp "[::]:5353"
start_connhold attacker "$dir/c.ready" --hold 60 --connect 192.0.2.2:80 --count 5 --bind 192.0.2.1 \
	--connect 192.0.2.2:8443 --count 2 --bind 192.0.2.1 --connect "[$v6]:443" --count 2
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/28 --count 16 --duration 5 ||
	fail "synflood"
wait_for at_least 16 count_state victim syn-recv --timeout 5 || fail "SYN_RECV did not appear"
sleep 0.5

in_ns victim "$RECORDER" -q -o "$dir/rec" --once --host victim1 || fail "recorder failed"
seg=$(ls "$dir"/rec/*.zst)
"$SOCKSCOPE" import -q -d "$dir/t.db" "$seg" 2> "$dir/err" || fail "import: $(cat "$dir/err")"

# --- the sockets table equals the recorder's rows -----------------------------
"$SOCKSCOPE" dump --section sockets "$seg" | tail -n +2 | sort > "$dir/rec.tsv"
"$SOCKSCOPE" query -d "$dir/t.db" "select proto, family, state, laddr, lport, raddr, rport,
	rxq, txq, uid, inode, timer, expires_ms, retrans, coalesce(pid, '-'),
	coalesce(program, '-') from sockets" | sort > "$dir/db.tsv"
[ -s "$dir/rec.tsv" ] || fail "no recorded rows"
cmp -s "$dir/rec.tsv" "$dir/db.tsv" || fail "rows differ: $(diff "$dir/rec.tsv" "$dir/db.tsv" | head -20)"
n=$(wc -l < "$dir/rec.tsv")
[ "$(awk -F'\t' '$3 == "SYN_RECV"' "$dir/db.tsv" | wc -l)" -ge 16 ] || fail "SYN_RECV rows missing"
grep -q "	sst web server\$" "$dir/db.tsv" || fail "program with spaces missing"
# an IPv6 socket talking to an IPv4 client: folded address, family 6
grep -q "^tcp	6	ESTABLISHED	192\.0\.2\.2	8443	192\.0\.2\.1	" "$dir/db.tsv" || fail "mapped row not folded"
[ "$("$SOCKSCOPE" query -d "$dir/t.db" "select host || ' ' || seq || ' ' || time_from from snapshots")" = "victim1 1 header" ] ||
	fail "snapshot header not kept"
[ "$("$SOCKSCOPE" query -d "$dir/t.db" "select count(*) from counters where name = 'TcpExt.SyncookiesSent'")" = 1 ] ||
	fail "counters missing"
[ "$("$SOCKSCOPE" query -d "$dir/t.db" "select count(*) from processes where program = 'sst web server'")" -ge 1 ] ||
	fail "processes missing"

# --- netstat replay -------------------------------------------------------------
t=$("$SOCKSCOPE" query -d "$dir/t.db" "select utc(time) from snapshots")
"$SOCKSCOPE" import -q --keep-raw -d "$dir/raw.db" "$seg" || fail "import --keep-raw"
for args in "-na" "-aultnp" "-n -p" "-ntu" "-anp"; do
	tag=$(printf '%s' "$args" | tr -d ' -')
	"$SOCKSCOPE" dump --section "netstat $args" "$seg" > "$dir/rec-$tag"
	# shellcheck disable=SC2086
	"$SOCKSCOPE" netstat -q -d "$dir/raw.db" --at "$t" -- $args > "$dir/raw-$tag" ||
		fail "replay $args (stored)"
	cmp -s "$dir/rec-$tag" "$dir/raw-$tag" || fail "stored replay of $args differs"
	# shellcheck disable=SC2086
	"$SOCKSCOPE" netstat -q -d "$dir/t.db" --at "$t" -- $args > "$dir/ren-$tag" ||
		fail "replay $args (rendered)"
	head -2 "$dir/rec-$tag" > "$dir/h1"; head -2 "$dir/ren-$tag" > "$dir/h2"
	cmp -s "$dir/h1" "$dir/h2" || fail "rendered $args: header differs"
	tail -n +3 "$dir/rec-$tag" | sort > "$dir/r1"; tail -n +3 "$dir/ren-$tag" | sort > "$dir/r2"
	cmp -s "$dir/r1" "$dir/r2" || fail "rendered $args differs: $(diff "$dir/r1" "$dir/r2" | head)"
done
"$SOCKSCOPE" netstat -d "$dir/t.db" --at 2000-01-01T00:00:00Z -- -na 2> "$dir/err" && fail "replay before any snapshot"
grep -q 'no snapshot at or before 2000-01-01T00:00:00Z' "$dir/err" || fail "replay error: $(cat "$dir/err")"

# --- a segment imported while the recorder writes it ---------------------------
in_ns victim "$RECORDER" -q -o "$dir/grow" -i 0.3 --count 8 --host victim1 &
rp=$!
has_segment() { ls "$dir"/grow/*.zst > /dev/null 2>&1; }
wait_for has_segment --timeout 10 || fail "no growing segment"
g=$(ls "$dir"/grow/*.zst)
i=0
while [ "$("$SOCKSCOPE" dump --list "$g" 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
"$SOCKSCOPE" import -q -d "$dir/g.db" "$g" 2> "$dir/err1"
wait $rp || fail "recorder run failed"
"$SOCKSCOPE" import --no-progress -d "$dir/g.db" "$g" 2> "$dir/err2" || fail "second import: $(cat "$dir/err2")"
first=$("$SOCKSCOPE" query -d "$dir/g.db" "select snapshots from sources where id = 1")
[ "$first" -ge 2 ] && [ "$first" -lt 8 ] || fail "first import saw $first snapshots"
[ "$("$SOCKSCOPE" query -d "$dir/g.db" "select count(*) || ' ' || count(distinct seq) from snapshots")" = "8 8" ] ||
	fail "grown segment: $("$SOCKSCOPE" query -d "$dir/g.db" 'select seq, source_id from snapshots')"
grep -q "already imported" "$dir/err2" || fail "second import did not say which snapshots were known: $(cat "$dir/err2")"
# --- a torn segment: every complete snapshot imported, the tail reported ------
size=$(stat -c %s "$g")
head -c $((size - 40)) "$g" > "$dir/torn.zst"
good=$("$SOCKSCOPE" dump --list "$dir/torn.zst" 2>/dev/null | wc -l)
[ "$good" -ge 1 ] && [ "$good" -lt 8 ] || fail "torn copy holds $good good snapshots"
"$SOCKSCOPE" import --no-progress -d "$dir/torn.db" "$dir/torn.zst" 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "torn segment: exit $rc: $(cat "$dir/err")"
grep -q 'torn.zst: compressed data ends inside a block' "$dir/err" ||
	fail "torn tail not reported: $(cat "$dir/err")"
[ "$("$SOCKSCOPE" query -d "$dir/torn.db" "select count(*) from snapshots")" = "$good" ] ||
	fail "torn segment: not exactly the $good complete snapshots"
[ "$("$SOCKSCOPE" query -d "$dir/torn.db" "select count(*) from sockets")" = \
  "$("$SOCKSCOPE" query -d "$dir/torn.db" "select sum(sockets) from snapshots")" ] ||
	fail "rows of the torn snapshot were kept"
# ... and the same snapshots again from the whole file: nothing duplicated
"$SOCKSCOPE" import -q -d "$dir/torn.db" "$g" 2> /dev/null || fail "whole segment after torn copy"
[ "$("$SOCKSCOPE" query -d "$dir/torn.db" "select count(*) || ' ' || count(distinct seq) from snapshots")" = "8 8" ] ||
	fail "whole after torn: $("$SOCKSCOPE" query -d "$dir/torn.db" 'select seq from snapshots')"
pass "$n rows round-trip; netstat replay stored and rendered; grown segment imported once"
