# lib.sh — helpers sourced by the netns integration tests and benchmarks:
# namespaces with guaranteed cleanup, veth links, bounded waits, socket populations.
#
# POSIX sh (dash). Usage from a test script run as `sh tests/integration/X.sh BUILD_DIR`:
#     . "$(dirname "$0")/lib.sh"
#     tools_dir "$1"; need_root_netns
#     netns_new victim; netns_new attacker
#     netns_link attacker victim 192.0.2.1 192.0.2.2
# Exit codes: 0 pass, 1 fail, 77 skip. Every namespace is named sst-NAME-PID
# (PID of the test script) and is deleted on exit, whatever the exit path.

SST_TEST=${SST_TEST:-$(basename "$0" .sh)}
SST_NETNS=""          # full names of the namespaces this script created
SST_TRAPPED=0
SST_TMP=""

note() { printf '%s: %s\n' "$SST_TEST" "$*" >&2; }
pass() { printf 'PASS: %s: %s\n' "$SST_TEST" "$*"; exit 0; }
fail() { printf 'FAIL: %s: %s\n' "$SST_TEST" "$*"; exit 1; }
skip() { printf 'SKIP: %s: %s\n' "$SST_TEST" "$*"; exit 77; }

# now_ms: monotonic-enough wall time in milliseconds (for durations).
now_ms() { date +%s%3N; }

# tools_dir [BUILD]: locates the binaries; sets BUILD, RECORDER, SOCKSCOPE,
# SYNFLOOD, CONNHOLD.
tools_dir() {
	BUILD=${1:-${BUILD:-build}}
	case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
	RECORDER=$BUILD/sockscope-recorder
	SYNFLOOD=$BUILD/tests/tools/synflood
	CONNHOLD=$BUILD/tests/tools/connhold
	SOCKSCOPE=$BUILD/sockscope
	for t in "$RECORDER" "$SOCKSCOPE" "$SYNFLOOD" "$CONNHOLD"; do
		[ -x "$t" ] || fail "missing $t (run make first)"
	done
	export BUILD RECORDER SOCKSCOPE SYNFLOOD CONNHOLD
}

# sst_tmpdir: creates a private temp dir, removed at exit, into $SST_TMP.
# Call it directly, not as $(sst_tmpdir): in a subshell the variable and the
# exit trap would belong to the subshell, which removes the dir at once.
sst_tmpdir() {
	if [ -z "$SST_TMP" ]; then
		SST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sst-$SST_TEST.XXXXXX") || fail "mktemp"
		sst_trap
	fi
}

# need_root_netns: skips (exit 77) unless we can create network namespaces.
need_root_netns() {
	[ "$(id -u)" = 0 ] || skip "needs root and network namespaces (not root)"
	command -v ip >/dev/null 2>&1 || skip "needs root and network namespaces (no ip(8))"
	command -v ss >/dev/null 2>&1 || skip "needs root and network namespaces (no ss(8))"
	probe=sst-probe-$$
	if ! err=$(ip netns add "$probe" 2>&1); then
		skip "needs root and network namespaces (ip netns add: $err)"
	fi
	ip netns del "$probe" 2>/dev/null
}

# ns_name NAME: the full namespace name of NAME for this script.
ns_name() { printf 'sst-%s-%s\n' "$1" "$$"; }

sst_trap() {
	[ "$SST_TRAPPED" = 1 ] && return 0
	SST_TRAPPED=1
	trap 'sst_on_exit' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

sst_on_exit() {
	rc=$?
	trap - EXIT HUP INT PIPE TERM
	netns_cleanup
	[ -n "$SST_TMP" ] && rm -rf "$SST_TMP"
	exit "$rc"
}

# netns_new NAME: creates sst-NAME-PID with lo up; it is deleted at exit.
netns_new() {
	case $1 in
	"" | *[!a-z0-9_]*) fail "netns_new: bad name '$1' (use [a-z0-9_])" ;;
	esac
	sst_trap
	full=$(ns_name "$1")
	ip netns add "$full" || fail "ip netns add $full"
	SST_NETNS="$SST_NETNS $full"
	ip -n "$full" link set lo up || fail "lo up in $full"
}

