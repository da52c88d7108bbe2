# samples — every file of samples/ imported into one database (the recording
# under its own host "victim", each Linux, BSD and Windows dump under a host
# of its own) and its known answers asserted, each number also counted in
# the raw text where it can be: snapshots and sockets per source; the same
# SYN_RECV count and the same 4-tuples in every dump of the flood's peak;
# the top SYN_RECV subnets; on the recording, spikes within 2 s of the
# ground truth, the exact block-list, the spoofed flood called spoofed, no
# gaps, and `netstat` replaying what the recorder saw. No root needed.
# See samples/README.md.
# Usage: sh tests/integration/samples.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
smp=${SAMPLES_DIR:-samples}
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to parse CSV and the truth"
db=$dir/s.db
STAMP=20261125T205052Z
REC=$smp/incident/sockscope-victim-20261125T205045Z.zst
NETSTAT=$smp/linux/netstat-antp-$STAMP.txt
SS=$smp/linux/ss-tanp-$STAMP.txt
PROC=$smp/linux/proc-net-tcp-$STAMP.txt
CRON=$smp/linux/netstat-ntu-cron.log.gz
MACOS=$smp/bsd/macos-netstat-an-$STAMP.txt
FREEBSD=$smp/bsd/freebsd-netstat-an-$STAMP.txt
WINDOWS=$smp/windows/netstat-ano-$STAMP.txt
TRUTH=$smp/truth/incident.csv
# the recorder's snapshot the peak dumps show (samples/reconstruct.sh)
PEAK_SEQ=11
for f in "$REC" "$NETSTAT" "$SS" "$PROC" "$CRON" "$MACOS" "$FREEBSD" "$WINDOWS" "$TRUTH"; do
	[ -f "$f" ] || fail "missing $f"
done

q() { "$S" query -d "$db" "$1" 2> "$dir/qerr" || fail "query $1: $(cat "$dir/qerr")"; }

# ---- import: one database, one host per source --------------------------
"$S" import -q -d "$db" "$REC" > "$dir/imp" 2>&1 || fail "import $REC: $(cat "$dir/imp")"
for hf in netstat:"$NETSTAT" ss:"$SS" proc:"$PROC" cron:"$CRON" macos:"$MACOS" freebsd:"$FREEBSD" \
	windows:"$WINDOWS"; do
	"$S" import -q -d "$db" --host "victim-${hf%%:*}" "${hf#*:}" > "$dir/imp" 2>&1 ||
		fail "import --host victim-${hf%%:*} ${hf#*:}: $(cat "$dir/imp")"
done

