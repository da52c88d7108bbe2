# report_summary — `sockscope summary` on the synthetic history
# (tests/data/reports/history.awk) plus counter rows: span, snapshots, the
# peak and median snapshots by state, top subnets, both planted spikes, the
# gap of six missed snapshots and the counters' increase, each exact; CSV
# parses back; JSON valid; the table as golden; a recorder's interval is
# believed over the spacing.
# Usage: sh tests/integration/report_summary.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) for CSV, JSON and SQLite"

db=$dir/h.db
history_db "$db"
# the counters, with a reboot: ListenOverflows restarts at 10:07:00 (boot b),
# so its fall is no decrease
history_counters "$db"

"$S" summary -o csv -d "$db" > "$dir/s.csv" 2> "$dir/err" || fail "summary: $(cat "$dir/err")"
python3 -c 'import csv, sys
for r in csv.DictReader(sys.stdin):
    print("%s | %s | %s" % (r["section"], r["name"], r["value"]))' < "$dir/s.csv" > "$dir/s"
cat > "$dir/want" <<'EOT'
recording | span | 2026-11-25T10:00:00Z .. 2026-11-25T10:09:50Z (9m50s)
recording | snapshots | 54
recording | sockets | 5242 rows
host | unknown | 54 snapshots, 2026-11-25T10:00:00Z .. 2026-11-25T10:09:50Z
at peak | snapshot | 2026-11-25T10:05:20Z on unknown: 524 sockets
at peak | SYN_RECV | 504
at peak | ESTABLISHED | 20
at median | snapshot | 2026-11-25T10:07:10Z on unknown: 23 sockets
at median | ESTABLISHED | 20
at median | SYN_RECV | 3
top subnets | 203.0.113.0/24 | 500 at peak, 76.3% of connections, 250 peers
top subnets | 198.51.100.0/24 | 24 at peak, 23.7% of connections, 24 peers
spikes | TcpExt.SyncookiesSent/s on unknown | 2026-11-25T10:03:00Z .. 2026-11-25T10:03:50Z (50s), peak 500.0 at 2026-11-25T10:03:00Z, baseline 0.0
spikes | SYN_RECV on unknown | 2026-11-25T10:05:00Z .. 2026-11-25T10:06:10Z (1m10s), peak 504.0 at 2026-11-25T10:05:20Z, baseline 3.0
gaps | unknown | 2026-11-25T10:07:50Z .. 2026-11-25T10:09:00Z: 1m10s between snapshots, 6 missed at 10s
counters | TcpExt.SyncookiesSent | +30000 over 54 samples
counters | TcpExt.ListenOverflows | +133 over 54 samples
EOT
diff "$dir/want" "$dir/s" > "$dir/d" || fail "summary: $(cat "$dir/d")"

# a recorder that says its interval (30 s) is believed: 10 s spacing is no gap,
# the 70 s one misses a snapshot
"$S" query -d "$db" 'SELECT 1' > /dev/null || fail "query"
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE snapshots SET interval_us = 30000000"); db.commit()' "$db"
"$S" summary -o csv -d "$db" | grep '^gaps,' > "$dir/g"
[ "$(cat "$dir/g")" = 'gaps,unknown,"2026-11-25T10:07:50Z .. 2026-11-25T10:09:00Z: 1m10s between snapshots, 1 missed at 30s"' ] ||
	fail "interval from the recorder: $(cat "$dir/g")"

# filters narrow every section: before the floods, no spike and no gap
"$S" summary -o csv -d "$db" --until 2026-11-25T10:02:00Z | grep -E '^(spikes|gaps),' > "$dir/f"
printf '%s\n' 'spikes,none,no series rose above its baseline' 'gaps,none,no missed snapshot' > "$dir/want"
diff "$dir/want" "$dir/f" > "$dir/d" || fail "--until: $(cat "$dir/d")"
# --state narrows what is counted (the spikes stay SYN_RECV's and the counters')
"$S" summary -o csv -d "$db" --state ESTABLISHED | grep -E '^(at peak|top subnets|spikes),' > "$dir/st"
printf '%s\n' 'at peak,snapshot,2026-11-25T10:00:00Z on unknown: 20 sockets' 'at peak,ESTABLISHED,20' \
	'top subnets,198.51.100.0/24,"20 at peak, 100.0% of connections, 20 peers"' > "$dir/want"
grep -v '^spikes,' "$dir/st" | diff "$dir/want" - > "$dir/d" || fail "--state ESTABLISHED: $(cat "$dir/d")"
[ "$(grep -c '^spikes,' "$dir/st")" = 2 ] || fail "--state ESTABLISHED hid the spikes: $(cat "$dir/st")"
"$S" summary -d "$db" --host nobody > "$dir/o" 2> "$dir/err"
[ $? -eq 1 ] && grep -q 'no snapshot matches' "$dir/err" || fail "--host nobody: $(cat "$dir/err")"

# JSON: every line an object of three strings
"$S" summary -o json -d "$db" | python3 -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 17, len(rows)
assert all(set(r) == {"section", "name", "value"} for r in rows), rows
assert rows[1] == {"section": "recording", "name": "snapshots", "value": "54"}, rows[1]' ||
	fail "JSON"

# the table, as golden
COLUMNS=200 "$S" summary -d "$db" > "$dir/s.txt" || fail "table"
golden "$data/reports/golden/summary.txt" "$dir/s.txt" "the table"
pass "span, states at peak and median, top subnets, both spikes, the gap, counters over a reboot; recorder interval; filters; CSV, JSON, golden table"
