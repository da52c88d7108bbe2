# report_timeline — `sockscope timeline` on tests/data/reports/timeline.log
# (four dumps: 13:54:00, 13:54:30, 13:55:00, then a gap until 13:58:00):
# bucket values are the busiest snapshot's, gaps are null / "(no snapshot)",
# the automatic bucket follows the snapshot spacing, --by subnet, --state,
# and CSV/JSON are one row per bucket and series.
# Usage: sh tests/integration/report_timeline.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
log=$data/reports/timeline.log
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to parse CSV and JSON"

# one-minute buckets: a bucket keeps its busiest snapshot (13:54:30: 3 SYN_RECV)
"$S" timeline --bucket 1m -o csv -f "$log" > "$dir/m.csv" || fail "timeline -o csv"
cat > "$dir/want" <<'EOT'
time,series,count
2026-11-25T13:54:00Z,ESTABLISHED,1
2026-11-25T13:54:00Z,SYN_RECV,3
2026-11-25T13:55:00Z,ESTABLISHED,2
2026-11-25T13:55:00Z,SYN_RECV,1
2026-11-25T13:56:00Z,ESTABLISHED,
2026-11-25T13:56:00Z,SYN_RECV,
2026-11-25T13:57:00Z,ESTABLISHED,
2026-11-25T13:57:00Z,SYN_RECV,
2026-11-25T13:58:00Z,ESTABLISHED,1
2026-11-25T13:58:00Z,SYN_RECV,0
EOT
diff "$dir/want" "$dir/m.csv" > "$dir/d" || fail "1m buckets: $(cat "$dir/d")"

# the automatic bucket: 30 s (the closest snapshots), gaps as null in JSON
"$S" timeline --state SYN_RECV -o json -f "$log" > "$dir/a.json" || fail "timeline -o json"
python3 -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin]
got = [(r["time"][11:19], r["count"]) for r in rows]
want = [("13:54:00", 1), ("13:54:30", 3), ("13:55:00", 1), ("13:55:30", None), ("13:56:00", None),
        ("13:56:30", None), ("13:57:00", None), ("13:57:30", None), ("13:58:00", 0)]
assert got == want, got
assert all(r["series"] == "SYN_RECV" for r in rows)' < "$dir/a.json" || fail "auto bucket: $(cat "$dir/a.json")"

# per subnet, and the table with its chart and gap marks
"$S" timeline --by subnet --bucket 1m -o csv -f "$log" | grep '13:54:00Z' > "$dir/s"
printf '%s\n' '2026-11-25T13:54:00Z,198.51.100.0/24,1' '2026-11-25T13:54:00Z,203.0.113.0/24,3' > "$dir/want"
diff "$dir/want" "$dir/s" > "$dir/d" || fail "--by subnet: $(cat "$dir/d")"
"$S" timeline --bucket 1m -f "$log" > "$dir/t.txt" || fail "table"
[ "$(grep -c '(no snapshot)' "$dir/t.txt")" = 2 ] || fail "gaps not marked: $(cat "$dir/t.txt")"
grep -q '^2026-11-25T13:54:00Z  *1  *3  #\{20,\}$' "$dir/t.txt" || fail "chart row: $(cat "$dir/t.txt")"
golden "$data/reports/golden/timeline.txt" "$dir/t.txt" "the table"
"$S" timeline --bucket 0s -f "$log" 2> /dev/null && fail "--bucket 0s accepted"
# the recorder's duration grammar: a bare number is seconds, fractions work
"$S" timeline --bucket 60 -o csv -f "$log" > "$dir/b60.csv" || fail "--bucket 60 refused"
"$S" timeline --bucket 0.5m -o csv -f "$log" > "$dir/b05.csv" || fail "--bucket 0.5m refused"
"$S" timeline --bucket 30s -o csv -f "$log" > "$dir/b30.csv" || fail "--bucket 30s"
cmp -s "$dir/b60.csv" "$dir/m.csv" || fail "--bucket 60 is not 1m"
cmp -s "$dir/b05.csv" "$dir/b30.csv" || fail "--bucket 0.5m is not 30s"
"$S" timeline --bucket 1e1 -f "$log" 2> /dev/null && fail "--bucket 1e1 accepted"
"$S" timeline --by ip -f "$log" 2> /dev/null && fail "--by ip accepted"
# a snapshot dated in year 9999 (a wrong clock, a hand-edited date line):
# left out with one warning naming it, not "more than 100000 buckets"; the
# other reports show it as it is and do not fail
{ printf 'Fri Dec 31 23:59:00 UTC 9999\n'; awk 'NR > 1 && / UTC 2026$/ { exit } NR > 1' "$log"; } > "$dir/y9999.log"
rm -f "$dir/y.db"
"$S" import -q -d "$dir/y.db" "$log" "$dir/y9999.log" 2> "$dir/err" || fail "import 9999: $(cat "$dir/err")"
"$S" timeline --bucket 1m -o csv -d "$dir/y.db" > "$dir/y.csv" 2> "$dir/err" ||
	fail "timeline with a snapshot in year 9999: $(cat "$dir/err")"
"$S" timeline --bucket 1m -o csv -f "$log" > "$dir/m2.csv" || fail "timeline -o csv"
cmp -s "$dir/y.csv" "$dir/m2.csv" || fail "year 9999 left in: $(diff "$dir/m2.csv" "$dir/y.csv")"
[ "$(cat "$dir/err")" = "sockscope timeline: left out 1 snapshot dated after now (a wrong clock?): 9999-12-31T23:59:00Z (snapshot 5)" ] ||
	fail "year 9999 warning: $(cat "$dir/err")"
"$S" timeline -d "$dir/y.db" > /dev/null 2> "$dir/err" || fail "automatic bucket, year 9999: $(cat "$dir/err")"
for r in summary spikes top; do
	"$S" "$r" -d "$dir/y.db" > /dev/null 2> "$dir/err" || fail "$r with a snapshot in year 9999: $(cat "$dir/err")"
done
# an --until of the user's is theirs: the span is too long, and says so
"$S" timeline --bucket 1m --until 9999-12-31T23:59:59Z -d "$dir/y.db" > /dev/null 2> "$dir/err" &&
	fail "--until 9999 with 1m buckets worked"
grep -q "more than 100000 buckets from 2026-11-25T13:54:00Z to 9999-12-31T23:59:00Z" "$dir/err" ||
	fail "--until 9999: $(cat "$dir/err")"

pass "buckets keep the busiest snapshot; gaps; automatic bucket; subnets; CSV, JSON, table; a snapshot in year 9999 left out with a warning"
