# top_fast — `sockscope top` by ip over one dump: its fast path (peercount,
# issue 17) prints exactly what the general path prints
# (SOCKSCOPE_TEST_TOP_GENERAL): stdout, stderr and exit status, for every
# dump under tests/data and generated variants (the bench's netstat -ntu;
# listeners, unconnected UDP, IPv4-mapped and IPv6 peers; a bad line, a
# date line, CRLF, gzip, a -p header, no final newline, empty, headers
# only), with filters and output formats, from a file, from stdin redirected
# from a file and from a pipe (the bytes read before it gives up replayed
# to the general path). The fast path must be the one taken where it
# covers the input (SOCKSCOPE_TEST_TOP_PATH), so that a difference is seen;
# a 9.6 MB dump read in two halves by two threads, with a bad line in
# either half or none.
# No root needed.
# Usage: sh tests/integration/top_fast.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
S=$BUILD/sockscope
[ -x "$S" ] || fail "missing $S (run make first)"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
. "$(dirname "$0")/../../bench/lib.sh"
command -v gzip > /dev/null 2>&1 || skip "needs gzip"

# --- inputs ---------------------------------------------------------------
netstat_ntu 3000 > "$dir/gen.txt"
cat > "$dir/mixed.txt" <<'EOT'
Active Internet connections (servers and established)
Proto Recv-Q Send-Q Local Address           Foreign Address         State      
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN     
tcp        0      0 192.0.2.2:80            198.51.100.7:40000      ESTABLISHED
tcp        0      0 192.0.2.2:80            198.51.100.7:40001      TIME_WAIT  
tcp        0      0 192.0.2.2:80            198.51.100.7:40002      SYN_RECV   
tcp        0      0 192.0.2.2:80            198.51.100.8:40003      CLOSE      
tcp       17   4096 192.0.2.2:443           203.0.113.9:1024        CLOSE_WAIT 
tcp        0      0 192.0.2.2:443           203.0.113.9:1025        FIN_WAIT1  
tcp6       0      0 :::22                   :::*                    LISTEN     
tcp6       0      0 ::ffff:192.0.2.2:80     ::ffff:198.51.100.7:5   ESTABLISHED
tcp6       0      0 ::ffff:192.0.2.2:80     ::ffff:203.0.113.9:6    LAST_ACK   
tcp6       0      0 2001:db8::2:443         2001:db8:1::9:7         ESTABLISHED
tcp6       0      0 2001:db8::2:443         2001:db8:1::9:8         CLOSING    
tcp6       0      0 2001:db8::2:443         2001:db8:1::a:9         SYN_SENT   
udp        0      0 0.0.0.0:68              0.0.0.0:*                          
udp        0      0 192.0.2.2:5353          198.51.100.53:53        ESTABLISHED
udp        0      0 192.0.2.2:5354          198.51.100.53:53        ESTABLISHED
udp6       0      0 :::546                  :::*                               
udp6       0      0 2001:db8::2:5000        2001:db8:53::1:53       ESTABLISHED
tcp        0      0 192.0.2.2:8080          198.51.100.80:80        FIN_WAIT2  
tcp   000000000000000 0 192.0.2.2:180       10.0.0.80:00180         ESTABLISHED
EOT
# what the fast path leaves to the general one, and a dump it covers with
# its last line unterminated
{ head -1500 "$dir/gen.txt"; echo "tcp 0 0 192.0.2.2:80 nonsense ESTABLISHED"; tail -n +1501 "$dir/gen.txt"; } > "$dir/bad_line.txt"
{ echo "Wed Nov 25 10:00:00 UTC 2026"; cat "$dir/gen.txt"; } > "$dir/date_line.txt"
sed 's/$/\r/' "$dir/mixed.txt" > "$dir/crlf.txt"
gzip -c "$dir/gen.txt" > "$dir/gen.txt.gz"
sed '2s/State *$/State       PID\/Program name/' "$dir/mixed.txt" > "$dir/p_header.txt"
{ cat "$dir/mixed.txt"; echo; } > "$dir/blank_line.txt"
{ head -3 "$dir/mixed.txt"; printf 'tcp        0      0 192.0.2.2:80            198.51.100.7:40000      ESTABLISHED'; } > "$dir/no_newline.txt"
: > "$dir/empty.txt"
head -2 "$dir/mixed.txt" > "$dir/headers.txt"
{ cat "$dir/mixed.txt"; printf 'tcp 0 0 192.0.2.2:80 198.51.100.9:1 ESTABLISHED\t\n'; } > "$dir/tab.txt"
{ cat "$dir/mixed.txt"; echo "tcp 0 0 192.0.2.2:80 198.51.100.9:1 ESTABLISHED x"; } > "$dir/extra_field.txt"
# the fast path must take these (else this test compares the general path with itself)
FAST="gen.txt mixed.txt no_newline.txt headers.txt"

