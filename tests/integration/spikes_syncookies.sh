# spikes_syncookies — a real SYN flood that syncookies answer (tcp_syncookies=2:
# every SYN gets a cookie, no request socket): the victim's SYN_RECV stays
# near 0, so only the kernel counters show it. A real recorder in the victim
# netns records before, during and after; `sockscope spikes` must find the
# flood in TcpExt.SyncookiesSent's rate, starting and ending where the flood
# did (within one recording interval), and no SYN_RECV spike.
# Usage: sh tests/integration/spikes_syncookies.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)
# run.sh: alone (a timed flood against a 1 s recorder: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
need_root_netns
netns_reap_stale
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to read CSV"

victim_and_attacker
ns_sysctl victim net.ipv4.tcp_syncookies=2
sst_tmpdir; dir=$SST_TMP
start_connhold victim "$dir/v.ready" --hold 60 --name "sst web server" --listen 192.0.2.2:80

# 0.5 s snapshots for 15 s; no burst mode, so the spacing stays even
in_ns victim "$RECORDER" -q -o "$dir/rec" -i 0.5 --count 30 --netstat none \
	--burst-syn-recv 0 --burst-rate 0 &
rec=$!
sleep 5
t_start=$(date +%s%3N)
# 3000 SYNs/s for 4 s: every one answered by a cookie
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/24 --count 12000 \
	--rate 3000 --duration 8 || fail "synflood did not send its 12000 SYNs"
t_end=$(date +%s%3N)
wait "$rec" || fail "recorder failed"
syn=$(count_state victim syn-recv)
[ "$syn" -lt 50 ] || fail "$syn SYN_RECV sockets: syncookies did not keep the queue empty"

db=$dir/r.db
"$SOCKSCOPE" import -q -d "$db" "$dir/rec" 2> "$dir/err" || fail "import: $(cat "$dir/err")"
"$SOCKSCOPE" spikes -o csv -d "$db" > "$dir/s.csv" 2> "$dir/err" || fail "spikes: $(cat "$dir/err")"
python3 - "$dir/s.csv" "$t_start" "$t_end" <<'EOT' || fail "spikes: $(cat "$dir/s.csv")"
import csv, sys, calendar, time
rows = list(csv.DictReader(open(sys.argv[1])))
t_start, t_end = int(sys.argv[2]) / 1000, int(sys.argv[3]) / 1000
ts = lambda s: calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ" if "." in s else "%Y-%m-%dT%H:%M:%SZ")) + (float("0." + s.split(".")[1][:-1]) if "." in s else 0)
cookies = [r for r in rows if r["series"] == "TcpExt.SyncookiesSent/s"]
assert len(cookies) == 1, "want one SyncookiesSent spike, got %d" % len(cookies)
c = cookies[0]
start, end = ts(c["start"]), ts(c["end"])
# the first rate point after the flood began is dated at the end of its
# interval: within one interval (0.5 s) plus scheduling slack of the start
assert t_start - 0.1 <= start <= t_start + 1.2, (c["start"], t_start)
assert t_end - 1.2 <= end <= t_end + 1.2, (c["end"], t_end)
assert float(c["peak"]) >= 1000, c["peak"]
assert not [r for r in rows if r["series"] == "SYN_RECV"], "SYN_RECV spiked under syncookies"
print("cookie spike %s .. %s, peak %s/s; flood %.3f .. %.3f" % (c["start"], c["end"], c["peak"], t_start, t_end), file=sys.stderr)
EOT
pass "a flood hidden by syncookies found in SyncookiesSent's rate at the flood's start and end; no SYN_RECV spike"
