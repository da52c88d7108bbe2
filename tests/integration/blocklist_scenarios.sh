# blocklist_scenarios — `sockscope blocklist` on a synthetic incident with
# known truth (tests/data/blocklist/scenario.awk): legitimate clients, a SYN
# flood from two subnets, a connection flood from 3 hosts (and one IPv6),
# a spoofed SYN flood from a huge spread, and peers the rails protect
# (loopback, a private backend, an office NAT under the threshold). The list
# holds exactly the attackers, never a legitimate or protected address; the
# spoofed flood is called so, its advice parses with nft; every option that
# moves a decision moves it as documented; CSV, JSON and the firewall
# formats agree.
# Usage: sh tests/integration/blocklist_scenarios.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) for CSV, JSON and the overlap checks"

log=$dir/scenario.log
awk -f "$data/blocklist/scenario.awk" > "$log" || fail "scenario.awk"
db=$dir/s.db
"$S" import -q -d "$db" "$log" 2> "$dir/err" || fail "import: $(cat "$dir/err")"

want_default='198.51.100.0/24
203.0.113.0/24
198.18.0.5/32
198.18.0.6/32
198.18.7.9/32
2001:db8:bad::7/128'

# the same list from the database and straight from the dump
"$S" blocklist -d "$db" > "$dir/plain" 2> "$dir/why" || fail "blocklist: $(cat "$dir/why")"
[ "$(cat "$dir/plain")" = "$want_default" ] ||
	fail "default list: got $(tr '\n' ' ' < "$dir/plain")"
"$S" blocklist "$log" > "$dir/plain2" 2> /dev/null || fail "blocklist FILE"
cmp -s "$dir/plain" "$dir/plain2" || fail "the dump read directly gives another list"

# the spoofed flood is called spoofed, with its numbers, and its advice is
# nft that parses
grep -q '^spoofed: a SYN flood of up to 3,000 SYN_RECV at 2026-11-25T12:02:15Z .* from 7,996 one-off sources spread over 6,426 /24 or /64 networks' "$dir/why" ||
	fail "no spoofed verdict: $(head -c 600 "$dir/why")"
grep -q '^  sysctl -w net.ipv4.tcp_syncookies=1$' "$dir/why" || fail "no syncookies advice"
grep -q '^  sysctl -w net.ipv4.tcp_max_syn_backlog=4096$' "$dir/why" || fail "no backlog advice"
grep -q '^  sysctl -w net.ipv4.tcp_synack_retries=2$' "$dir/why" || fail "no synack_retries advice"
sed -n '/^  table inet sockscope_synlimit {$/,/^  }$/p' "$dir/why" | sed 's/^  //' > "$dir/limit.nft"
grep -q 'tcp dport 80 tcp flags & (fin | syn | rst | ack) == syn limit rate over 200/second' "$dir/limit.nft" ||
	fail "no rate limit on the flooded port: $(cat "$dir/limit.nft")"
if command -v nft > /dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	nft -c -f "$dir/limit.nft" 2> "$dir/nfterr" || fail "the advice's nft does not parse: $(cat "$dir/nfterr")"
	"$S" blocklist -d "$db" --format nft --ttl 1h > "$dir/list.nft" 2> /dev/null || fail "--format nft"
	nft -c -f "$dir/list.nft" 2> "$dir/nfterr" || fail "the nft list does not parse: $(cat "$dir/nfterr")"
else
	note "SKIPPED PART: nft -c of the advice and the list (needs root and nftables; blocklist_tools.sh loads every format)"
fi

# never a legitimate client, the host itself, a protected range: checked
# by Python's ipaddress, whatever the list
check_clean() {
	python3 - "$1" <<'EOT' || fail "a protected network is in the list: $(cat "$1")"
import ipaddress, sys
protected = [ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "2001:db8:1::/64", "127.0.0.0/8", "10.0.0.1/32", "fd00:53::1/128",
    "100.64.0.0/10", "::1/128")]
for line in open(sys.argv[1]):
    net = ipaddress.ip_network(line.strip())
    for p in protected:
        if net.version == p.version and net.overlaps(p):
            sys.exit(f"{net} overlaps {p}")
EOT
}
check_clean "$dir/plain"

# --explain: every block with its evidence, the near misses with why
"$S" blocklist -d "$db" --explain > /dev/null 2> "$dir/explain" || fail "--explain"
grep -q '^threshold: 20 sockets at peak = max(20, 5 x median 2, median + 6 x sigma 1.5) over 77 peers' "$dir/explain" ||
	fail "baseline line: $(grep threshold "$dir/explain")"