# ---- snapshots, sockets and bad lines per source ------------------------
# counted in the raw text: segment snapshots are what dump --list lists, their
# sockets the tcp/udp lines of the sockets sections; net-tools rows start
# with tcp/udp, ss rows with a state, /proc rows with "N:", BSD rows with
# tcp4/udp4, Windows rows with "  TCP"/"  UDP"; a cron log's dumps follow
# `date -u` lines
# (the recording is format 2: its deltas are not text, sockscope dump reads it)
rec_snaps=$("$S" dump --list "$REC" | wc -l)
rec_socks=$("$S" dump --section sockets "$REC" | grep -cE '^(tcp|udp|raw)	')
gzip -dc "$CRON" > "$dir/cron" || fail "gzip -dc $CRON"
datere='^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC [0-9]*$'
{
	printf '%s 39 48650 %s %s\n' "$REC" "$rec_snaps" "$rec_socks"
	printf '%s 1 1532 1 %s\n' "$NETSTAT" "$(awk '$1 ~ /^(tcp|udp)6?$/' "$NETSTAT" | wc -l)"
	printf '%s 1 1532 1 %s\n' "$SS" "$(awk 'NR > 1 && $1 ~ /^[A-Z][A-Z-]*[A-Z]$/' "$SS" | wc -l)"
	printf '%s 1 1532 1 %s\n' "$PROC" "$(grep -cE '^ *[0-9]+: ' "$PROC")"
	printf '%s 11 11069 %s %s\n' "$CRON" "$(grep -c "$datere" "$dir/cron")" \
		"$(awk '$1 ~ /^(tcp|udp)6?$/' "$dir/cron" | wc -l)"
	printf '%s 1 1533 1 %s\n' "$MACOS" "$(grep -cE '^(tcp|udp)(4|6|46) ' "$MACOS")"
	printf '%s 1 33 1 %s\n' "$FREEBSD" "$(grep -cE '^(tcp|udp)(4|6|46) ' "$FREEBSD")"
	printf '%s 1 1533 1 %s\n' "$WINDOWS" "$(tr -d '\r' < "$WINDOWS" | grep -cE '^  (TCP|UDP) ')"
} > "$dir/counts"
while read -r f want_snaps want_socks raw_snaps raw_socks; do
	got=$(q "SELECT snapshots || ' ' || sockets || ' ' || bad_lines FROM sources WHERE path = '$f'")
	[ "$got" = "$want_snaps $want_socks 0" ] ||
		fail "$f: snapshots, sockets, bad lines '$got', want '$want_snaps $want_socks 0'"
	[ "$raw_snaps $raw_socks" = "$want_snaps $want_socks" ] ||
		fail "$f: the raw text has $raw_snaps snapshots and $raw_socks sockets, want $want_snaps $want_socks"
done < "$dir/counts"
[ "$(q "SELECT count(*) FROM sources")" = 8 ] || fail "sources: $(q "SELECT path FROM sources")"
# each dump under its own host, at the time its name says; the cron log's
# snapshots at its date lines, each with as many sockets as its dump has rows
q "SELECT host, count(*), min(utc(time)), group_concat(DISTINCT time_from) FROM snapshots
	GROUP BY host ORDER BY host" > "$dir/hosts"
cat > "$dir/want" <<'EOT'
victim	39	2026-11-25T20:50:45.854578Z	header
victim-cron	11	2026-11-25T20:50:45.000000Z	dateline
victim-freebsd	1	2026-11-25T20:50:52.000000Z	filename
victim-macos	1	2026-11-25T20:50:52.000000Z	filename
victim-netstat	1	2026-11-25T20:50:52.000000Z	filename
victim-proc	1	2026-11-25T20:50:52.000000Z	filename
victim-ss	1	2026-11-25T20:50:52.000000Z	filename
victim-windows	1	2026-11-25T20:50:52.000000Z	filename
EOT
diff "$dir/want" "$dir/hosts" > "$dir/d" || fail "hosts: $(cat "$dir/d")"
awk -v re="$datere" '$0 ~ re { if (n) print n; n = 0; next } $1 ~ /^(tcp|udp)6?$/ { n++ } END { print n }' \
	"$dir/cron" > "$dir/cron.raw"
q "SELECT sockets FROM snapshots WHERE host = 'victim-cron' ORDER BY time" > "$dir/cron.db"
diff "$dir/cron.raw" "$dir/cron.db" > "$dir/d" || fail "cron log, sockets per dump (raw < > db): $(cat "$dir/d")"

