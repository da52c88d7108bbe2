# names_reports — reports on dumps saved without -n (issue 15): named peers
# are grouped by name in a note under `top --by ip` and `--by subnet`, never
# counted as an address or a subnet, never turned into a block rule
# (`blocklist --explain` lists them and says how to get numbers).
# Usage: sh tests/integration/names_reports.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
db=$dir/t.db

"$S" import -q --no-progress -d "$db" --at 2026-11-25T13:54:00Z \
	"$data/names/netstat_a.txt" "$data/windows/netstat_a.txt" 2> "$dir/err" ||
	fail "import: $(cat "$dir/err")"
# the rows keep the names and no address
[ "$("$S" query -d "$db" "select count(*) from sockets where rhost = 'client-a.example.' and raddr is null and rnet = 0")" = 2 ] ||
	fail "named peer rows: $("$S" query -d "$db" "select rhost, raddr, rnet from sockets where rhost is not null")"
[ "$("$S" query -d "$db" "select count(*) from sources where names > 0")" = 2 ] || fail "sources.names"
"$S" sources -d "$db" > "$dir/src" || fail "sources"
[ "$(grep -c 'netstat (names)\|windows (names)' "$dir/src")" = 2 ] || fail "sources does not mark names: $(cat "$dir/src")"
# subnet() of a named peer is NULL, not an invented network
[ "$("$S" query -d "$db" "select count(*) from sockets where rhost is not null and subnet(raddr, 24) is not null")" = 0 ] ||
	fail "subnet() made a network of a name"

"$S" top -d "$db" --by ip > "$dir/top" 2> "$dir/err" || fail "top: $(cat "$dir/err")"
grep -q '^198.51.100.4 ' "$dir/top" || fail "numeric peer missing: $(cat "$dir/top")"
awk '/^ip /{t=1; next} /^$/{t=0} t && /example|localhost|DESKTOP/' "$dir/top" | grep -q . &&
	fail "a name in the address table: $(cat "$dir/top")"
grep -q 'had a peer known by name only' "$dir/top" || fail "no note on named peers: $(cat "$dir/top")"
grep -q '^  name client-a.example.  peak 2, 2 in all$' "$dir/top" || fail "named peer not grouped: $(cat "$dir/top")"
grep -q '^  name www.example.com  peak 1, 1 in all$' "$dir/top" || fail "Windows named peer: $(cat "$dir/top")"
"$S" top -d "$db" --by subnet > "$dir/sub" 2> "$dir/err" || fail "top subnet: $(cat "$dir/err")"
grep -q 'in no subnet: a name is not an address' "$dir/sub" || fail "subnet note: $(cat "$dir/sub")"
# on files, grouped as parsed: the count, and the way to see the names
"$S" top -f "$data/names/netstat_a.txt" > "$dir/topf" 2> "$dir/err" || fail "top -f: $(cat "$dir/err")"
grep -q '^named: 12 sockets of the files read had a peer known by name only' "$dir/topf" ||
	fail "top -f says nothing of named peers: $(cat "$dir/topf")"
grep -q '^198.51.100.4 ' "$dir/topf" || fail "top -f: numeric peer missing"
# machine-readable output keeps one meaning per column: no note in it
"$S" top -d "$db" --by ip --output csv > "$dir/csv" 2> "$dir/err" || fail "top csv: $(cat "$dir/err")"
grep -q 'name only' "$dir/csv" && fail "note inside CSV"

"$S" blocklist -d "$db" --explain --min-conns 1 --format iptables > "$dir/rules" 2> "$dir/why" ||
	fail "blocklist: exit $?: $(cat "$dir/why")"
grep -q 'none can become a rule' "$dir/why" || fail "explain does not list named peers: $(cat "$dir/why")"
grep -q '^  name client-a.example.  peak 2' "$dir/why" || fail "named peer not listed: $(cat "$dir/why")"
grep -q 'netstat -n' "$dir/why" || fail "no advice to save numbers"
grep -Eq 'example|localhost|DESKTOP' "$dir/rules" && fail "a name in the rules: $(cat "$dir/rules")"
"$S" blocklist -d "$db" > /dev/null 2> "$dir/why2" || fail "blocklist"
grep -q 'known by name only.*--explain lists them' "$dir/why2" || fail "no hint without --explain: $(cat "$dir/why2")"
pass "named peers grouped by name in notes, never an address, a subnet or a rule"