grep -q '^block 198.51.100.0/24, score 81.3 (syn-flood): 250 hosts (250 alike), 500 sockets at peak 2026-11-25T12:00:50Z: 500 SYN_RECV, 0 ESTABLISHED, 0 closing; present in 10 of 40 snapshots' "$dir/explain" ||
	fail "evidence of 198.51.100.0/24: $(grep 198.51.100.0 "$dir/explain")"
grep -q '^block 198.18.0.5/32, score 64.4 (held): 50 sockets at peak .* 50 ESTABLISHED' "$dir/explain" ||
	fail "evidence of 198.18.0.5"
grep -q '^not blocked 192.0.2.200/32: 12 sockets at peak, below 20 (--min-conns)' "$dir/explain" ||
	fail "the office NAT's near miss"
grep -q '^not blocked 127.0.0.1/32: loopback\.' "$dir/explain" || fail "loopback's near miss"
grep -q '^not blocked 10.0.0.7/32: private (RFC 1918; --include-private)\.' "$dir/explain" ||
	fail "the private backend's near miss"
grep -q '^not blocked 198.18.0.0/24: 3 of its 3 hosts behave alike, fewer than 8 (--min-hosts)' "$dir/explain" ||
	fail "the connection flood's subnet"
if grep -q '^block .*192\.0\.2\.' "$dir/explain"; then fail "a legitimate client blocked"; fi

# the rails and thresholds, one option at a time
run() {   # run NAME EXPECTED-LIST OPTION...
	name=$1 want=$2
	shift 2
	"$S" blocklist -d "$db" "$@" > "$dir/out" 2> "$dir/err" || fail "$name: $(cat "$dir/err")"
	[ "$(tr '\n' ' ' < "$dir/out")" = "$want" ] || fail "$name: got $(tr '\n' ' ' < "$dir/out")"
}
run include-private "198.51.100.0/24 203.0.113.0/24 10.0.0.7/32 198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 2001:db8:bad::7/128 " --include-private
run allow "198.51.100.0/24 203.0.113.0/24 198.18.0.5/32 198.18.0.6/32 2001:db8:bad::7/128 " --allow 198.18.7.0/24 --allow 2001:db8:1::/48
printf '# partners\n198.18.0.6   # their proxy\n\n203.0.113.64/26\n' > "$dir/allow"
run allow-file "198.51.100.0/24 198.18.0.5/32 198.18.7.9/32 2001:db8:bad::7/128 " --allow-file "$dir/allow"
grep -q 'not blocked 203.0.113.0/24: overlaps --allow 203.0.113.64/26' "$dir/err" && fail "explain without --explain"
"$S" blocklist -d "$db" --allow-file "$dir/allow" --explain 2>&1 > /dev/null | grep -q '^not blocked 203.0.113.0/24: overlaps --allow 203.0.113.64/26\.' ||
	fail "an allowed /26 inside a subnet does not protect it"
run max-prefix "198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 2001:db8:bad::7/128 " --max-prefix 25
run prefix25 "198.51.100.0/25 198.51.100.128/25 203.0.113.0/25 198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 2001:db8:bad::7/128 " --prefix 25 --max-prefix 25
run min-conns "198.51.100.0/24 203.0.113.0/24 198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 2001:db8:bad::7/128 192.0.2.200/32 " --min-conns 10
run min-conns-high "198.51.100.0/24 " --min-conns 250
run min-snapshots "198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 " --min-snapshots 12
run min-share "198.51.100.0/24 203.0.113.0/24 " --min-share 3
run min-hosts "198.51.100.0/24 " --min-hosts 200 --family 4 --state SYN_RECV
run since "198.18.0.5/32 198.18.0.6/32 198.18.7.9/32 2001:db8:bad::7/128 " --since 2026-11-25T12:01:40Z
# the spread decides nothing once it is too small to count as one
"$S" blocklist -d "$db" --spread 100000 > /dev/null 2> "$dir/err" || fail "--spread"
if grep -q '^spoofed' "$dir/err"; then fail "--spread 100000 still calls the flood spoofed"; fi

