# report_spikes — `sockscope spikes` on a synthetic history with planted
# events (tests/data/reports/history.awk): the SYN_RECV flood of 10:05:00 ..
# 10:06:10 found with its exact start, end, peak and baseline and the subnet
# and port that grew; a cookie flood that leaves SYN_RECV flat found in the
# TcpExt.SyncookiesSent rate alone (counter rows added as a recorder would
# store them); --state, --counter, --min-rise, --window and --k change what is
# found; CSV parses back, JSON is valid, the table is as golden.
# Usage: sh tests/integration/report_spikes.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) for CSV, JSON and SQLite"


db=$dir/h.db
history_db "$db"
[ "$("$S" query -d "$db" 'SELECT count(*) FROM snapshots')" = 54 ] || fail "54 snapshots expected"

# before counters exist: the SYN_RECV spike alone
"$S" spikes -o csv -d "$db" > "$dir/a.csv" 2> "$dir/err" || fail "spikes: $(cat "$dir/err")"
csvrows host series start end secs peak peak_at baseline threshold points open subnets ports < "$dir/a.csv" > "$dir/a"
cat > "$dir/want" <<'EOT'
host=unknown series=SYN_RECV start=2026-11-25T10:05:00Z end=2026-11-25T10:06:10Z secs=70 peak=504.0 peak_at=2026-11-25T10:05:20Z baseline=3.0 threshold=13.0 points=8 open=no subnets=203.0.113.0/24 +500 ports=80 +500
EOT
diff "$dir/want" "$dir/a" > "$dir/d" || fail "SYN_RECV spike: $(cat "$dir/d")"

# a cookie flood: SyncookiesSent +5000 per 10 s at 10:03:00 .. 10:03:50, as
# the recorder would have stored it (text dumps carry no counters), and a
# ListenOverflows too slow to spike
history_counters "$db"
"$S" spikes -o csv -d "$db" > "$dir/b.csv" || fail "spikes with counters"
csvrows series start end secs peak peak_at baseline threshold points open subnets < "$dir/b.csv" > "$dir/b"
cat > "$dir/want" <<'EOT'
series=TcpExt.SyncookiesSent/s start=2026-11-25T10:03:00Z end=2026-11-25T10:03:50Z secs=50 peak=500.0 peak_at=2026-11-25T10:03:00Z baseline=0.0 threshold=10.0 points=6 open=no subnets=
series=SYN_RECV start=2026-11-25T10:05:00Z end=2026-11-25T10:06:10Z secs=70 peak=504.0 peak_at=2026-11-25T10:05:20Z baseline=3.0 threshold=13.0 points=8 open=no subnets=203.0.113.0/24 +500
EOT
diff "$dir/want" "$dir/b" > "$dir/d" || fail "cookie flood hidden from SYN_RECV: $(cat "$dir/d")"

# --counter alone: only that series (the short name is TcpExt's)
"$S" spikes -o csv -d "$db" --counter SyncookiesSent | csvrows series > "$dir/c"
[ "$(cat "$dir/c")" = "series=TcpExt.SyncookiesSent/s" ] || fail "--counter: $(cat "$dir/c")"
# --state alone: only that series; the article's spelling works
"$S" spikes -o csv -d "$db" --state SYN_REC | csvrows series start > "$dir/c"
[ "$(cat "$dir/c")" = "series=SYN_RECV start=2026-11-25T10:05:00Z" ] || fail "--state SYN_REC: $(cat "$dir/c")"
# ESTABLISHED is flat: nothing
"$S" spikes -o csv -d "$db" --state ESTABLISHED | csvrows series > "$dir/c"
[ ! -s "$dir/c" ] || fail "flat ESTABLISHED spiked: $(cat "$dir/c")"
# a rise of 500 is below --min-rise 1000; a cookie rate of 500/s below --min-rate 600
"$S" spikes -o csv -d "$db" --min-rise 1000 --min-rate 600 | csvrows series > "$dir/c"
[ ! -s "$dir/c" ] || fail "--min-rise/--min-rate ignored: $(cat "$dir/c")"
# the noise (2..4) spikes with no floor and k 0: the first rise above the median
"$S" spikes -o csv -d "$db" --state SYN_RECV --min-rise 0 --k 0 | csvrows start > "$dir/c"
[ "$(head -1 "$dir/c")" = "start=2026-11-25T10:00:40Z" ] || fail "--k 0 --min-rise 0: $(head -3 "$dir/c")"
# --since after the flood began: the baseline is the flood, no spike
"$S" spikes -o csv -d "$db" --state SYN_RECV --since 2026-11-25T10:05:00Z | csvrows series > "$dir/c"
[ ! -s "$dir/c" ] || fail "--since: $(cat "$dir/c")"
# another host: nothing
"$S" spikes -o csv -d "$db" --host nobody | csvrows series > "$dir/c"
[ ! -s "$dir/c" ] || fail "--host nobody: $(cat "$dir/c")"

