# population_stays_stable — make_population (the benchmarks' environment) builds
# its SYN_RECV + ESTABLISHED population, reports how long that took, and the
# population survives the SYN-ACK retransmit bursts (1 s, 3 s) unchanged.
# Default 20000 SYN_RECV + 2000 connections; E2E=1: 80000 + 10000 (100k sockets).
# Usage: sh tests/integration/population_stays_stable.sh BUILD_DIR
# run.sh: alone (it waits through the SYN-ACK retransmit timers: run with nothing beside it)

. "$(dirname "$0")/lib.sh"

tools_dir "$1"
need_root_netns
netns_reap_stale

if [ -n "$E2E" ]; then
	nsyn=80000
	nest=10000
else
	nsyn=20000
	nest=2000
fi
SST_HOLD=60
netns_new victim
netns_new attacker
netns_link attacker victim 192.0.2.1 192.0.2.2
make_population victim attacker "$nsyn" "$nest"
[ "$POP_SYNRECV" -eq "$nsyn" ] || fail "$POP_SYNRECV SYN_RECV, want exactly $nsyn"
[ "$POP_ESTAB" -eq $((2 * nest)) ] || fail "$POP_ESTAB ESTABLISHED, want exactly $((2 * nest))"

sleep 4
syn2=$(count_state victim syn-recv)
est2=$(count_state victim established)
[ "$syn2" -eq "$POP_SYNRECV" ] || fail "SYN_RECV went from $POP_SYNRECV to $syn2 within 4 s"
[ "$est2" -eq "$POP_ESTAB" ] || fail "ESTABLISHED went from $POP_ESTAB to $est2 within 4 s"
pass "$POP_SYNRECV SYN_RECV + $POP_ESTAB ESTABLISHED built in $POP_MS ms, stable after 4 s"