OPTS="-n_20
-n_0
-n_3_-o_csv
-o_json_--state_ESTABLISHED,SYN_RECV
--proto_udp_-n_0
--family_6
--family_4_--port_443
--lport_80_-n_2
--rport_53_-o_csv
--program_sshd
--host_h
--since_2020-01-01
--until_2020-01-01"

# run OUT ENV... -- ARGS: stdout, stderr and status of sockscope top
run() {
	out=$1
	shift
	env "$@" > "$out.out" 2> "$out.err"
	echo "exit $?" >> "$out.err"
}

# same NAME: the two sides of NAME agree (times of stdin masked: "now")
same() {
	for x in out err; do
		if [ "${2:-}" = mask ]; then
			sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z/TIME/g' "$dir/f.$x" > "$dir/f.$x.m"
			sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z/TIME/g' "$dir/g.$x" > "$dir/g.$x.m"
		else
			cp "$dir/f.$x" "$dir/f.$x.m"
			cp "$dir/g.$x" "$dir/g.$x.m"
		fi
		diff "$dir/g.$x.m" "$dir/f.$x.m" > "$dir/d" ||
			fail "$1: the fast path's std$x differs from the general path's: $(head -20 "$dir/d")"
	done
}

ncmp=0
compare_file() {   # FILE OPTS...
	f=$1
	shift
	run "$dir/f" "$S" top "$@" -f "$f"
	run "$dir/g" SOCKSCOPE_TEST_TOP_GENERAL=1 "$S" top "$@" -f "$f"
	same "top $* -f $f"
	ncmp=$((ncmp + 1))
}

# --- every option set on the generated dumps, from a file ------------------
# (each set is one word: _ for the spaces)
for name in gen.txt mixed.txt bad_line.txt date_line.txt crlf.txt gen.txt.gz p_header.txt \
	blank_line.txt no_newline.txt empty.txt headers.txt tab.txt extra_field.txt; do
	for o in $OPTS; do
		# shellcheck disable=SC2046  # the options are words
		compare_file "$dir/$name" $(echo "$o" | tr _ ' ')
	done
done

# the path taken: fast where covered, general for the rest
for name in gen.txt mixed.txt bad_line.txt date_line.txt crlf.txt gen.txt.gz p_header.txt \
	blank_line.txt no_newline.txt empty.txt headers.txt tab.txt extra_field.txt; do
	path=$(SOCKSCOPE_TEST_TOP_PATH=1 "$S" top -f "$dir/$name" 2>&1 > /dev/null |
		sed -n 's/^sockscope top: \(.*\) path$/\1/p')
	want=general
	case " $FAST " in *" $name "*) want=fast ;; esac
	[ "$path" = "$want" ] || fail "top -f $name took the ${path:-unknown} path, want the $want path"
done
# options the fast path hands on
for o in "--by subnet" "--program sshd" "--at 2030-01-01"; do
	# shellcheck disable=SC2086  # the options are words
	path=$(SOCKSCOPE_TEST_TOP_PATH=1 "$S" top $o -f "$dir/gen.txt" 2>&1 > /dev/null |
		sed -n 's/^sockscope top: \(.*\) path$/\1/p')
	[ "$path" != fast ] || fail "top $o took the fast path"
done
path=$(SOCKSCOPE_TEST_TOP_PATH=1 "$S" top "$dir/gen.txt" "$dir/mixed.txt" 2>&1 > /dev/null |
	sed -n 's/^sockscope top: \(.*\) path$/\1/p')
[ "$path" = general ] || fail "top over two files took the $path path"