# JSON: one object per spike, numbers as numbers, empty groups as null
"$S" spikes -o json -d "$db" > "$dir/b.json" || fail "spikes -o json"
python3 -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 2, rows
r = rows[1]
assert r["series"] == "SYN_RECV" and r["peak"] == 504.0 and r["points"] == 8, r
assert r["secs"] == 70 and r["open"] == "no" and r["programs"] is None, r
assert rows[0]["subnets"] is None, rows[0]' < "$dir/b.json" || fail "JSON: $(cat "$dir/b.json")"

# the table, as golden (no colour: not a terminal)
COLUMNS=200 "$S" spikes -d "$db" > "$dir/b.txt" || fail "table"
golden "$data/reports/golden/spikes.txt" "$dir/b.txt" "the table"

# without a database: the dump imported into memory
"$S" spikes -o csv -f "$db.log" | csvrows series start end > "$dir/c"
[ "$(cat "$dir/c")" = "series=SYN_RECV start=2026-11-25T10:05:00Z end=2026-11-25T10:06:10Z" ] ||
	fail "spikes -f: $(cat "$dir/c")"

# a spoofed spread: 300 SYN_RECV a snapshot from forged sources, two in each
# of 150 /24s, new ones each time; naming three of them at +2.0 would send a
# reader after noise. With a real /24 flood at the same time that one is
# named, and the spread summed up after it.
spread_log() {   # $1: 1 to add the real flood from 203.0.113.0/24
	awk -v real="$1" 'BEGIN {
	for (i = 0; i < 12; i++) {
		printf "Wed Nov 25 10:%02d:%02d UTC 2026\n", int(i / 6), i % 6 * 10
		print "Active Internet connections (w/o servers)"
		print "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
		for (j = 0; j < 20; j++)
			printf "tcp        0      0 192.0.2.2:443           198.51.100.%d:%d     ESTABLISHED\n", j + 1, 40000 + j
		for (j = 0; j < 2; j++)
			printf "tcp        0      0 192.0.2.2:80            192.0.2.%d:%d        SYN_RECV   \n", 100 + j, 50000 + j
		if (i < 8 || i > 10)
			continue
		for (k = 0; k < 300; k++)
			printf "tcp        0      0 192.0.2.2:80            198.18.%d.%d:%d      SYN_RECV   \n", k % 150, i * 2 + int(k / 150) + 1, 1024 + k
		for (k = 0; real && k < 200; k++)
			printf "tcp        0      0 192.0.2.2:80            203.0.113.%d:%d      SYN_RECV   \n", k % 100 + 1, 2048 + k
	}
}'
}
spread_log 0 > "$dir/spread.log"
"$S" spikes -o csv --state SYN_RECV -f "$dir/spread.log" | csvrows start end subnets > "$dir/c"
[ "$(cat "$dir/c")" = "start=2026-11-25T10:01:20Z end=2026-11-25T10:01:40Z subnets=spread over 150 subnets" ] ||
	fail "a spoofed spread named its subnets: $(cat "$dir/c")"
spread_log 1 > "$dir/spread.log"
"$S" spikes -o csv --state SYN_RECV -f "$dir/spread.log" | csvrows subnets > "$dir/c"
[ "$(cat "$dir/c")" = "subnets=203.0.113.0/24 +200, spread over 150 more subnets" ] ||
	fail "a real flood inside a spoofed spread: $(cat "$dir/c")"

# samples/incident: 8.99997 s between the first spike's ends is 9 s, not 8
# (truncated before); its second spike is the spoofed spread
"$S" import -q -d "$dir/inc.db" "${SAMPLES_DIR:-samples}/incident" 2> "$dir/err" || fail "import incident: $(cat "$dir/err")"
"$S" spikes -o csv --state SYN_RECV -d "$dir/inc.db" | csvrows secs subnets > "$dir/c"
cat > "$dir/want" <<'EOT'
secs=9 subnets=198.51.100.0/24 +772, 203.0.113.0/24 +364
secs=6 subnets=spread over 1913 subnets
EOT
diff "$dir/want" "$dir/c" > "$dir/d" || fail "samples/incident's spikes: $(cat "$dir/d")"

pass "SYN_RECV spike and a cookie flood seen only in counters, exact start/end/peak/baseline; what grew; a spoofed spread summed up, not named; whole seconds rounded; options; CSV, JSON, golden table"
