# blocklist_hostile — `sockscope blocklist` on dumps whose address, port,
# program and date fields are hostile (`;`, `$(reboot)`, backquotes, quotes,
# a newline inside ss's quotes, 5000-character tokens, invalid addresses,
# ::ffff:127.0.0.1 flooding) around a real attack (30 ESTABLISHED from
# 198.51.100.7 in 3 cron-log snapshots): it never crashes, every malformed
# line is reported as FILE:LINE, the plain list is exactly 198.51.100.7/32,
# the mapped loopback flood is refused as loopback, and in every format every
# line fits a strict regex and no hostile text reaches stdout or stderr
# (--explain included). With root, nft -c -f and iptables-restore --test /
# ip6tables-restore --test check the firewall files in a network namespace.
# Usage: sh tests/integration/blocklist_hostile.sh [BUILD_DIR]
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

# shellcheck disable=SC2016,SC2086 # hostile text is literal; $files are words
. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
tab=$(printf '\t')

# ---- the dumps ---------------------------------------------------------------
# put FILE TEXT: one line; bad FILE TEXT: one line the importer must reject,
# its FILE:LINE recorded in $dir/want.bad.
put() { printf '%s\n' "$2" >> "$dir/$1"; }
bad() {
	put "$1" "$2"
	printf '%s:%s\n' "$1" "$(wc -l < "$dir/$1" | tr -d ' ')" >> "$dir/want.bad"
}
long() { awk -v c="$1" 'BEGIN { for (i = 0; i < 5000; i++) printf "%s", c }'; }
A=$(long A)
B=$(long B)
C=$(long C)
: > "$dir/want.bad"

# netstat -antp (net-tools 2.10) as a cron log of `date` + netstat, 3
# snapshots; hostile program names on accepted rows, hostile addresses and
# ports on rejected ones (in the second snapshot only).
nsrow() { printf 'tcp        0      0 %-23s %-23s %-11s %s' "$1" "$2" "$3" "$4"; }
ns6row() { printf 'tcp6       0      0 %-23s %-23s %-11s %s' "$1" "$2" "$3" "$4"; }
for s in 0 1 2; do
	put netstat.log "Wed Nov 25 10:0$s:00 UTC 2026"
	put netstat.log 'Active Internet connections (servers and established)'
	put netstat.log 'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    '
	put netstat.log "$(nsrow 192.0.2.2:80 0.0.0.0:'*' LISTEN 100/nginx)"
	j=1
	while [ $j -le 30 ]; do   # the attack
		put netstat.log "$(nsrow 192.0.2.2:80 198.51.100.7:$((40000 + j)) ESTABLISHED '101/$(reboot)')"
		j=$((j + 1))
	done
	j=1
	while [ $j -le 12 ]; do   # clients, one connection each
		put netstat.log "$(nsrow 192.0.2.2:443 203.0.113.$j:$((50000 + j)) ESTABLISHED '102/;rm -rf /')"
		j=$((j + 1))
	done
	for j in 10 11 12; do
		put netstat.log "$(ns6row 2001:db8::2:443 2001:db8:1::$j:50000 ESTABLISHED '103/`id`')"
	done
	j=1
	while [ $j -le 40 ]; do   # loopback, spelled IPv4-mapped
		put netstat.log "$(ns6row ::ffff:192.0.2.2:8080 ::ffff:127.0.0.1:$((30000 + j)) ESTABLISHED "104/\"quoted\" it's evil")"
		j=$((j + 1))
	done
	put netstat.log "$(nsrow 192.0.2.2:80 198.51.100.20:4000 ESTABLISHED "105/$A")"
	put netstat.log "$(nsrow 192.0.2.2:80 198.51.100.21:4000 ESTABLISHED "106/a\"b'c")"
	[ $s = 1 ] || continue
	bad netstat.log "$(nsrow 192.0.2.2:80 999.1.1.1:4000 ESTABLISHED 107/x)"
	bad netstat.log "$(nsrow 192.0.2.2:80 1.2.3:4000 ESTABLISHED 107/x)"
	bad netstat.log "$(ns6row 2001:db8::2:80 ::g:4000 ESTABLISHED 107/x)"
	bad netstat.log "$(nsrow 192.0.2.2:80 '$(reboot):4000' ESTABLISHED 107/x)"
	bad netstat.log "$(nsrow 192.0.2.2:80 '198.51.100.9;rm:4000' ESTABLISHED 107/x)"
	bad netstat.log "$(nsrow 192.0.2.2:80 "$B:4000" ESTABLISHED 107/x)"
	bad netstat.log "$(nsrow 192.0.2.2:80 '198.51.100.22:`id`' ESTABLISHED 107/x)"
	bad netstat.log "$(nsrow '192.0.2.2:80;reboot' 198.51.100.23:4000 ESTABLISHED 107/x)"