# ---- the peak: one moment seen by seven tools ---------------------------
peak_time=$(q "SELECT utc(time) FROM snapshots WHERE host = 'victim' AND seq = $PEAK_SEQ")
[ "$peak_time" = 2026-11-25T20:50:53.354684Z ] || fail "seq $PEAK_SEQ is at '$peak_time'"
# SYN_RECV rows in the raw text, under each tool's name for the state
"$S" dump --section sockets --seq $PEAK_SEQ "$REC" > "$dir/peak.tsv" || fail "dump --seq $PEAK_SEQ"
{
	printf 'victim %s\n' "$(awk -F'\t' '$3 == "SYN_RECV"' "$dir/peak.tsv" | wc -l)"
	printf 'victim-netstat %s\n' "$(awk '$6 == "SYN_RECV"' "$NETSTAT" | wc -l)"
	printf 'victim-ss %s\n' "$(awk '$1 == "SYN-RECV"' "$SS" | wc -l)"
	printf 'victim-proc %s\n' "$(awk '$4 == "03" || $4 == "0C"' "$PROC" | wc -l)"
	printf 'victim-macos %s\n' "$(awk '$6 == "SYN_RCVD"' "$MACOS" | wc -l)"
	printf 'victim-freebsd %s\n' "$(awk '$6 == "SYN_RCVD"' "$FREEBSD" | wc -l)"
	printf 'victim-windows %s\n' "$(tr -d '\r' < "$WINDOWS" | awk '$4 == "SYN_RECEIVED"' | wc -l)"
} > "$dir/syn.raw"
# FreeBSD's syncache holds half-open connections out of netstat's sight
printf '%s\n' 'victim 1500' 'victim-netstat 1500' 'victim-ss 1500' 'victim-proc 1500' \
	'victim-macos 1500' 'victim-freebsd 0' 'victim-windows 1500' > "$dir/want"
diff "$dir/want" "$dir/syn.raw" > "$dir/d" || fail "SYN_RECV in the raw peak dumps: $(cat "$dir/d")"
: > "$dir/syn.top"
while read -r h _n; do
	at=
	[ "$h" = victim ] && at="--at $peak_time"
	# shellcheck disable=SC2086  # at is two words or none
	"$S" top -d "$db" --host "$h" $at --by state -o csv > "$dir/st.csv" || fail "top --host $h --by state"
	n=$(csvrows state conns < "$dir/st.csv" | sed -n 's/^state=SYN_RECV conns=//p')
	printf '%s %s\n' "$h" "${n:-0}" >> "$dir/syn.top"
done < "$dir/want"
diff "$dir/want" "$dir/syn.top" > "$dir/d" || fail "SYN_RECV per peak dump from sockscope top: $(cat "$dir/d")"

