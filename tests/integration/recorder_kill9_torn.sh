# recorder_kill9_torn — kill -9 in the middle of recording: every complete
# snapshot reads back (contiguous seq from 1), a cut snapshot is reported as a
# torn tail, never returned as data.
# Usage: sh tests/integration/recorder_kill9_torn.sh BUILD_DIR
# run.sh: alone (kill -9 at timed moments: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
need_root_netns
netns_reap_stale

victim_and_attacker
ns_sysctl victim net.ipv4.tcp_syncookies=0 net.core.somaxconn=16384 \
	net.ipv4.tcp_max_syn_backlog=32768 net.ipv4.tcp_synack_retries=5
sst_tmpdir; dir=$SST_TMP
start_connhold victim "$dir/v.ready" --hold 60 --listen 192.0.2.2:80 --backlog 16384
# ~6000 sockets: each snapshot is a few MB of text, so a kill lands mid-write
in_ns attacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.51.100.0/24 --src 203.0.113.0/24 \
	--count 6000 --duration 10 || fail "synflood"
wait_for at_least 5000 count_state victim syn-recv --timeout 10 || fail "flood did not land"

torn=0
attempt=0
while [ $attempt -lt 16 ] && [ $torn -eq 0 ]; do
	attempt=$((attempt + 1))
	rm -rf "$dir/rec"
	# keyframes only: a delta of an unchanging flood is too small to be
	# cut (torn deltas are checked at every byte in test_snapdelta)
	# not through in_ns: $! would be the subshell running the function, and
	# kill -9 would leave the recorder running (ip netns exec execs it)
	ip netns exec "$(ns_name victim)" "$RECORDER" -q -o "$dir/rec" -i 0.01 --keyframe-every 1 &
	pid=$!
	# kill at a different phase each attempt
	sleep "1.$((attempt * 137 % 1000))"
	kill -9 $pid
	wait $pid 2>/dev/null
	! kill -0 $pid 2>/dev/null || fail "the recorder survived kill -9"
	seg=$(ls "$dir"/rec/*.zst)
	"$SOCKSCOPE" verify "$seg" > "$dir/verify" 2> "$dir/verify.err"
	good=$(sed -n 's/.*good=\([0-9]*\).*/\1/p' "$dir/verify")
	bad=$(sed -n 's/.*bad=\([0-9]*\).*/\1/p' "$dir/verify")
	[ "${good:-0}" -ge 2 ] || fail "only ${good:-0} good snapshots before kill -9: $(cat "$dir/verify" "$dir/verify.err")"
	[ "${bad:-9}" -le 1 ] || fail "more than one bad snapshot after kill -9: $(cat "$dir/verify.err")"
	"$SOCKSCOPE" dump --list "$seg" | awk -F'\t' '$1 != NR { exit 1 }' ||
		fail "complete snapshots are not seq 1..$good"
	# every good snapshot is whole: its sockets section has all the flood
	"$SOCKSCOPE" dump --section sockets --seq "$good" "$seg" | awk -F'\t' '$3 == "SYN_RECV"' | wc -l > "$dir/n"
	[ "$(cat "$dir/n")" -ge 4500 ] || fail "last good snapshot has only $(cat "$dir/n") SYN_RECV rows"
	if [ "$bad" -eq 1 ]; then
		grep -q 'torn tail' "$dir/verify.err" || fail "bad snapshot not reported as torn: $(cat "$dir/verify.err")"
		torn=1
	fi
	note "attempt $attempt: $(cat "$dir/verify")"
done
[ $torn -eq 1 ] || fail "16 kills never landed mid-snapshot (cannot check the torn-tail report)"
pass "kill -9 after $good snapshots: all read back, torn tail reported"