# --- every dump under tests/data -------------------------------------------
nfast=0
for f in "$data"/netstat/*.txt "$data"/names/*.txt "$data"/quirks/*.txt "$data"/ss/*.txt \
	"$data"/bsd/*.txt "$data"/windows/*.txt "$data"/reports/*.log "$data"/reports/*.txt; do
	[ -f "$f" ] || continue
	for o in "-n_0" "--state_ESTABLISHED_--family_6_-o_csv"; do
		# shellcheck disable=SC2046
		compare_file "$f" $(echo "$o" | tr _ ' ')
	done
	path=$(SOCKSCOPE_TEST_TOP_PATH=1 "$S" top -f "$f" 2>&1 > /dev/null | tail -1)
	[ "$path" = "sockscope top: fast path" ] && nfast=$((nfast + 1))
done

# --- stdin: redirected from a file (read again after a give-up), a pipe
# (its bytes replayed) ---------------------------------------------------------
for name in gen.txt mixed.txt bad_line.txt date_line.txt gen.txt.gz crlf.txt empty.txt; do
	for o in "-n 5" "-n 0 --state ESTABLISHED -o csv"; do
		# shellcheck disable=SC2086
		run "$dir/f" "$S" top $o - < "$dir/$name"
		# shellcheck disable=SC2086
		run "$dir/g" SOCKSCOPE_TEST_TOP_GENERAL=1 "$S" top $o - < "$dir/$name"
		same "top $o - < $name" mask
		# shellcheck disable=SC2086
		cat "$dir/$name" | run "$dir/f" "$S" top $o -
		# shellcheck disable=SC2086
		cat "$dir/$name" | run "$dir/g" SOCKSCOPE_TEST_TOP_GENERAL=1 "$S" top $o -
		same "cat $name | top $o -" mask
		ncmp=$((ncmp + 2))
	done
done
# the pipe given up late: 1 MiB of good lines before the bad one
{ netstat_ntu 20000; echo "tcp 0 0 192.0.2.2:80 nonsense ESTABLISHED"; netstat_ntu 50 | tail -n +3; } > "$dir/late_bad.txt"
cat "$dir/late_bad.txt" | run "$dir/f" "$S" top -n 0 -
cat "$dir/late_bad.txt" | run "$dir/g" SOCKSCOPE_TEST_TOP_GENERAL=1 "$S" top -n 0 -
same "cat late_bad.txt | top -n 0 -" mask
grep -q ':20003: ' "$dir/f.err" || fail "the late bad line was not named: $(cat "$dir/f.err")"
ncmp=$((ncmp + 1))

# a dump big enough to be read in two halves by two threads (8 MiB): the
# halves' groups merged (peers in both, states in both); a bad line in
# either half hands it all to the general path
netstat_ntu 120000 > "$dir/big.txt"
{ head -30000 "$dir/big.txt"; echo "tcp 0 0 192.0.2.2:80 nonsense ESTABLISHED"; tail -n +30001 "$dir/big.txt"; } > "$dir/big_bad1.txt"
{ head -100000 "$dir/big.txt"; echo "tcp 0 0 192.0.2.2:80 nonsense ESTABLISHED"; tail -n +100001 "$dir/big.txt"; } > "$dir/big_bad2.txt"
[ "$(wc -c < "$dir/big.txt")" -gt 8388608 ] || fail "big.txt is under 8 MiB"
for name in big.txt big_bad1.txt big_bad2.txt; do
	for o in "-n 0" "-n 0 --state ESTABLISHED,TIME_WAIT -o csv" "-n 3 --family 6"; do
		# shellcheck disable=SC2086
		compare_file "$dir/$name" $o
		# shellcheck disable=SC2086
		run "$dir/f" "$S" top $o - < "$dir/$name"
		# shellcheck disable=SC2086
		run "$dir/g" SOCKSCOPE_TEST_TOP_GENERAL=1 "$S" top $o - < "$dir/$name"
		same "top $o - < $name" mask
		ncmp=$((ncmp + 1))
	done
done
path=$(SOCKSCOPE_TEST_TOP_PATH=1 "$S" top -f "$dir/big.txt" 2>&1 > /dev/null | tail -1)
[ "$path" = "sockscope top: fast path" ] || fail "top -f big.txt: $path"

pass "$ncmp comparisons of the fast and the general path agree (stdout, stderr, status); the fast path taken on $FAST and $nfast dumps of $data"
