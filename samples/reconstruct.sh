#!/bin/sh
# reconstruct.sh — writes samples/bsd/ and samples/windows/: what macOS and
# FreeBSD `netstat -an` and Windows `netstat -ano` would have printed for the
# victim's socket table at the SYN flood's peak, taken from the real
# recording samples/incident/ (no BSD or Windows machine can be recorded
# here). The rows are printed with printf(1) and the very layouts of
# tests/data/bsd/reconstruct.sh (netstat sources, see its README) and of
# tests/data/windows (see its README). See samples/README.md.
#
#   sh samples/reconstruct.sh [BUILD_DIR]        # from the repository root
set -eu

BUILD=${1:-build}
S=$BUILD/sockscope
REC=samples/incident/sockscope-victim-20261125T205045Z.zst
STAMP=20261125T205052Z
# The snapshot whose socket table is the one the real ss, netstat and
# /proc/net/tcp printed in samples/linux/*-$STAMP.txt: they ran right after
# the SYN flood ended (20:50:52.964, samples/truth/incident.csv), and seq 11
# is the first snapshot after that moment (seq 10, at 20:50:52.854, still
# lacks 53 of the SYNs). Its TCP rows equal ss's, 4-tuple for 4-tuple.
SEQ=11
SEQ_TIME=2026-11-25T20:50:53.354684Z

[ -x "$S" ] || { echo "reconstruct.sh: no $S (run make first)" >&2; exit 1; }
[ -f "$REC" ] || { echo "reconstruct.sh: run from the repository root ($REC)" >&2; exit 1; }
t=$("$S" dump --list "$REC" | awk -F'\t' -v s=$SEQ '$1 == s { print $2 }')
[ "$t" = $SEQ_TIME ] || { echo "reconstruct.sh: seq $SEQ is at '$t', not $SEQ_TIME" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sst-reconstruct.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# proto family state laddr lport raddr rport rxq txq ... pid program
"$S" dump --section sockets --seq $SEQ "$REC" | tail -n +2 > "$tmp/rows"
[ -s "$tmp/rows" ] || { echo "reconstruct.sh: no sockets at seq $SEQ" >&2; exit 1; }
mkdir -p samples/bsd samples/windows
# shellcheck source=tests/data/bsd/layouts.sh
. tests/data/bsd/layouts.sh

# bsd_ep ADDR PORT: an endpoint as BSD netstat writes it before the final
# cut: "192.0.2.2.80", "*.80", "*.*" (inetprint(): a wildcard address is
# "*", port 0 "*").
bsd_ep() {
	case $1 in 0.0.0.0 | ::) a='*' ;; *) a=$1 ;; esac
	if [ "$2" = 0 ]; then p='*'; else p=$2; fi
	printf '%s.%s' "$a" "$p"
}
# bsd_state STATE PROTO: tcp_fsm.h's tcpstates[] names; UDP has no state
bsd_state() {
	[ "$2" = tcp ] || return 0
	case $1 in
	LISTEN | SYN_SENT | ESTABLISHED | CLOSE_WAIT | CLOSING | LAST_ACK | TIME_WAIT) printf '%s' "$1" ;;
	SYN_RECV) printf SYN_RCVD ;;
	FIN_WAIT1) printf FIN_WAIT_1 ;;
	FIN_WAIT2) printf FIN_WAIT_2 ;;
	CLOSE) printf CLOSED ;;
	*) echo "reconstruct.sh: no BSD name for state $1" >&2; exit 1 ;;
	esac
}
# bsd_queues STATE RXQ TXQ: Recv-Q and Send-Q are so_rcv/so_snd.sb_cc, 0
# for a listener (the backlog is only shown with -L); Linux's LISTEN rows
# carry the accept queue and the backlog there instead.
bsd_queues() {
	if [ "$1" = LISTEN ]; then echo '0 0'; else echo "$2 $3"; fi
}

# BSD order: protopr() walks the PCB list, newest first (listeners, the
# oldest, come last), TCP then UDP; the recorder lists listeners first, so
# each protocol's rows are reversed.
for proto in tcp udp; do
	awk -F'\t' -v p=$proto '$1 == p' "$tmp/rows" | awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }'
done > "$tmp/bsd.rows"

{
	mac_title
	mac_header
	while IFS='	' read -r proto fam state la lp ra rp rxq txq _rest; do
		# a v6 socket bound to :: takes IPv4 too: "46"
		case $fam in 4) v='4 ' ;; *) if [ "$la" = :: ]; then v=46; else v='6 '; fi ;; esac
		# shellcheck disable=SC2046  # two numbers
		set -- $(bsd_queues "$state" "$rxq" "$txq")
		mac_row "$proto" "$v" "$1" "$2" "$(bsd_ep "$la" "$lp")" "$(bsd_ep "$ra" "$rp")" \
			"$fam" "$(bsd_state "$state" "$proto")"
	done < "$tmp/bsd.rows"
} > samples/bsd/macos-netstat-an-$STAMP.txt