done

# ss -tanp (iproute2 6.1) with a date line: hostile names in users:((...)),
# one with a newline inside its quotes (ss wraps long rows, so the second
# half joins the row), hostile addresses.
ssrow() { printf '%-10s 0      0 %26s %22s %s' "$1" "$2" "$3" "$4"; }
put ss.log 'Wed Nov 25 10:03:00 UTC 2026'
put ss.log 'State      Recv-Q Send-Q         Local Address:Port           Peer Address:Port Process'
put ss.log "$(ssrow LISTEN 192.0.2.2:80 0.0.0.0:'*' 'users:(("nginx",pid=100,fd=4))')"
put ss.log "$(ssrow ESTAB 192.0.2.2:80 198.51.100.7:41001 'users:(("$(reboot)",pid=101,fd=5))')"
put ss.log "$(ssrow ESTAB 192.0.2.2:80 198.51.100.30:41001 'users:((";rm -rf /",pid=101,fd=5))')"
put ss.log "$(ssrow ESTAB 192.0.2.2:80 198.51.100.31:41001 'users:(("`id`",pid=101,fd=5))')"
put ss.log "$(ssrow ESTAB 192.0.2.2:80 198.51.100.32:41001 "users:((\"a\"b'c evil\",pid=101,fd=5))")"
put ss.log "$(ssrow ESTAB 192.0.2.2:80 198.51.100.33:41001 'users:(("line')"
put ss.log 'break-evil",pid=101,fd=5))'
put ss.log "$(ssrow ESTAB 192.0.2.2:80 198.51.100.34:41001 "users:((\"$C\",pid=101,fd=5))")"
put ss.log "$(ssrow ESTAB '[::ffff:192.0.2.2]:8080' '[::ffff:127.0.0.1]:30001' 'users:(("`id`",pid=103,fd=5))')"
bad ss.log "$(ssrow ESTAB 192.0.2.2:80 999.1.1.1:41001 'users:(("x",pid=101,fd=5))')"
bad ss.log "$(ssrow ESTAB 192.0.2.2:80 1.2.3:41001 'users:(("x",pid=101,fd=5))')"
bad ss.log "$(ssrow ESTAB '[2001:db8::2]:80' '[::g]:41001' 'users:(("x",pid=101,fd=5))')"
bad ss.log "$(ssrow ESTAB 192.0.2.2:80 '$(reboot):41001' 'users:(("x",pid=101,fd=5))')"
bad ss.log "$(ssrow ESTAB 192.0.2.2:80 '198.51.100.9;rm:41001' 'users:(("x",pid=101,fd=5))')"
bad ss.log "$(ssrow ESTAB 192.0.2.2:80 "$B:41001" 'users:(("x",pid=101,fd=5))')"
bad ss.log "$(ssrow ESTAB 192.0.2.2:80 '198.51.100.35:`id`' 'users:(("x",pid=101,fd=5))')"

# /proc/net/tcp and tcp6 with date lines: hex fields replaced by hostile
# text; the mapped loopback again (0000000000000000FFFF00000100007F).
prow() { printf '%4d: %s %s 01 00000000:00000000 00:00000000 00000000     0 %8s %d 1 000000008f8492b6 100 0 0 10 0' "$1" "$2" "$3" "${4:-0}" $((1328760 + $1)); }
put proc_tcp.log 'Wed Nov 25 10:04:00 UTC 2026'
put proc_tcp.log '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     '
put proc_tcp.log "$(prow 0 020200C0:0050 076433C6:A001)"
bad proc_tcp.log "$(prow 1 020200C0:0050 '$(reboot):A001')"
bad proc_tcp.log "$(prow 2 020200C0:0050 ZZZZZZZZ:A001)"
bad proc_tcp.log "$(prow 3 020200C0:0050 "$B:A001")"
bad proc_tcp.log "$(prow 4 020200C0:0050 '076433C6:`id`')"
bad proc_tcp.log "$(prow 5 020200C0:0050 '076433C6;rm -rf /:A001')"
bad proc_tcp.log "$(prow 6 020200C0:0050 1E6433C6:A002 '$(reboot)')"
put proc_tcp6.log 'Wed Nov 25 10:04:00 UTC 2026'
put proc_tcp6.log '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
for j in 1 2 3 4 5; do
	put proc_tcp6.log "$(prow $j 0000000000000000FFFF0000020200C0:1F90 0000000000000000FFFF00000100007F:753$j)"
done
bad proc_tcp6.log "$(prow 9 00000000000000000000000000000000:0050 0000000000000000000000000000G000:0050)"

# hostile date lines: not dates, so rows, and malformed ones
bad dates.log 'Wed Nov 25 10:05:00 EVIL$(reboot) 2026'
put dates.log 'Active Internet connections (servers and established)'
put dates.log 'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name'
put dates.log "$(nsrow 192.0.2.2:443 203.0.113.50:50000 ESTABLISHED 102/nginx)"
bad dates.log 'Wed Nov 25 10:06:00 `id` 2026'
touch -d @1795601100 "$dir/dates.log"   # its time: 2026-11-25T10:05:00Z, the file's mtime

files="netstat.log ss.log proc_tcp.log proc_tcp6.log dates.log"
hostile='$(
`
;rm
rm -rf
reboot
evil
quoted
it'"'"'s
a"b
b'"'"'c
linebreak
break-
AAAAAAAAAAAAAAAA
BBBBBBBBBBBBBBBB
CCCCCCCCCCCCCCCC
999.1.1.1
1.2.3:
::g
::ffff:
ZZZZ
G000'
printf '%s\n' "$hostile" > "$dir/hostile"

# no_hostile FILE WHAT: none of the hostile substrings in FILE
no_hostile() {
	if grep -F -f "$dir/hostile" "$1" > "$dir/hits"; then
		fail "$2 holds hostile text: $(head -c 300 "$dir/hits")"
	fi
}

# run NAME ARGS...: sockscope ARGS in $dir, stdout to NAME.out, stderr to
# NAME.err; the exit must be 0 or 1 (not a usage error, not a signal)
run() {
	rn=$1
	shift
	(cd "$dir" && "$S" "$@") > "$dir/$rn.out" 2> "$dir/$rn.err"
	rc=$?
	[ $rc -le 1 ] || fail "sockscope $* exited $rc: $(head -c 600 "$dir/$rn.err")"
}

# ---- the importer reports every malformed line, as FILE:LINE ----------------
# a report shows the first 20 bad lines of each source; each has fewer
for f in $files; do
	run "one-$f" blocklist --explain "$f"
done
run all blocklist $files
grep -E '^[a-z_0-9]+\.log:[0-9]+: ' "$dir/all.err" | cut -d: -f1,2 | sort > "$dir/got.bad"
sort "$dir/want.bad" > "$dir/want.bad.sorted"
diff "$dir/want.bad.sorted" "$dir/got.bad" > "$dir/d" ||
	fail "malformed lines reported (want < > got): $(cat "$dir/d")"
grep -E '^[a-z_0-9]+\.log:[0-9]+: expected ' "$dir/all.err" > /dev/null ||
	fail "the reports do not say what was expected: $(head -5 "$dir/all.err")"
# the database path: every bad line shown, the same list
run import import -q --max-errors 100 -d t.db $files
grep -E '^[a-z_0-9]+\.log:[0-9]+: ' "$dir/import.err" | cut -d: -f1,2 | sort > "$dir/got.bad"
diff "$dir/want.bad.sorted" "$dir/got.bad" > "$dir/d" ||
	fail "import: malformed lines reported (want < > got): $(cat "$dir/d")"
no_hostile "$dir/import.err" "import's stderr"

# ---- the list: exactly the attacker ------------------------------------------
printf '198.51.100.7/32\n' > "$dir/want.plain"
diff "$dir/want.plain" "$dir/all.out" > "$dir/d" || fail "plain list (want < > got): $(cat "$dir/d")"
run db blocklist -d t.db
diff "$dir/want.plain" "$dir/db.out" > "$dir/d" || fail "plain list from the database: $(cat "$dir/d")"
fargs=""
for f in $files; do fargs="$fargs -f $f"; done
run dashf blocklist $fargs
diff "$dir/want.plain" "$dir/dashf.out" > "$dir/d" || fail "plain list with -f: $(cat "$dir/d")"
cat "$dir/netstat.log" "$dir/ss.log" | "$S" blocklist - > "$dir/stdin.out" 2> "$dir/stdin.err"
[ $? -le 1 ] || fail "sockscope blocklist - (stdin): $(head -c 600 "$dir/stdin.err")"
diff "$dir/want.plain" "$dir/stdin.out" > "$dir/d" || fail "plain list from stdin: $(cat "$dir/d")"
run explain blocklist --explain $files
diff "$dir/want.plain" "$dir/explain.out" > "$dir/d" || fail "plain list with --explain: $(cat "$dir/d")"
grep -q '^block 198\.51\.100\.7/32, ' "$dir/explain.err" ||
	fail "--explain does not explain 198.51.100.7/32: $(head -c 600 "$dir/explain.err")"
grep -q '^not blocked 127\.0\.0\.1/32: loopback' "$dir/explain.err" ||
	fail "the ::ffff:127.0.0.1 flood is not refused as loopback: $(head -c 900 "$dir/explain.err")"

# ---- every format: strict lines, no hostile text -------------------------------
O='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
V4="$O\\.$O\\.$O\\.$O/(3[0-2]|[12][0-9]|[1-9])"
H='[0-9a-f]{1,4}'
V6="(($H:){7}$H|(($H:){0,6}$H)?::(($H:){0,6}$H)?)/(12[0-8]|1[01][0-9]|[1-9][0-9]|[1-9])"
SCORE='(100|[1-9]?[0-9])\.[0-9]'
T='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
HEAD="# sockscope block-list, $T: [0-9]+ networks?\\. Load: "
# the why column: the words of sockscope's reasons (a quote only doubled)
WQ="[A-Za-z0-9 .,:;/()%'=+_-]"
WU="[A-Za-z0-9 .:;/()%'=+_-]"
INT='(0|[1-9][0-9]*)'
SHARE='(100|[1-9]?[0-9])\.[0-9]{3}'
PAT='(syn-flood|held|churn|mixed|spoofed)'
CSVROW="($V4|$V6|),(block|skip|advise),($SCORE)?,$PAT,$INT,$INT,$INT,$T,$INT,$INT?,$INT?,$INT?,$INT,($SHARE)?,$T,$T,($WU*|\"($WQ|\"\")*\")"
JSONROW="\\{\"cidr\":(\"($V4|$V6)\"|null),\"action\":\"(block|skip|advise)\",\"score\":($SCORE|null),\"pattern\":\"$PAT\",\"hosts\":$INT,\"alike\":$INT,\"peak\":$INT,\"peak_time\":\"$T\",\"syn_recv\":$INT,\"established\":($INT|null),\"closing\":($INT|null),\"present\":($INT|null),\"snapshots\":$INT,\"share\":($SHARE|null),\"first\":\"$T\",\"last\":\"$T\",\"why\":\"($WQ|\\\\\")*\"\\}"

# lines FORMAT FILE: the regexes FILE's lines must each match (one a line)
lines() {
	case $1 in
	plain) printf '%s\n' "$V4" "$V6" ;;
	iptables | ip6tables)
		if [ "$1" = iptables ]; then v=$V4; else v=$V6; fi
		printf '%s\n' "$HEAD$1-restore --noflush < FILE" '\*filter' ':SOCKSCOPE-BLOCK - \[0:0\]' \
			'-F SOCKSCOPE-BLOCK' \
			"-A SOCKSCOPE-BLOCK -s $v -m comment --comment \"sockscope score $SCORE\" -j DROP" \
			'-I INPUT 1 -j SOCKSCOPE-BLOCK' 'COMMIT' ;;
	nft)
		printf '%s\n' "${HEAD}nft -f FILE" 'table inet sockscope \{\}' 'delete table inet sockscope' \
			'table inet sockscope \{' "${tab}set block[46] \\{" "$tab${tab}type ipv[46]_addr" \
			"$tab${tab}flags interval(, timeout)?" "$tab${tab}auto-merge" "$tab${tab}timeout [1-9][0-9]*s" \
			"$tab${tab}elements = \\{ $V4(, $V4)* \\}" "$tab${tab}elements = \\{ $V6(, $V6)* \\}" \
			"$tab\\}" "${tab}chain input \\{" \
			"$tab${tab}type filter hook input priority -10; policy accept;" \
			"$tab${tab}ip saddr @block4 drop" "$tab${tab}ip6 saddr @block6 drop" '\}' ;;
	ipset)
		printf '%s\n' "${HEAD}ipset restore < FILE" \
			'create sockscope-block4 hash:net family inet( timeout [1-9][0-9]*)? -exist' \
			'create sockscope-block6 hash:net family inet6( timeout [1-9][0-9]*)? -exist' \
			'flush sockscope-block[46]' "add sockscope-block4 $V4 -exist" "add sockscope-block6 $V6 -exist" ;;
	csv)
		printf '%s\n' 'cidr,action,score,pattern,hosts,alike,peak,peak_time,syn_recv,established,closing,present,snapshots,share,first,last,why' \
			"$CSVROW" ;;
	json) printf '%s\n' "$JSONROW" ;;
	esac
}

# networks FORMAT FILE: the networks a firewall file names, one a line
networks() {
	case $1 in
	plain) cat "$2" ;;
	iptables | ip6tables) sed -n 's/^-A SOCKSCOPE-BLOCK -s \([^ ]*\) .*/\1/p' "$2" ;;
	nft) sed -n 's/^\t\telements = { \(.*\) }$/\1/p' "$2" | tr -d ' ' | tr ',' '\n' ;;
	ipset) sed -n 's/^add sockscope-block[46] \([^ ]*\) -exist$/\1/p' "$2" ;;
	csv) awk -F, 'NR > 1 && $2 == "block" { print $1 }' "$2" ;;
	json) sed -n 's/^{"cidr":"\([^"]*\)","action":"block".*/\1/p' "$2" ;;
	esac
}

canonical_checked=0
check_format() {   # FORMAT NAME: the output NAME.out of FORMAT, and NAME.err
	lines "$1" > "$dir/re.$1"
	[ -s "$dir/$2.out" ] || [ "$1" = plain ] || fail "$1: no output"
	if grep -Evx -f "$dir/re.$1" "$dir/$2.out" > "$dir/bad.lines"; then
		fail "$1 ($2): lines outside the format's grammar: $(head -c 600 "$dir/bad.lines")"
	fi
	no_hostile "$dir/$2.out" "$1 output ($2)"
	no_hostile "$dir/$2.err" "stderr of --format $1 ($2)"
	networks "$1" "$dir/$2.out" > "$dir/$2.nets"
	if grep -E '^(127\.|0\.|169\.254\.|22[4-9]\.|23[0-9]\.|255\.255\.255\.255/|::1/|::/|fe[89ab][0-9a-f]:|ff[0-9a-f]{2}:)' "$dir/$2.nets" > "$dir/hits"; then
		fail "$1 ($2) blocks a protected network: $(cat "$dir/hits")"
	fi
	if command -v python3 > /dev/null 2>&1; then
		python3 -c 'import ipaddress, sys
for l in sys.stdin:
    n = l.strip()
    assert str(ipaddress.ip_network(n)) == n, n' < "$dir/$2.nets" 2> "$dir/py.err" ||
			fail "$1 ($2): a network not canonical: $(tail -1 "$dir/py.err")"
		canonical_checked=1
	fi
}

formats="plain iptables ip6tables nft ipset csv json"
# as recommended (the attacker alone), and as aggressive as the options go
# (every peer a candidate, private ranges allowed, near misses as rows)
for f in $formats; do
	run "def-$f" blocklist --format "$f" $files
	check_format "$f" "def-$f"
	run "agg-$f" blocklist --format "$f" --explain --min-conns 1 --include-private --ttl 1h $files
	check_format "$f" "agg-$f"
done
for m in def agg; do
	sort "$dir/$m-plain.nets" > "$dir/$m.want"
	for f in nft ipset csv json; do
		sort "$dir/$m-$f.nets" | diff "$dir/$m.want" - > "$dir/d" ||
			fail "$f ($m) names other networks than plain: $(cat "$dir/d")"
	done
	cat "$dir/$m-iptables.nets" "$dir/$m-ip6tables.nets" | sort | diff "$dir/$m.want" - > "$dir/d" ||
		fail "iptables + ip6tables ($m) name other networks than plain: $(cat "$dir/d")"
done
for f in nft ipset csv json; do
	[ "$(cat "$dir/def-$f.nets")" = 198.51.100.7/32 ] ||
		fail "$f: not exactly 198.51.100.7/32: $(cat "$dir/def-$f.out")"
done
if [ "$(cat "$dir/def-iptables.nets")" != 198.51.100.7/32 ] || [ -s "$dir/def-ip6tables.nets" ]; then
	fail "iptables/ip6tables: not exactly 198.51.100.7/32: $(cat "$dir/def-iptables.out" "$dir/def-ip6tables.out")"
fi
# the aggressive run: some of each family, so both grammars were used; the
# mapped loopback, a near miss, is only ever a refused row
if ! grep -q : "$dir/agg-plain.nets" || ! grep -q '\.' "$dir/agg-plain.nets"; then
	fail "the aggressive run lists not both families: $(cat "$dir/agg-plain.out")"
fi
grep -q '^127\.0\.0\.1/32,skip,' "$dir/agg-csv.out" ||
	fail "127.0.0.1/32 is not a refused near miss in CSV: $(head -c 600 "$dir/agg-csv.out")"
if command -v python3 > /dev/null 2>&1; then
	python3 -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l)
    assert len(r) == 17 and list(r)[0] == "cidr", r
    assert r["action"] != "block" or not str(r["cidr"]).startswith("127."), r' < "$dir/agg-json.out" ||
		fail "JSON lines: $(head -c 600 "$dir/agg-json.out")"
else
	note "no python3: JSON and canonical networks checked by regex only"
fi

# ---- the real tools, where there are root and the tools -------------------------
tools=""
if [ "$(id -u)" != 0 ]; then
	note "SKIPPED: nft -c -f / iptables-restore --test (not root)"
elif ! command -v nft > /dev/null 2>&1; then
	note "SKIPPED: nft -c -f (no nft; apt-get install nftables)"
else
	sh_ns=""
	if command -v ip > /dev/null 2>&1 && ip netns add "sst-probe-$$" 2> /dev/null; then
		ip netns del "sst-probe-$$"
		netns_new check
		sh_ns="in_ns check"
	else
		note "no network namespace: nft -c runs in the host's (check only, nothing is applied)"
	fi
	for m in def agg; do
		$sh_ns nft -c -f "$dir/$m-nft.out" 2> "$dir/nft.err" ||
			fail "nft -c -f rejects the $m nft file: $(cat "$dir/nft.err")"
	done
	tools="nft -c"
	if [ -n "$sh_ns" ]; then
		for t in iptables ip6tables; do
			if ! command -v "$t-restore" > /dev/null 2>&1; then
				note "SKIPPED: $t-restore --test (not installed)"
				continue
			fi
			for m in def agg; do
				$sh_ns "$t-restore" --test --noflush < "$dir/$m-$t.out" 2> "$dir/t.err" ||
					fail "$t-restore --test rejects the $m file: $(cat "$dir/t.err")"
			done
			tools="$tools, $t-restore --test"
		done
	fi
fi
for e in "$dir"/*.err; do
	no_hostile "$e" "stderr ($(basename "$e" .err))"
done
[ -n "$tools" ] || tools="no firewall tool check (see SKIPPED above)"
[ $canonical_checked = 1 ] || note "no python3: networks not checked canonical by ipaddress"

pass "$(wc -l < "$dir/want.bad" | tr -d ' ') malformed lines reported as FILE:LINE; plain = 198.51.100.7/32; ::ffff:127.0.0.1 refused as loopback; 7 formats x 2 option sets: strict lines, no hostile text on stdout or stderr; $tools"
