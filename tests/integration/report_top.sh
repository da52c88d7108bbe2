# report_top — `sockscope top` on a fixture with known answers (every number
# below can be counted in tests/data/reports/two_dumps.log): per IP, subnet,
# port and state; peak, share, average, peers, presence; --port 80 never
# matching 8080, 180 or 10.0.0.80; the IPv4-mapped peer counted with its
# IPv4 self; --at; a database and no database (-f, stdin) agree; CSV parses
# back with the same values; every JSON line is valid JSON.
# Usage: sh tests/integration/report_top.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
log=$data/reports/two_dumps.log
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to parse CSV and JSON"


"$S" top -o csv -f "$log" > "$dir/ip.csv" 2> "$dir/err" || fail "top -f: $(cat "$dir/err")"
csvrows ip conns share avg peers states first last snapshots < "$dir/ip.csv" > "$dir/ip"
cat > "$dir/want" <<'EOT'
ip=203.0.113.5 conns=3 share=36.4 avg=2.0 peers=1 states=SYN_RECV 3 first=2026-11-25T13:54:00Z last=2026-11-25T13:55:00Z snapshots=2/2
ip=198.51.100.7 conns=2 share=27.3 avg=1.5 peers=1 states=ESTABLISHED 2 first=2026-11-25T13:54:00Z last=2026-11-25T13:55:00Z snapshots=2/2
ip=198.51.100.8 conns=1 share=9.1 avg=0.5 peers=1 states=ESTABLISHED 1 first=2026-11-25T13:54:00Z last=2026-11-25T13:54:00Z snapshots=1/2
ip=203.0.113.6 conns=1 share=9.1 avg=0.5 peers=1 states=SYN_RECV 1 first=2026-11-25T13:54:00Z last=2026-11-25T13:54:00Z snapshots=1/2
ip=203.0.113.7 conns=1 share=9.1 avg=0.5 peers=1 states=SYN_RECV 1 first=2026-11-25T13:55:00Z last=2026-11-25T13:55:00Z snapshots=1/2
ip=2001:db8:1::9 conns=1 share=9.1 avg=0.5 peers=1 states=ESTABLISHED 1 first=2026-11-25T13:54:00Z last=2026-11-25T13:54:00Z snapshots=1/2
EOT
diff "$dir/want" "$dir/ip" > "$dir/d" || fail "top --by ip: $(cat "$dir/d")"

# --port 80: the port field, local or remote: not 8080, 180 or 10.0.0.80
"$S" top -o csv --port 80 -f "$log" | csvrows ip conns > "$dir/p80"
printf 'ip=203.0.113.5 conns=3\nip=203.0.113.6 conns=1\nip=203.0.113.7 conns=1\n' > "$dir/want"
diff "$dir/want" "$dir/p80" > "$dir/d" || fail "--port 80: $(cat "$dir/d")"

# subnets: /24 for IPv4, /64 for IPv6; distinct peers per subnet
"$S" top -o csv --by subnet -f "$log" | csvrows subnet conns avg peers > "$dir/net"
printf '%s\n' 'subnet=203.0.113.0/24 conns=4 avg=3.0 peers=3' \
	'subnet=198.51.100.0/24 conns=3 avg=2.0 peers=2' 'subnet=2001:db8:1::/64 conns=1 avg=0.5 peers=1' > "$dir/want"
diff "$dir/want" "$dir/net" > "$dir/d" || fail "--by subnet: $(cat "$dir/d")"
"$S" top -o csv --by subnet --prefix 16 --prefix6 32 -f "$log" | csvrows subnet conns > "$dir/net16"
printf '%s\n' 'subnet=203.0.0.0/16 conns=4' 'subnet=198.51.0.0/16 conns=3' 'subnet=2001:db8::/32 conns=1' > "$dir/want"
diff "$dir/want" "$dir/net16" > "$dir/d" || fail "--prefix 16 --prefix6 32: $(cat "$dir/d")"

# ports and states; the article's SYN_REC spelling
"$S" top -o csv --by port -f "$log" | csvrows port conns > "$dir/port"
printf '%s\n' 'port=80 conns=4' 'port=8080 conns=1' 'port=22 conns=1' 'port=180 conns=1' 'port=443 conns=1' > "$dir/want"
diff "$dir/want" "$dir/port" > "$dir/d" || fail "--by port: $(cat "$dir/d")"
"$S" top -o csv --by state --state SYN_REC -f "$log" | csvrows state conns avg > "$dir/st"
[ "$(cat "$dir/st")" = "state=SYN_RECV conns=4 avg=3.0" ] || fail "--state SYN_REC: $(cat "$dir/st")"
"$S" top -o csv --family 6 -f "$log" | csvrows ip > "$dir/f6"
[ "$(cat "$dir/f6")" = "ip=2001:db8:1::9" ] || fail "--family 6: $(cat "$dir/f6")"