# FreeBSD keeps half-open connections in the syncache (syncache(4)), which
# has no PCB: netstat cannot list them. The SYN_RECV rows are left out.
{
	printf 'Active Internet connections (including servers)\n'
	fbsd_header
	while IFS='	' read -r proto fam state la lp ra rp rxq txq _rest; do
		[ "$state" = SYN_RECV ] && continue
		case $fam in 4) v=4 ;; *) if [ "$la" = :: ]; then v=46; else v=6; fi ;; esac
		# shellcheck disable=SC2046
		set -- $(bsd_queues "$state" "$rxq" "$txq")
		q1=$1 q2=$2
		if [ "$proto" = tcp ]; then
			fbsd_row "$proto" "$v" "$q1" "$q2" "$(bsd_ep "$la" "$lp")" "$(bsd_ep "$ra" "$rp")" \
				"$fam" "$(bsd_state "$state" "$proto")"
		else
			fbsd_row "$proto" "$v" "$q1" "$q2" "$(bsd_ep "$la" "$lp")" "$(bsd_ep "$ra" "$rp")" "$fam"
		fi
	done < "$tmp/bsd.rows"
} > samples/bsd/freebsd-netstat-an-$STAMP.txt

# ---- Windows `netstat -ano` (tests/data/windows/README.md): title and
#      header, rows "  %-5s  %-22s %-22s %-15s %s", CRLF ----------------------
win_row() {   # win_row PROTO LOCAL FOREIGN STATE PID
	printf '  %-5s  %-22s %-22s %-15s %s\r\n' "$1" "$2" "$3" "$4" "$5"
}
# win_ep ADDR PORT: 1.2.3.4:80, [2001:db8::1]:80
win_ep() {
	case $1 in *:*) printf '[%s]:%s' "$1" "$2" ;; *) printf '%s:%s' "$1" "$2" ;; esac
}
win_state() {
	case $1 in
	LISTEN) printf LISTENING ;;
	SYN_RECV) printf SYN_RECEIVED ;;
	FIN_WAIT1) printf FIN_WAIT_1 ;;
	FIN_WAIT2) printf FIN_WAIT_2 ;;
	CLOSE) printf CLOSED ;;
	SYN_SENT | ESTABLISHED | CLOSE_WAIT | CLOSING | LAST_ACK | TIME_WAIT) printf '%s' "$1" ;;
	*) echo "reconstruct.sh: no Windows name for state $1" >&2; exit 1 ;;
	esac
}
# Windows sorts its tables (GetTcpTable's order): TCP IPv4, TCP IPv6, UDP
# IPv4, UDP IPv6, each by local address, local port, remote address, remote
# port. A half-open connection is owned by its listener's process (the
# recorder has no pid for a request socket); TIME_WAIT by PID 0.
awk -F'\t' '
	function key(a,    o, n, i) {
		if (a ~ /:/) return sprintf("2%-39s", a)
		n = split(a, o, ".")
		return sprintf("1%03d%03d%03d%03d", o[1], o[2], o[3], o[4])
	}
	$3 == "LISTEN" { lpid[$4 " " $5] = $15 }
	{ row[NR] = $0; k[NR] = sprintf("%s%d %s %05d %s %05d", $1 == "tcp" ? 1 : 2, $2, key($4), $5, key($6), $7) }
	END {
		for (i = 1; i <= NR; i++) {
			split(row[i], f, "\t")
			pid = f[15]
			if (f[3] == "SYN_RECV" && pid == "-") pid = lpid[f[4] " " f[5]]
			if (f[3] == "TIME_WAIT" || pid == "-" || pid == "") pid = 0
			print k[i] "\t" row[i] "\t" pid
		}
	}' "$tmp/rows" | LC_ALL=C sort | cut -f2- > "$tmp/win.rows"
{
	printf '\r\nActive Connections\r\n\r\n'
	win_row Proto 'Local Address' 'Foreign Address' State PID
	while IFS='	' read -r proto fam state la lp ra rp _rxq _txq _uid _inode _timer _exp _retr _pid _prog wpid; do
		if [ "$proto" = tcp ]; then
			win_row TCP "$(win_ep "$la" "$lp")" "$(win_ep "$ra" "$rp")" "$(win_state "$state")" "$wpid"
		else
			# the UDP table has no remote end: always *:*, no state
			win_row UDP "$(win_ep "$la" "$lp")" '*:*' '' "$wpid"
		fi
	done < "$tmp/win.rows"
} > samples/windows/netstat-ano-$STAMP.txt

for f in samples/bsd/macos-netstat-an-$STAMP.txt samples/bsd/freebsd-netstat-an-$STAMP.txt \
	samples/windows/netstat-ano-$STAMP.txt; do
	echo "$f: $(wc -l < "$f") lines"
done
