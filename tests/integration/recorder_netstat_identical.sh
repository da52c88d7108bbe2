# recorder_netstat_identical — on a quiescent netns (listeners v4/v6, a
# dual-stack listener with an IPv4 client, ESTABLISHED, SYN_RECV, UDP,
# programs with spaces and long names) the recorder's renderings of the
# article's commands equal the Internet part of the real net-tools netstat,
# byte for byte.
# Usage: sh tests/integration/recorder_netstat_identical.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
need_root_netns
command -v netstat >/dev/null 2>&1 || skip "needs net-tools netstat (apt-get install net-tools)"
netns_reap_stale

victim_and_attacker
# SYN_RECV must not change during the comparison: long SYN-ACK retries.
ns_sysctl victim net.ipv4.tcp_syncookies=0 net.ipv4.tcp_synack_retries=8
sst_tmpdir; dir=$SST_TMP
v6=$SST_ADDR6_victim
start_connhold victim "$dir/a.ready" --hold 60 --name "sst web server" \
	--listen 192.0.2.2:80 --listen "[::]:8443" --listen "[$v6]:443" \
	--udp 192.0.2.2:53 --udp "[::]:5353" --udp 0.0.0.0:161
start_connhold victim "$dir/b.ready" --hold 60 --name "a-very-long-program-name-indeed" \
	--listen 127.0.0.1:6379 --connect 127.0.0.1:6379 --count 3
start_connhold attacker "$dir/c.ready" --hold 60 --connect 192.0.2.2:80 --count 5 --bind 192.0.2.1 \
	--connect 192.0.2.2:8443 --count 2 --bind 192.0.2.1 --connect "[$v6]:443" --count 2
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/28 --count 16 --duration 5 ||
	fail "synflood"
wait_for at_least 16 count_state victim syn-recv --timeout 5 || fail "SYN_RECV did not appear"
sleep 0.5

internet() { sed '/^Active UNIX domain sockets/,$d'; }
# --threads 1 parses /proc/net for the renderings in procread's thread,
# --threads 0 in the collecting one: both must give net-tools' bytes
for threads in 1 0; do
for attempt in 1 2 3; do
	ok=1
	rm -rf "$dir/rec"
	in_ns victim "$RECORDER" -q -o "$dir/rec" --once --threads "$threads" || fail "recorder failed"
	seg=$(ls "$dir"/rec/*.zst)
	for args in "-na" "-aultnp" "-n -p" "-ntu" "-anp"; do
		tag=$(printf '%s' "$args" | tr -d ' -')
		# shellcheck disable=SC2086
		in_ns victim netstat $args 2>/dev/null | internet > "$dir/real-$tag"
		"$SOCKSCOPE" dump --section "netstat $args" "$seg" > "$dir/ours-$tag"
		[ -s "$dir/ours-$tag" ] || fail "no rendering for netstat $args"
		if ! cmp -s "$dir/real-$tag" "$dir/ours-$tag"; then
			ok=0
			diff "$dir/real-$tag" "$dir/ours-$tag" > "$dir/diff-$tag"
		fi
	done
	[ $ok = 1 ] && break
	note "attempt $attempt differed (sockets moving?); retrying"
	sleep 1
done
if [ $ok != 1 ]; then
	for f in "$dir"/diff-*; do echo "== $f"; head -40 "$f"; done
	fail "renderings differ from real netstat (--threads $threads)"
fi
done
grep -q 'SYN_RECV' "$dir/ours-na" || fail "no SYN_RECV row in the rendering"
# net-tools prints an IPv4-mapped peer of a tcp6 socket as a dotted quad
grep -q '^tcp6 .* 192\.0\.2\.1:[0-9]' "$dir/ours-na" || fail "no IPv4-mapped (tcp6, IPv4 peer) row in the rendering"
grep -q '/sst web' "$dir/ours-anp" || fail "program with spaces missing"
grep -q '/a-very-long' "$dir/ours-anp" || fail "long program name missing"
grep -q '^udp6' "$dir/ours-na" || fail "no udp6 row"
pass "netstat -na, -aultnp, -n -p, -ntu, -anp byte-identical ($(wc -l < "$dir/ours-na") lines)"
