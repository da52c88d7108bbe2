# recorder_synflood_count — listeners, ESTABLISHED clients and a spoofed SYN
# flood from 198.51.100.0/24 (syncookies off) in a victim netns; the
# recorder's SYN_RECV count must match `ss -tan state syn-recv` taken at the
# same moment within 5 %, and its rows must be right (peers, listener owner).
# Usage: sh tests/integration/recorder_synflood_count.sh BUILD_DIR
# run.sh: alone (it compares counts taken at the same moment: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
need_root_netns
netns_reap_stale

victim_and_attacker
ns_sysctl victim net.ipv4.tcp_syncookies=0 net.core.somaxconn=8192 \
	net.ipv4.tcp_max_syn_backlog=16384 net.ipv4.tcp_synack_retries=5
sst_tmpdir; dir=$SST_TMP
start_connhold victim "$dir/v.ready" --hold 60 --name "sst web server" \
	--listen 192.0.2.2:80 --listen "[$SST_ADDR6_victim]:443" --backlog 8192
start_connhold attacker "$dir/c.ready" --hold 60 --connect 192.0.2.2:80 --count 40 --bind 192.0.2.1
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/24 --count 3000 --duration 10 ||
	fail "synflood"
wait_for at_least 2900 count_state victim syn-recv --timeout 10 || fail "flood did not land"

before=$(count_state victim syn-recv)
in_ns victim "$RECORDER" -q -o "$dir/rec" --once || fail "recorder failed"
after=$(count_state victim syn-recv)
seg=$(ls "$dir"/rec/*.zst)
"$SOCKSCOPE" dump --section sockets "$seg" > "$dir/sockets.tsv" || fail "read back"
rec=$(awk -F'\t' '$1 == "tcp" && $3 == "SYN_RECV"' "$dir/sockets.tsv" | wc -l)
for ref in $before $after; do
	d=$((rec > ref ? rec - ref : ref - rec))
	[ $((d * 100)) -le $((ref * 5)) ] || fail "recorder SYN_RECV $rec vs ss $ref: more than 5 % apart"
done
outside=$(awk -F'\t' '$3 == "SYN_RECV" && $6 !~ /^198\.51\.100\./' "$dir/sockets.tsv" | wc -l)
[ "$outside" -eq 0 ] || fail "$outside SYN_RECV rows with a peer outside 198.51.100.0/24"
est=$(awk -F'\t' '$3 == "ESTABLISHED" && $5 == 80' "$dir/sockets.tsv" | wc -l)
[ "$est" -eq 40 ] || fail "$est ESTABLISHED to :80 recorded, want 40"
listen=$(awk -F'\t' '$3 == "LISTEN" && $5 == 80 && $16 == "sst web server"' "$dir/sockets.tsv" | wc -l)
[ "$listen" -eq 1 ] || fail "listener on :80 with its program not found: $(grep LISTEN "$dir/sockets.tsv")"
l6=$(awk -F'\t' '$3 == "LISTEN" && $2 == 6 && $5 == 443' "$dir/sockets.tsv" | wc -l)
[ "$l6" -eq 1 ] || fail "IPv6 listener on :443 not recorded"
# the rendered article command sees the same flood
nrend=$("$SOCKSCOPE" dump --section 'netstat -n -p' "$seg" | grep -c SYN_RECV)
d=$((nrend > rec ? nrend - rec : rec - nrend))
[ $((d * 100)) -le $((rec * 5)) ] || fail "netstat -n -p rendering has $nrend SYN_RECV vs $rec rows"
# raw /proc text recorded verbatim: one line per TCP socket + header
lines=$("$SOCKSCOPE" dump --section proc/net/tcp "$seg" | wc -l)
[ "$lines" -ge "$rec" ] || fail "proc/net/tcp has $lines lines for $rec SYN_RECV"
# Burst mode: at -i 30 the flood must switch the recorder to 0.2 s snapshots
# at once, each saying why, and the schedule must stay on the 0.2 s grid.
in_ns victim "$RECORDER" -q -o "$dir/burst" -i 30 --burst-interval 0.2 --burst-syn-recv 1000 \
	--count 6 --netstat none || fail "burst run"
"$SOCKSCOPE" dump --list "$dir"/burst/*.zst > "$dir/burst.list"
[ "$(wc -l < "$dir/burst.list")" -eq 6 ] || fail "burst: want 6 snapshots: $(cat "$dir/burst.list")"
sed -n 1p "$dir/burst.list" | grep -q '	start	' || fail "burst: first reason"
[ "$(grep -c '	burst: syn_recv [0-9]* >= 1000	' "$dir/burst.list")" -eq 5 ] ||
	fail "burst: snapshots 2..6 do not say why: $(cut -f1,4 "$dir/burst.list")"
awk -F'\t' '{ split($2, a, "T"); split(a[2], b, ":"); t = b[1] * 3600 + b[2] * 60 + b[3]
	if (NR > 1 && (t - p < 0.15 || t - p > 0.5)) { printf "gap %.3f s before %d\n", t - p, NR; bad = 1 }
	p = t } END { exit bad }' "$dir/burst.list" || fail "burst: not at 0.2 s: $(cut -f1,2 "$dir/burst.list")"
pass "recorder $rec SYN_RECV vs ss $before/$after; 40 ESTABLISHED; owners and v6 listener recorded; burst mode"