# the same sockets, 4-tuple and state, as the recorder's seq 11 (Linux
# dumps: -t, TCP only; FreeBSD: without the SYN_RECV)
tuples() {   # tuples HOST [WHERE]
	printf "SELECT proto, state, laddr, lport, raddr, rport FROM sockets k JOIN snapshots n
		ON n.id = k.snapshot_id WHERE n.host = '%s' %s" "$1" "$2"
}
rec_rows() { tuples victim "AND n.seq = $PEAK_SEQ $1"; }
for hw in "victim-netstat:AND proto = 'tcp'" "victim-ss:AND proto = 'tcp'" "victim-proc:AND proto = 'tcp'" \
	"victim-macos:" "victim-freebsd:AND state <> 'SYN_RECV'" "victim-windows:"; do
	h=${hw%%:*} w=${hw#*:}
	n=$(q "SELECT count(*) FROM ($(tuples "$h") EXCEPT $(rec_rows "$w"))")
	m=$(q "SELECT count(*) FROM ($(rec_rows "$w") EXCEPT $(tuples "$h"))")
	[ "$n $m" = "0 0" ] || fail "$h: $n rows not in the recording's seq $PEAK_SEQ, $m of its rows missing"
done

# top SYN_RECV subnets: from the remote addresses in the raw text (proc's
# little-endian hex decoded by Python), and from sockscope top
top2() { awk '{ split($0, o, "."); n[o[1] "." o[2] "." o[3] ".0/24"]++ }
	END { for (s in n) print n[s], s }' | sort -k1,1nr -k2 | head -2 | awk '{ printf "%s %s,", $2, $1 }'; }
want_top='198.51.100.0/24 1024,203.0.113.0/24 476,'
for hf in "victim:$(awk -F'\t' '$3 == "SYN_RECV" { print $6 }' "$dir/peak.tsv" | top2)" \
	"victim-netstat:$(awk '$6 == "SYN_RECV" { sub(/:[0-9]+$/, "", $5); print $5 }' "$NETSTAT" | top2)" \
	"victim-ss:$(awk '$1 == "SYN-RECV" { sub(/:[0-9]+$/, "", $5); print $5 }' "$SS" | top2)" \
	"victim-proc:$(python3 -c 'import sys
for l in sys.stdin:
    f = l.split()
    if len(f) > 3 and f[3] in ("03", "0C"):
        print(".".join(str(b) for b in reversed(bytes.fromhex(f[2].split(":")[0]))))' < "$PROC" | top2)" \
	"victim-macos:$(awk '$6 == "SYN_RCVD" { sub(/\.[0-9]+$/, "", $5); print $5 }' "$MACOS" | top2)" \
	"victim-windows:$(tr -d '\r' < "$WINDOWS" | awk '$4 == "SYN_RECEIVED" { sub(/:[0-9]+$/, "", $3); print $3 }' | top2)"; do
	h=${hf%%:*} raw=${hf#*:}
	[ "$raw" = "$want_top" ] || fail "$h: top SYN_RECV subnets in the raw text '$raw', want '$want_top'"
	at=
	[ "$h" = victim ] && at="--at $peak_time"
	# shellcheck disable=SC2086
	"$S" top -d "$db" --host "$h" $at --by subnet --state SYN_RECV -o csv > "$dir/t.csv" ||
		fail "top --host $h --by subnet"
	got=$(csvrows subnet conns < "$dir/t.csv" | head -2 | sed 's/^subnet=//; s/ conns=/ /' | tr '\n' ,)
	[ "$got" = "$want_top" ] || fail "$h: sockscope top SYN_RECV subnets '$got', want '$want_top'"
done

# ---- the recording against the ground truth -----------------------------
"$S" spikes -d "$db" --host victim -o csv > "$dir/spikes.csv" 2> "$dir/err" || fail "spikes: $(cat "$dir/err")"
python3 - "$TRUTH" "$dir/spikes.csv" <<'EOT' || fail "spikes disagree with the truth: $(cat "$dir/spikes.csv")"
import csv, sys, calendar, time
truth = {r["event"]: r for r in csv.DictReader(open(sys.argv[1]))}
spikes = [s for s in csv.DictReader(open(sys.argv[2])) if s["series"] == "SYN_RECV"]
def ts(s):
    whole, _, frac = s.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + (float("0." + frac) if frac else 0)
assert len(spikes) == 2, f"{len(spikes)} SYN_RECV spikes, want 2"
for ev, s in zip(("synflood", "spoofed"), spikes):
    t = int(truth[ev]["start_ms"]) / 1000
    d = ts(s["start"]) - t
    assert abs(d) <= 2.0, f"{ev}: spike at {s['start']}, {d:+.3f} s from the truth"
    print(f"samples: {ev}: SYN_RECV spike at {s['start']}, {d:+.3f} s from the truth", file=sys.stderr)
assert spikes[0]["subnets"].startswith("198.51.100.0/24 +"), spikes[0]["subnets"]
assert "203.0.113.0/24 +" in spikes[0]["subnets"], spikes[0]["subnets"]
assert float(spikes[0]["peak"]) == 1500 and float(spikes[1]["peak"]) == 2000, (spikes[0]["peak"], spikes[1]["peak"])
EOT

"$S" blocklist -d "$db" --host victim > "$dir/block" 2> "$dir/block.err" || fail "blocklist: $(cat "$dir/block.err")"
printf '%s\n' 198.51.100.0/24 203.0.113.0/24 198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 > "$dir/want"
diff "$dir/want" "$dir/block" > "$dir/d" || fail "blocklist --host victim: $(cat "$dir/d")"
if ! grep -q '^spoofed: a SYN flood ' "$dir/block.err" || ! grep -q 'likely spoofed' "$dir/block.err"; then
	fail "the spoofed flood is not called spoofed: $(cat "$dir/block.err")"
fi
# the legitimate clients: never blocked, whatever the format
"$S" blocklist -d "$db" --host victim --format csv > "$dir/block.csv" 2> /dev/null || fail "blocklist csv"
python3 - "$dir/block.csv" "$dir/block" <<'EOT' || fail "a legitimate client would be blocked: $(cat "$dir/block.csv")"
import csv, ipaddress, sys
legit = ipaddress.ip_network("192.0.2.0/24")
nets = [r["cidr"] for r in csv.DictReader(open(sys.argv[1])) if r["action"] == "block"]
nets += [l.strip() for l in open(sys.argv[2]) if l.strip()]
assert nets and not [n for n in nets if ipaddress.ip_network(n).overlaps(legit)], nets
EOT
! grep -q '192\.0\.2\.' "$dir/block" || fail "192.0.2.x in the block-list"

"$S" summary -d "$db" --host victim -o csv > "$dir/summary.csv" || fail "summary"
csvrows section name < "$dir/summary.csv" | grep '^section=gaps ' > "$dir/gaps"
[ "$(cat "$dir/gaps")" = "section=gaps name=none" ] || fail "the recording has gaps: $(cat "$dir/gaps")"

# netstat replays what the recorder's own `netstat -ntu` section holds: at
# the peak dumps' moment and at the recording's SYN_RECV peak
top_seq=$(q "SELECT n.seq FROM snapshots n JOIN sockets k ON k.snapshot_id = n.id
	WHERE n.host = 'victim' AND k.state = 'SYN_RECV' GROUP BY n.id ORDER BY count(*) DESC, n.time LIMIT 1")
[ "$top_seq" = 30 ] || fail "the SYN_RECV peak is at seq '$top_seq', want 30"
for seq in $PEAK_SEQ $top_seq; do
	t=$(q "SELECT utc(time) FROM snapshots WHERE host = 'victim' AND seq = $seq")
	"$S" netstat -q -d "$db" --host victim --at "$t" -- -ntu > "$dir/replay" 2> "$dir/err" ||
		fail "netstat --at $t -- -ntu: $(cat "$dir/err")"
	"$S" dump --section sockets --seq "$seq" "$REC" > "$dir/sock.tsv" || fail "dump --seq $seq"
	"$S" dump --section 'netstat -ntu' --seq "$seq" "$REC" > "$dir/recorded" || fail "dump netstat -ntu --seq $seq"
	n=$(awk '$6 == "SYN_RECV"' "$dir/replay" | wc -l)
	m=$(awk -F'\t' '$3 == "SYN_RECV"' "$dir/sock.tsv" | wc -l)
	if [ "$n" != "$m" ] || [ "$n" -eq 0 ]; then
		fail "seq $seq: netstat -ntu replays $n SYN_RECV, the sockets section has $m"
	fi
	cmp -s "$dir/recorded" "$dir/replay" ||
		fail "seq $seq: the replay differs from the recorded netstat -ntu: $(diff "$dir/recorded" "$dir/replay" | head -5)"
	note "seq $seq ($t): netstat -ntu replays $n SYN_RECV, as recorded"
done
n=$(awk '$6 == "SYN_RECV"' "$dir/replay" | wc -l)
[ "$n" = 2000 ] || fail "netstat replays $n SYN_RECV at the peak, want 2000"

pass "8 sources with exact snapshots/sockets and 0 bad lines; 1500 SYN_RECV at the peak in netstat, ss, /proc, macOS, Windows (0 in FreeBSD) over the same 4-tuples; top subnets 198.51.100.0/24 1024, 203.0.113.0/24 476; spikes within 2 s of the truth; the exact block-list, spoofed called spoofed; no gaps; netstat replays the recorder's netstat -ntu"