# one moment
"$S" top -o csv --at 2026-11-25T13:54:30Z -f "$log" | csvrows ip conns share snapshots > "$dir/at.all"
head -2 "$dir/at.all" > "$dir/at"
printf '%s\n' 'ip=203.0.113.5 conns=3 share=37.5 snapshots=1/1' 'ip=198.51.100.7 conns=2 share=25.0 snapshots=1/1' > "$dir/want"
diff "$dir/want" "$dir/at" > "$dir/d" || fail "--at: $(cat "$dir/d")"

# the same from a database, and from stdin
"$S" import -q -d "$dir/t.db" "$log" 2> /dev/null || fail "import"
"$S" top -o csv -d "$dir/t.db" > "$dir/db.csv" || fail "top -d"
cmp -s "$dir/ip.csv" "$dir/db.csv" || fail "database and -f reports differ"
"$S" top -o csv - < "$log" > "$dir/stdin.csv" || fail "top -"
cmp -s "$dir/ip.csv" "$dir/stdin.csv" || fail "stdin report differs"
# every filter means the same in SQL (database) and in C (dumps read directly)
for opts in "--port 80" "--lport 80" "--rport 8080" "--state SYN_REC" "--state ESTAB,UNCONN" \
	"--proto udp" "--proto tcp" "--family 4" "--family 6" "--program nginx" \
	"--since 2026-11-25T13:55:00Z" "--until 2026-11-25T13:54:30Z" "--by port --state LISTEN" \
	"--by state" "--by subnet --prefix 16" "--by program" "--by port --port 80"; do
	# shellcheck disable=SC2086  # opts are words
	"$S" top -o csv $opts -d "$dir/t.db" > "$dir/f.db.csv" 2>&1 || fail "top -d $opts"
	# shellcheck disable=SC2086
	"$S" top -o csv $opts -f "$log" > "$dir/f.file.csv" 2>&1 || fail "top -f $opts"
	cmp -s "$dir/f.db.csv" "$dir/f.file.csv" ||
		fail "top $opts: database and dump differ: $(diff "$dir/f.db.csv" "$dir/f.file.csv")"
done
# a file named twice is read once, as the database's content hash keeps it once
"$S" top -o csv -f "$log" -f "$log" > "$dir/twice.csv" || fail "top -f LOG -f LOG"
cmp -s "$dir/ip.csv" "$dir/twice.csv" || fail "a file named twice counted twice: $(cat "$dir/twice.csv")"
lst=$data/reports/listeners.txt
"$S" import -q -d "$dir/l.db" "$lst" 2> /dev/null || fail "import listeners"
for opts in "--by program" "--program nginx:\ worker" "--by port --state LISTEN" "--proto udp --by state" \
	"--by subnet --family 6"; do
	eval "set -- $opts"
	"$S" top -o csv "$@" -d "$dir/l.db" > "$dir/f.db.csv" 2>&1 || fail "top -d $opts"
	"$S" top -o csv "$@" -f "$lst" > "$dir/f.file.csv" 2>&1 || fail "top -f $opts"
	cmp -s "$dir/f.db.csv" "$dir/f.file.csv" ||
		fail "top $opts: database and dump differ: $(diff "$dir/f.db.csv" "$dir/f.file.csv")"
	[ "$(wc -l < "$dir/f.db.csv")" -gt 1 ] || fail "top $opts on listeners.txt: no rows"
done
"$S" top -o csv --host nobody -d "$dir/t.db" | csvrows ip > "$dir/none"
[ ! -s "$dir/none" ] || fail "--host filter ignored"

# JSON: one valid object per line, numbers as numbers
"$S" top -o json -f "$log" > "$dir/ip.json" || fail "top -o json"
python3 -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 6, rows
assert rows[0]["ip"] == "203.0.113.5" and rows[0]["conns"] == 3 and rows[0]["share"] == 36.4, rows[0]
assert rows[0]["peers"] == 1 and rows[0]["snapshots"] == "2/2", rows[0]' < "$dir/ip.json" ||
	fail "JSON: $(cat "$dir/ip.json")"

# the table: a header, one line per group
"$S" top -f "$log" > "$dir/ip.txt" || fail "table"
[ "$(wc -l < "$dir/ip.txt")" = 7 ] || fail "table lines: $(cat "$dir/ip.txt")"
head -1 "$dir/ip.txt" | grep -q '^ip  *conns  *share  *avg  *peers  *states' || fail "table header: $(head -1 "$dir/ip.txt")"
! grep -q "$(printf '\033')" "$dir/ip.txt" || fail "colour when not on a terminal"
golden "$data/reports/golden/top_ip.txt" "$dir/ip.txt" "the table"
"$S" top --by subnet -f "$log" > "$dir/net.txt" || fail "table --by subnet"
golden "$data/reports/golden/top_subnet.txt" "$dir/net.txt" "the --by subnet table"
pass "top by ip, subnet, port, state; --port 80 exact; mapped folded; --at; db = -f = stdin; CSV, JSON, golden tables"
