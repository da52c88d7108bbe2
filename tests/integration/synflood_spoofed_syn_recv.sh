# synflood_spoofed_syn_recv — a spoofed SYN flood from 198.51.100.0/24 against a
# listener in a victim netns fills its SYN queue (syncookies off), while 50 real
# clients from the attacker side still get ESTABLISHED connections.
# Usage: sh tests/integration/synflood_spoofed_syn_recv.sh BUILD_DIR
# Exit: 0 pass, 1 fail, 77 skip (no root / no netns).

. "$(dirname "$0")/lib.sh"

tools_dir "$1"
need_root_netns
netns_reap_stale
t0=$(now_ms)

victim_and_attacker
# backlog 4096 for 2000 requests: below half full, so the kernel does not
# prune old requests early; synack_retries 5 keeps them ~60 s.
ns_sysctl victim net.ipv4.tcp_syncookies=0 net.core.somaxconn=4096 \
	net.ipv4.tcp_max_syn_backlog=8192 net.ipv4.tcp_synack_retries=5

sst_tmpdir; dir=$SST_TMP
v6=$SST_ADDR6_victim
start_connhold victim "$dir/victim.ready" --hold 25 --name "sst victim" \
	--listen 192.0.2.2:80 --listen "[$v6]:80" --backlog 4096

drops_before=$(($(nstat_get victim TcpExtListenDrops) + $(nstat_get victim TcpExtTCPReqQFullDrop)))
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/24 --count 2000 --duration 10 ||
	fail "synflood did not send its 2000 SYNs"
wait_for at_least 2000 count_state victim syn-recv --timeout 5
n=$(count_state victim syn-recv)
[ "$n" -ge 1800 ] || fail "only $n SYN_RECV sockets in the victim after 2000 spoofed SYNs (want >= 1800)"
drops_after=$(($(nstat_get victim TcpExtListenDrops) + $(nstat_get victim TcpExtTCPReqQFullDrop)))
[ "$drops_after" -eq "$drops_before" ] ||
	fail "victim dropped $((drops_after - drops_before)) SYNs (ListenDrops/TCPReqQFullDrop)"
bad=$(in_ns victim ss -Htan state syn-recv | awk '$4 !~ /^198\.51\.100\.[0-9]+:[0-9]+$/' | wc -l)
[ "$bad" -eq 0 ] || fail "$bad SYN_RECV sockets with a peer outside 198.51.100.0/24"
srcs=$(in_ns victim ss -Htan state syn-recv | awk '{ split($4, a, ":"); print a[1] }' | sort -u | wc -l)
[ "$srcs" -eq 256 ] || fail "SYN_RECV from $srcs distinct sources, want all 256 of the /24"
note "$n SYN_RECV from $srcs sources, no drops"

# IPv6: a smaller spoofed burst from 2001:db8:5eed::/64.
in_ns attacker "$SYNFLOOD" --dst "[$v6]:80" --src 2001:db8:5eed::/64 --random --count 200 \
	--duration 5 || fail "synflood (IPv6) did not send its 200 SYNs"
wait_for at_least 200 count_state victim syn-recv -6 --timeout 5 ||
	fail "only $(count_state victim syn-recv -6) IPv6 SYN_RECV after 200 spoofed SYNs"

# Legitimate clients still get through the half-full queue.
start_connhold attacker "$dir/client.ready" --hold 20 --connect 192.0.2.2:80 --count 50 \
	--bind 192.0.2.1
grep -q ' connected=50 failed=0 ' "$dir/client.ready" ||
	fail "clients: $(cat "$dir/client.ready")"
wait_for at_least 50 count_state victim established '( sport = :80 )' --timeout 5 ||
	fail "only $(count_state victim established '( sport = :80 )') ESTABLISHED on the victim"
n_est=$(count_state victim established '( sport = :80 )')
[ "$n_est" -eq 50 ] || fail "$n_est ESTABLISHED on the victim, want exactly 50"

netns_cleanup
left=$(ip netns list | grep -c -- "^sst-.*-$$\\b")
[ "$left" -eq 0 ] || fail "$left namespaces left behind"
pass "$n SYN_RECV (IPv4) + IPv6 flood + $n_est ESTABLISHED in $(($(now_ms) - t0)) ms"