# the host's own address protects its subnet, not the peers beside it. A
# listener's address counts, in any snapshot (not only the range: with a
# filter, the addresses come from a pass of their own instead of the scan,
# and must be the same); of two in the subnet, the message names the lower
# (not the first stored: the listener's span is)
own_log() {   # LISTENER_ADDRESS
	for t in 10:00:00 10:00:10 10:00:20; do
		echo "Wed Nov 25 $t UTC 2026"
		echo "Active Internet connections (servers and established)"
		echo "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
		[ $t = 10:00:00 ] &&
			printf 'tcp        0      0 %s:22          0.0.0.0:*               LISTEN     \n' "$1"
		h=10
		while [ $h -lt 30 ]; do
			j=0
			while [ $j -lt 25 ]; do
				printf 'tcp        0      0 203.0.113.5:80          203.0.113.%s:%s       SYN_RECV   \n' $h $((20000 + j))
				j=$((j + 1))
			done
			h=$((h + 1))
		done
	done
}
for case in 203.0.113.1:203.0.113.1 203.0.113.200:203.0.113.5; do
	own_log "${case%:*}" > "$dir/own.log"
	for f in "" "--since 2026-11-25T10:00:10Z" "--state SYN_RECV"; do
		# shellcheck disable=SC2086
		"$S" blocklist --explain $f "$dir/own.log" > "$dir/out" 2> "$dir/err" ||
			fail "own $f: $(cat "$dir/err")"
		grep -q "^not blocked 203.0.113.0/24: holds the host's own address ${case#*:}\\." "$dir/err" ||
			fail "own address ${case#*:} ($f): $(grep 203.0.113.0/24 "$dir/err")"
		[ "$(wc -l < "$dir/out")" = 20 ] && [ "$(head -1 "$dir/out")" = 203.0.113.10/32 ] &&
			! grep -q '203.0.113.5/32' "$dir/out" ||
			fail "own ($f): the 20 peers alone expected: $(tr '\n' ' ' < "$dir/out")"
	done
done

# CSV and JSON: the same blocks, evidence that parses; --explain adds the
# near misses as skip rows; the spoofed flood as an advise row
"$S" blocklist -d "$db" --format csv > "$dir/l.csv" 2> /dev/null || fail "--format csv"
"$S" blocklist -d "$db" --format json --explain > "$dir/l.json" 2> /dev/null || fail "--format json"
"$S" blocklist -d "$db" --format iptables > "$dir/l.ipt" 2> "$dir/ipterr" || fail "--format iptables"
python3 - "$dir/l.csv" "$dir/l.json" "$dir/plain" "$dir/l.ipt" <<'EOT' || fail "CSV/JSON/iptables disagree"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert all(len(r) == 17 for r in rows), "17 columns"
blocks = [r["cidr"] for r in rows if r["action"] == "block"]
assert blocks == open(sys.argv[3]).read().split(), (blocks, "plain")
adv = [r for r in rows if r["action"] == "advise"]
assert len(adv) == 1 and adv[0]["pattern"] == "spoofed" and adv[0]["hosts"] == "7996", adv
assert not [r for r in rows if r["action"] == "skip"], "skip rows without --explain"
js = [json.loads(l) for l in open(sys.argv[2])]
assert [j["cidr"] for j in js if j["action"] == "block"] == blocks
skips = {j["cidr"]: j["why"] for j in js if j["action"] == "skip"}
assert skips["127.0.0.1/32"] == "loopback", skips
assert skips["192.0.2.200/32"].startswith("12 sockets at peak, below 20"), skips
r = {x["cidr"]: x for x in rows}["198.51.100.0/24"]
assert (r["score"], r["pattern"], r["hosts"], r["peak"], r["syn_recv"], r["present"], r["snapshots"]) == \
    ("81.3", "syn-flood", "250", "500", "500", "10", "40"), r
ipt = [l.split() for l in open(sys.argv[4]) if l.startswith("-A SOCKSCOPE-BLOCK")]
assert [l[3] for l in ipt] == [b for b in blocks if ":" not in b], ipt
scores = {x["cidr"]: x["score"] for x in rows}
assert all(l[9] == scores[l[3]] + '"' for l in ipt), "comment scores"
EOT
grep -q '^note: 1 IPv6 network left out: use --format ip6tables' "$dir/ipterr" ||
	fail "iptables does not say it left the IPv6 network out"

# errors: a bad allow-file line names file and line and writes nothing; no
# snapshot in range is exit 1
printf '198.18.7.0/24\n198.18.7.300/24\n' > "$dir/bad.allow"
"$S" blocklist -d "$db" --allow-file "$dir/bad.allow" > "$dir/out" 2> "$dir/err"
[ $? = 2 ] || fail "a bad allow file is not an error"
grep -q "bad.allow:2: expected a network" "$dir/err" || fail "bad allow line: $(cat "$dir/err")"
[ ! -s "$dir/out" ] || fail "a list was written despite the bad allow file"
"$S" blocklist -d "$db" --since 2030-01-01T00:00:00Z > /dev/null 2> "$dir/err"
[ $? = 1 ] && grep -q 'no snapshot matches' "$dir/err" || fail "an empty range: $(cat "$dir/err")"
"$S" blocklist -d "$db" --format pf > /dev/null 2>&1
[ $? = 2 ] || fail "--format pf accepted"

pass "exactly the attackers (2 subnets, 3 hosts, 1 IPv6), the spoofed flood called so, rails and thresholds as documented"