# netns_kill_pids FULLNAME SIGNAL: signals every process inside the namespace.
netns_kill_pids() {
	pids=$(ip netns pids "$1" 2>/dev/null)
	[ -n "$pids" ] && kill "-$2" $pids 2>/dev/null
	[ -n "$pids" ]
}

# netns_cleanup: kills every process in our namespaces (TERM, then KILL after
# 3 s) and deletes them. Safe to call more than once.
netns_cleanup() {
	for ns in $SST_NETNS; do
		netns_kill_pids "$ns" TERM || continue
		i=0
		while [ $i -lt 30 ] && [ -n "$(ip netns pids "$ns" 2>/dev/null)" ]; do
			sleep 0.1
			i=$((i + 1))
		done
		netns_kill_pids "$ns" KILL && sleep 0.2
	done
	for ns in $SST_NETNS; do
		ip netns del "$ns" 2>/dev/null || note "could not delete netns $ns"
	done
	SST_NETNS=""
}

# netns_reap_stale: deletes sst-*-PID namespaces whose script PID is gone
# and that hold no process (left by a test killed with SIGKILL). Others may
# belong to someone else's live run: they are only reported.
netns_reap_stale() {
	for ns in $(ip netns list 2>/dev/null | awk '/^sst-/ {print $1}'); do
		pid=${ns##*-}
		case $pid in "" | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null && continue
		if [ -n "$(ip netns pids "$ns" 2>/dev/null)" ]; then
			note "stale-looking netns $ns still has processes; left alone"
			continue
		fi
		ip netns del "$ns" 2>/dev/null && note "removed stale netns $ns"
	done
}

# in_ns NAME CMD...: runs CMD inside the namespace.
in_ns() {
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

# ns_sysctl NAME KEY=VALUE...: sets per-namespace sysctls (never the host's).
ns_sysctl() {
	ns=$(ns_name "$1")
	shift
	for kv in "$@"; do
		key=${kv%%=*}
		val=${kv#*=}
		path=/proc/sys/$(printf '%s' "$key" | tr . /)
		ip netns exec "$ns" sh -c 'printf "%s\n" "$2" > "$1"' sh "$path" "$val" ||
			fail "sysctl $key=$val in $ns"
	done
}

# v6_of IPV4: the IPv6 twin of a documentation IPv4 address, e.g.
# 192.0.2.1 -> 2001:db8:c000:2::1 (same /24 -> same /64).
v6_of() {
	printf '%s\n' "$1" | awk -F. '{ printf "2001:db8:%x:%x::%x\n", $1 * 256 + $2, $3, $4 }'
}

# netns_link A B ADDR_A ADDR_B: a veth pair A<->B with ADDR_A/24 and ADDR_B/24
# plus their IPv6 twins (v6_of, /64), up, with permanent neighbour entries so
# the first packets of a burst are not dropped while ARP/ND resolves.
# Sets SST_ADDR_<A>=ADDR_A, SST_ADDR6_<A>=..., and the same for B.
netns_link() {
	[ $# -eq 4 ] || fail "netns_link A B ADDR_A ADDR_B"
	na=$(ns_name "$1")
	nb=$(ns_name "$2")
	a6=$(v6_of "$3")
	b6=$(v6_of "$4")
	# veth names are per-namespace; keep them short (IFNAMSIZ 16).
	ip link add "v-$2" netns "$na" type veth peer name "v-$1" netns "$nb" ||
		fail "veth $1<->$2"
	ip -n "$na" addr add "$3/24" dev "v-$2" || fail "addr $3"
	ip -n "$nb" addr add "$4/24" dev "v-$1" || fail "addr $4"
	ip -n "$na" -6 addr add "$a6/64" dev "v-$2" nodad || fail "addr $a6"
	ip -n "$nb" -6 addr add "$b6/64" dev "v-$1" nodad || fail "addr $b6"
	ip -n "$na" link set "v-$2" up || fail "link up"
	ip -n "$nb" link set "v-$1" up || fail "link up"
	mac_a=$(ip -n "$na" -o link show "v-$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	mac_b=$(ip -n "$nb" -o link show "v-$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$na" neigh replace "$4" lladdr "$mac_b" dev "v-$2" nud permanent || fail "neigh"
	ip -n "$nb" neigh replace "$3" lladdr "$mac_a" dev "v-$1" nud permanent || fail "neigh"
	ip -n "$na" -6 neigh replace "$b6" lladdr "$mac_b" dev "v-$2" nud permanent || fail "neigh"
	ip -n "$nb" -6 neigh replace "$a6" lladdr "$mac_a" dev "v-$1" nud permanent || fail "neigh"
	eval "SST_ADDR_$1=\$3; SST_ADDR6_$1=\$a6; SST_ADDR_$2=\$4; SST_ADDR6_$2=\$b6"
	eval "SST_DEV_$1_$2=v-\$2; SST_DEV_$2_$1=v-\$1"
}

# netns_victim_routes VICTIM ATTACKER: lets VICTIM answer spoofed sources.
# Its default routes point at ATTACKER's end of the link; ATTACKER does not
# forward (ip_forward=0, set here), so SYN-ACKs to spoofed addresses are
# dropped there and never leave the namespace pair. rp_filter is turned off
# in VICTIM so the spoofed SYNs are accepted.
# VICTIM's end of the veth gets a pfifo qdisc: veth has none by default, and
# then a burst of SYN-ACK retransmits (timers fire in batches) overflowing
# the receive backlog (net.core.netdev_max_backlog, host-wide) reports an
# error back to TCP, which drops the request socket. Behind a qdisc the
# SYN-ACK is lost silently, as on a real NIC, and the SYN_RECV stays.
netns_victim_routes() {
	eval "gw=\$SST_ADDR_$2; gw6=\$SST_ADDR6_$2; dev=\$SST_DEV_$1_$2"
	[ -n "$gw" ] || fail "netns_victim_routes: link $1 and $2 first"
	ns_sysctl "$2" net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
	ns_sysctl "$1" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		"net.ipv4.conf.$dev.rp_filter=0"
	ip -n "$(ns_name "$1")" route replace default via "$gw" || fail "default route"
	ip -n "$(ns_name "$1")" -6 route replace default via "$gw6" || fail "default route v6"
	if command -v tc >/dev/null 2>&1; then
		tc -n "$(ns_name "$1")" qdisc replace dev "$dev" root pfifo limit 200000 ||
			fail "qdisc on $dev"
	else
		note "no tc(8): SYN-ACK retransmit bursts may drop SYN_RECV sockets"
	fi
}

# victim_and_attacker: the usual pair — namespaces "victim" (192.0.2.2) and
# "attacker" (192.0.2.1) on one veth, the victim able to answer spoofed
# sources (netns_victim_routes).
victim_and_attacker() {
	netns_new victim
	netns_new attacker
	netns_link attacker victim 192.0.2.1 192.0.2.2
	netns_victim_routes victim attacker
}

# wait_for [--timeout S] CMD... [--timeout S]: runs CMD every 0.1 s until it
# succeeds (returns 0) or S seconds (default 10) pass (returns 1).
wait_for() {
	wf_timeout=10
	if [ "$1" = --timeout ]; then
		wf_timeout=$2
		shift 2
	elif [ $# -ge 2 ]; then
		eval "wf_last=\${$#}; wf_prev=\${$(($# - 1))}"
		if [ "$wf_prev" = --timeout ]; then
			wf_timeout=$wf_last
			wf_n=$(($# - 2))
			wf_i=0
			for wf_a in "$@"; do
				# rotate: keep the first n arguments, in order
				shift
				[ $wf_i -lt $wf_n ] && set -- "$@" "$wf_a"
				wf_i=$((wf_i + 1))
			done
		fi
	fi
	case $wf_timeout in "" | *[!0-9]*) fail "wait_for: --timeout wants whole seconds" ;; esac
	wf_end=$(($(date +%s) + wf_timeout))
	wf_tries=$((wf_timeout * 10 + 1))
	while [ $wf_tries -gt 0 ]; do
		"$@" && return 0
		[ "$(date +%s)" -ge $wf_end ] && return 1
		sleep 0.1
		wf_tries=$((wf_tries - 1))
	done
	return 1
}

# count_state NAME STATE [FILTER...]: number of TCP sockets in STATE inside NAME
# (ss state names: syn-recv, established, time-wait, listening, ...).
count_state() {
	cs_ns=$1
	cs_st=$2
	shift 2
	in_ns "$cs_ns" ss -Htan state "$cs_st" "$@" | wc -l
}

# at_least N CMD...: true when CMD prints a number >= N.
at_least() {
	al_min=$1
	shift
	al_n=$("$@")
	[ "${al_n:-0}" -ge "$al_min" ]
}

# nstat_get NAME COUNTER: absolute value of a kernel counter inside NAME
# (e.g. TcpExtListenDrops), 0 when absent.
nstat_get() {
	in_ns "$1" nstat -az "$2" 2>/dev/null | awk -v c="$2" '$1 == c { v = $2 } END { print v + 0 }'
}

# start_connhold NAME READYFILE ARGS...: runs connhold in NAME in the
# background with --ready-file READYFILE and waits (<= 60 s) for it.
start_connhold() {
	sc_ns=$1
	sc_ready=$2
	shift 2
	rm -f "$sc_ready"
	in_ns "$sc_ns" "$CONNHOLD" --ready-file "$sc_ready" "$@" &
	wait_for test -s "$sc_ready" --timeout 60 || fail "connhold in $sc_ns did not get ready: $*"
	note "connhold in $sc_ns: $(cat "$sc_ready")"
}

# make_population VICTIM ATTACKER N_SYNRECV N_ESTAB: fills VICTIM with about
# N_SYNRECV SYN_RECV request sockets (spoofed SYNs from 198.18.0.0/15 sent
# by ATTACKER to VICTIM port 80) and N_ESTAB loopback connections held by
# connhold inside VICTIM (2 ESTABLISHED sockets each), then waits until they
# exist. The two namespaces must already be linked (netns_link). Sets
# POP_MS (build time in ms), POP_SYNRECV and POP_ESTAB (sockets seen by ss).
# SYN_RECV stay put for the measurement: syncookies off, backlogs 262144
# (the kernel prunes old requests early only once the queue is half full),
# tcp_synack_retries SST_SYNACK_RETRIES (default 10: ~10 minutes of life),
# and the SYN-ACKs die in ATTACKER (no forwarding), so nothing answers them.
# Connections are split over several connhold processes, each within
# RLIMIT_NOFILE (2 descriptors per loopback connection).
make_population() {
	[ $# -eq 4 ] || fail "make_population VICTIM ATTACKER N_SYNRECV N_ESTAB"
	mp_v=$1
	mp_a=$2
	mp_syn=$3
	mp_est=$4
	mp_hold=${SST_HOLD:-900}
	[ "$mp_syn" -le 131000 ] || fail "make_population: N_SYNRECV <= 131000 (half the backlog)"
	eval "mp_addr=\$SST_ADDR_$mp_v"
	[ -n "$mp_addr" ] || fail "make_population: link $mp_v and $mp_a first"
	sst_tmpdir; mp_dir=$SST_TMP
	mp_t0=$(now_ms)

	ns_sysctl "$mp_v" net.core.somaxconn=262144 net.ipv4.tcp_max_syn_backlog=262144 \
		net.ipv4.tcp_syncookies=0 "net.ipv4.tcp_synack_retries=${SST_SYNACK_RETRIES:-10}" \
		"net.ipv4.ip_local_port_range=1024 65535"
	netns_victim_routes "$mp_v" "$mp_a"

	mp_chunk=$((($(ulimit -Hn) - 200) / 2))
	[ "$mp_chunk" -gt 30000 ] && mp_chunk=30000
	[ "$mp_chunk" -ge 100 ] || fail "make_population: RLIMIT_NOFILE too small"
	rm -f "$mp_dir"/pop-*.ready
	in_ns "$mp_v" "$CONNHOLD" --ready-file "$mp_dir/pop-listen.ready" --hold "$mp_hold" \
		--name "sst victim" --listen "$mp_addr:80" --backlog 262144 &
	mp_left=$mp_est
	mp_port=8000
	mp_procs=1
	while [ "$mp_left" -gt 0 ]; do
		mp_n=$mp_left
		[ "$mp_n" -gt "$mp_chunk" ] && mp_n=$mp_chunk
		in_ns "$mp_v" "$CONNHOLD" --ready-file "$mp_dir/pop-$mp_port.ready" \
			--hold "$mp_hold" --name "sst conn $mp_port" --backlog 65536 \
			--listen "127.0.0.1:$mp_port" --connect "127.0.0.1:$mp_port" --count "$mp_n" &
		mp_left=$((mp_left - mp_n))
		mp_port=$((mp_port + 1))
		mp_procs=$((mp_procs + 1))
	done
	wait_for test -s "$mp_dir/pop-listen.ready" --timeout 10 || fail "victim listener not ready"

	# SYNs: sequential sources, so every packet is a fresh 4-tuple; top up
	# (bounded) in case some were dropped on the way.
	mp_sent=0
	mp_round=0
	POP_SYNRECV=0
	while [ "$mp_round" -lt 4 ]; do
		mp_need=$((mp_syn - POP_SYNRECV))
		[ "$mp_need" -le 0 ] && break
		in_ns "$mp_a" "$SYNFLOOD" --dst "$mp_addr:80" --src 198.18.0.0/15 \
			--count "$mp_need" --offset "$mp_sent" --duration 60 ||
			note "synflood round $mp_round did not send everything"
		mp_sent=$((mp_sent + mp_need))
		wait_for at_least "$mp_syn" count_state "$mp_v" syn-recv --timeout 3
		POP_SYNRECV=$(count_state "$mp_v" syn-recv)
		mp_round=$((mp_round + 1))
	done
	[ "$POP_SYNRECV" -ge "$mp_syn" ] ||
		fail "only $POP_SYNRECV of $mp_syn SYN_RECV sockets after $mp_round rounds"

	wait_for at_least "$mp_procs" sh -c 'ls "$1"/pop-*.ready | wc -l' sh "$mp_dir" --timeout 120 ||
		fail "connhold processes not ready: $(cat "$mp_dir"/pop-*.ready 2>/dev/null)"
	mp_failed=$(cat "$mp_dir"/pop-*.ready | sed -n 's/.* failed=\([0-9]*\) .*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')
	[ "$mp_failed" -eq 0 ] || fail "$mp_failed loopback connects failed"
	wait_for at_least $((2 * mp_est)) count_state "$mp_v" established --timeout 60 ||
		fail "only $(count_state "$mp_v" established) of $((2 * mp_est)) ESTABLISHED sockets"
	POP_ESTAB=$(count_state "$mp_v" established)
	POP_MS=$(($(now_ms) - mp_t0))
	note "population: $POP_SYNRECV SYN_RECV + $POP_ESTAB ESTABLISHED in $POP_MS ms" \
		"($mp_procs connhold processes, $mp_round synflood rounds)"
}

# golden EXPECTED ACTUAL WHAT: fails unless ACTUAL equals the golden file
# EXPECTED; with SST_GOLDEN_UPDATE=1 it rewrites EXPECTED instead (then
# read the diff in git before committing it).
golden() {
	if [ -n "${SST_GOLDEN_UPDATE:-}" ]; then
		mkdir -p "$(dirname "$1")" && cp "$2" "$1" || fail "cannot write $1"
		note "updated $1"
		return 0
	fi
	diff -u "$1" "$2" > "$2.diff" 2>&1 || fail "$3 differs from $1: $(cat "$2.diff")"
}

# fixture_sources DB DATA TOP: the sources tests/data/db's schema5.db and
# schema6.db were made of, imported into DB in their order (DATA: the test
# data's folder, TOP: the repository's, both absolute; tests/data/db/
# README.md), as a fresh import to compare a migrated fixture with. Some
# exit 1 (a dump's bad lines): not checked.
fixture_sources() {
	fs_data=$2
	for fs in "$fs_data/format1/sockscope-victim-v1-head.zst" \
		"--host fixture $fs_data/db/cron-gap.log" \
		"--host names --at 2026-11-25T21:00:00Z $fs_data/names/netstat_tap.txt" \
		"--host names --at 2026-11-25T21:00:01Z $fs_data/names/ss_tua.txt" \
		"--host dumps --at 2026-11-25T21:00:00Z $fs_data/netstat/netstat_naep.txt" \
		"--host dumps --at 2026-11-25T21:00:01Z $fs_data/netstat/netstat_nawp.txt" \
		"--host dumps --at 2026-11-25T21:00:02Z $fs_data/bsd/freebsd_netstat_anT.txt" \
		"--host dumps --at 2026-11-25T21:00:03Z $3/samples/windows/netstat-ano-20261125T205052Z.txt"; do
		# shellcheck disable=SC2086  # fs is words (the paths have no spaces)
		"$SOCKSCOPE" import -q -d "$1" $fs > /dev/null 2>&1
	done
}

# fixture_migrated DB FROM TO DATA TOOLS: DB, a copy made here of
# tests/data/db's fixture of schema FROM, is refused by a report until an
# import (the fixture's cron log again: recognised, nothing added) migrates
# it to TO; then every report, replay and view prints the fixture's golden
# .reports byte for byte (DATA, TOOLS: the test data's and tests/tools'
# folders, absolute).
fixture_migrated() {
	cp "$4/db/$1" "$1" && chmod u+w "$1" || fail "cannot copy the fixture $1"
	"$SOCKSCOPE" summary -d "$1" > "$1.out" 2> "$1.err"
	[ $? -eq 2 ] && grep -q "schema version $2, this sockscope needs $3" "$1.err" ||
		fail "a report on the schema-$2 database did not ask for a migration: $(cat "$1.err")"
	"$SOCKSCOPE" import -q -d "$1" --host fixture "$4/db/cron-gap.log" > "$1.imp" 2>&1 ||
		fail "import into the schema-$2 database: $(cat "$1.imp")"
	grep -q "already imported" "$1.imp" ||
		fail "the fixture's source was not recognised: $(cat "$1.imp")"
	[ "$("$SOCKSCOPE" query -d "$1" "PRAGMA user_version")" = "$3" ] || fail "not migrated to $3"
	sh "$5/db_reports.sh" "$SOCKSCOPE" "$1" > "$1.reports"
	golden "$4/db/${1%.db}.reports" "$1.reports" \
		"every report, replay and view of the migrated database"
}

# fixture_like_fresh DB FRESH: DB's spans and process runs are the rows a
# fresh import FRESH of the same sources stores (fixture_sources), in the
# same order (written to FRESH.spans and FRESH.processes); in both, each
# chain's rowid range is in span_chains and no index on spans_packed's
# chain is left.
fixture_like_fresh() {
	for fl in "spans|SELECT quote(chain), k_first, k_last, copies, ord, kind, lport, rport,
		rnet, quote(laddr), quote(raddr), quote(rxq), quote(txq), quote(uid), quote(inode),
		quote(timer), quote(expires_ms), quote(retrans), quote(pid), quote(program),
		quote(max_retrans), quote(lhost), quote(rhost) FROM spans_packed
		ORDER BY chain, k_first, ord, rowid" \
		"processes|SELECT chain, pid, k_first, k_last, quote(program), quote(comm), sockets
		FROM process_spans"; do
		fl_name=${fl%%|*}
		"$SOCKSCOPE" query -d "$2" "${fl#*|}" > "$2.$fl_name" ||
			fail "query the fresh import's $fl_name"
		"$SOCKSCOPE" query -d "$1" "${fl#*|}" > "$1.$fl_name" || fail "query the migrated $fl_name"
		[ -s "$2.$fl_name" ] || fail "the fresh import has no $fl_name"
		cmp -s "$2.$fl_name" "$1.$fl_name" ||
			fail "the migration holds other $fl_name than a fresh import: $(diff "$2.$fl_name" "$1.$fl_name" | head -4)"
	done
	for fl_db in "$1" "$2"; do
		"$SOCKSCOPE" query -d "$fl_db" "SELECT chain, lo, hi FROM span_chains ORDER BY chain" \
			> "$fl_db.got" &&
			"$SOCKSCOPE" query -d "$fl_db" "SELECT chain, min(rowid), max(rowid)
				FROM spans_packed GROUP BY chain ORDER BY chain" > "$fl_db.want" ||
			fail "query $fl_db's span_chains"
		[ -s "$fl_db.got" ] && cmp -s "$fl_db.got" "$fl_db.want" ||
			fail "$fl_db: span_chains is not each chain's rowid range: $(diff "$fl_db.got" "$fl_db.want" | head -4)"
		[ "$("$SOCKSCOPE" query -d "$fl_db" "SELECT count(*) FROM sqlite_schema
			WHERE name = 'spans_packed_chain'")" = 0 ] ||
			fail "$fl_db keeps the index spans_packed_chain"
	done
}

# recorded_once DB DATA: the fixture's segment (in DATA, absolute)
# recompressed (other bytes, the same snapshots) and imported into DB adds
# no snapshot: each is recognised as one DB holds (by host, time and seq;
# schema 7 has no unique index).
recorded_once() {
	ro_seg=$2/format1/sockscope-victim-v1-head.zst
	ro_n=$("$SOCKSCOPE" query -d "$1" "SELECT count(*) FROM snapshots")
	ro_seq=$("$SOCKSCOPE" query -d "$1" "SELECT count(*) FROM snapshots WHERE seq IS NOT NULL")
	zstd -dc "$ro_seg" | zstd -q -1 -c > "$1.recompressed.zst" || fail "recompress the segment"
	cmp -s "$ro_seg" "$1.recompressed.zst" && fail "the recompressed segment has the same bytes"
	"$SOCKSCOPE" import --no-progress -d "$1" "$1.recompressed.zst" > "$1.imp" 2>&1 ||
		fail "import the recompressed segment: $(cat "$1.imp")"
	grep -q "; $ro_seq snapshots already imported$" "$1.imp" ||
		fail "the recompressed segment's snapshots were not recognised: $(cat "$1.imp")"
	[ "$("$SOCKSCOPE" query -d "$1" "SELECT count(*) FROM snapshots")" = "$ro_n" ] ||
		fail "the recompressed segment's snapshots were stored twice"
}

# csvrows COL...: the rows of a CSV report on stdin as "col=value ..." lines,
# read by Python's csv module (quoting and all); needs python3.
csvrows() {
	python3 -c 'import csv, sys
for r in csv.DictReader(sys.stdin):
    print(" ".join("%s=%s" % (k, r[k]) for k in sys.argv[1:]))' "$@"
}

# history_db DB: tests/data/reports/history.awk's synthetic history imported
# into DB (see tests/data/reports/README.md); history_counters DB adds the
# counter rows a recorder's segments would have stored: a cookie flood of 500/s in
# TcpExt.SyncookiesSent at 10:03:00 .. 10:03:50, and TcpExt.ListenOverflows
# rising 2 per snapshot until a reboot (boot_id a -> b) at 10:07:00, then 3.
# Need python3.
history_db() {
	awk -f "${TEST_DATA_DIR:-tests/data}/reports/history.awk" > "$1.log" || fail "history.awk"
	"$SOCKSCOPE" import -q -d "$1" "$1.log" 2> "$1.err" || fail "import: $(cat "$1.err")"
}
history_counters() {
	python3 - "$1" <<'EOT' || fail "adding counter rows to $1"
import sqlite3, sys, calendar, time
db = sqlite3.connect(sys.argv[1])
ts = lambda s: calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S")) * 10**6
t0, boot = ts("2026-11-25T10:02:50"), ts("2026-11-25T10:07:00")
ids, last = {}, {}
for name in ("TcpExt.SyncookiesSent", "TcpExt.ListenOverflows"):
    ids[name] = len(ids) + 1
    db.execute("INSERT INTO counter_names (name, id) VALUES (?, ?)", (name, ids[name]))
# stored as an import stores them (schema 5): a row where a counter's value
# differs from the snapshot before in its chain, every counter at a chain's start
for sid, t, chain, ck in db.execute("SELECT id, time, chain, k FROM snapshots ORDER BY chain, k").fetchall():
    k = min(max((t - t0) // 10**7, 0), 6)   # 10 s steps after 10:02:50, at most 6
    n = (t - ts("2026-11-25T10:00:00")) // 10**7          # snapshots since the start
    over = 100 + 2 * n if t < boot else 3 * ((t - boot) // 10**7)
    for name, v in (("TcpExt.SyncookiesSent", 7 + 5000 * k), ("TcpExt.ListenOverflows", over)):
        if last.get((chain, name)) != v:
            db.execute("INSERT INTO counter_changes VALUES (?, ?, ?, ?)", (chain, ids[name], ck, v))
            last[(chain, name)] = v
    db.execute("UPDATE snapshots SET boot_id = ? WHERE id = ?", ("a" if t < boot else "b", sid))
db.commit()
EOT
}
