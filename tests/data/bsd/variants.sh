#!/bin/sh
# variants.sh — writes the BSD/macOS dumps of issue 15 (names mode, extra
# and other columns, NetBSD) with printf(1) and the printf formats of the
# netstat sources named in README.md, as reconstruct.sh does for -an.
#
#   sh tests/data/bsd/variants.sh           # from the repository root
set -euf   # no globbing: rows hold '*'
cd "$(dirname "$0")"
# shellcheck source=tests/data/bsd/layouts.sh
. ./layouts.sh

# names mode: inetprint() prints "%.16s." of the host name (12 with -A and
# a named port), then the service name "%.15s" (a number when getservbyport
# has none; an anonymous local port stays a number), cut as a whole to the
# 22 (-A: 18) columns.
ep_named() {   # ep_named WIDTH HOSTCUT HOST PORT
	printf "%-$1.$1s " "$(printf "%.$2s.%.15s " "$3" "$4")"
}

# ---- FreeBSD 14 `netstat -a` (no -n): names ---------------------------------
{
	printf 'Active Internet connections (including servers)\n'
	fbsd_header
	for r in 'tcp 4 0 0 builder.example.org ssh client-a.example.net 50211 ESTABLISHED' \
		 'tcp 4 0 0 builder.example.org https 198.51.100.77 61001 SYN_RCVD' \
		 'tcp 4 0 0 builder.example.org https 198.51.100.78 61002 SYN_RCVD' \
		 'tcp 4 0 36 builder.example.org smtp mx.example.com 44120 ESTABLISHED' \
		 'tcp 4 0 0 localhost postgresql localhost 49170 ESTABLISHED' \
		 'tcp 4 0 0 localhost 49170 localhost postgresql ESTABLISHED' \
		 'tcp 4 0 0 localhost postgresql * * LISTEN' \
		 'tcp 4 0 0 * ssh * * LISTEN' \
		 'tcp 4 0 0 * http * * LISTEN' \
		 'tcp 6 0 0 * ssh * * LISTEN' \
		 'tcp 4 0 0 localhost smtp * * LISTEN'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-3.3s%-2.2s %6u %6u ' "$1" "$2" "$3" "$4"
		ep_named 22 16 "$5" "$6"; ep_named 22 16 "$7" "$8"
		printf '%-11s\n' "$9"
	done
	for r in 'udp 4 0 0 * syslog * *' 'udp 4 0 0 localhost domain * *' \
		 'udp 4 0 0 builder.example.org ntp ntp.example.net ntp' \
		 'udp 6 0 0 * mdns * *'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-3.3s%-2.2s %6u %6u ' "$1" "$2" "$3" "$4"
		ep_named 22 16 "$5" "$6"; ep_named 22 16 "$7" "$8"
		printf '\n'
	done
} >freebsd_netstat_a.txt

# ---- FreeBSD 14 `netstat -anA`: the tcpcb/socket address first, 18-column
#      endpoints ------------------------------------------------------------
{
	printf 'Active Internet connections (including servers)\n'
	printf '%-16s ' Tcpcb
	printf '%-5.5s %-6.6s %-6.6s %-18.18s %-18.18s (state)\n' Proto Recv-Q Send-Q \
		'Local Address' 'Foreign Address'
	for r in 'fffff80003df43d0 tcp 4 0 0 192.0.2.10.22 198.51.100.20.50222 ESTABLISHED' \
		 'fffff80003e1a7a0 tcp 4 0 0 192.0.2.10.22 198.51.100.77.61001 SYN_RCVD' \
		 'fffff80003e1b870 tcp 4 0 0 *.22 *.* LISTEN' \
		 'fffff80003e1c940 tcp 6 0 0 *.22 *.* LISTEN' \
		 'fffff80003f20000 udp 4 0 0 *.514 *.*' \
		 'fffff80003f20200 udp 6 0 0 ::1.53 *.*'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%16s %-3.3s%-2.2s %6u %6u ' "$1" "$2" "$3" "$4" "$5"
		for ep in "$6" "$7"; do
			printf '%-18.18s ' "$(printf '%.16s.%s ' "${ep%.*}" "${ep##*.}")"
		done
		if [ $# -ge 8 ]; then printf '%-11s' "$8"; fi
		printf '\n'
	done
} >freebsd_netstat_anA.txt

# ---- FreeBSD 14 `netstat -anT`: Rexmit OOORcv 0-win instead of the queues,
#      no state column; UDP rows leave the three counters blank -------------
{
	printf 'Active Internet connections (including servers)\n'
	printf '%-5.5s %-6.6s %-6.6s %-6.6s %-22.22s %s\n' Proto Rexmit OOORcv 0-win \
		'Local Address' 'Foreign Address'
	printf '%-3.3s%-2.2s %6u %6u %6u ' tcp 4 3 0 0; bsd_endpoints 4 192.0.2.10.22 198.51.100.20.50222; printf '\n'
	printf '%-3.3s%-2.2s %6u %6u %6u ' tcp 4 0 1 2; bsd_endpoints 4 192.0.2.10.443 203.0.113.5.50122; printf '\n'
	printf '%-3.3s%-2.2s %6u %6u %6u ' tcp 4 0 0 0; bsd_endpoints 4 '*.22' '*.*'; printf '\n'
	printf '%-3.3s%-2.2s %21s' udp 4 ''; bsd_endpoints 4 '*.514' '*.*'; printf '\n'
} >freebsd_netstat_anT.txt

# ---- FreeBSD 14 `netstat -anx`: socket buffer columns after the addresses,
#      the timers for TCP, no state column ---------------------------------
{
	printf 'Active Internet connections (including servers)\n'
	printf '%-5.5s %-6.6s %-6.6s %-22.22s %-22.22s' Proto Recv-Q Send-Q \
		'Local Address' 'Foreign Address'
	printf ' %-6.6s' R-MBUF S-MBUF R-CLUS S-CLUS R-HIWA S-HIWA R-LOWA S-LOWA \
		R-BCNT S-BCNT R-BMAX S-BMAX
	printf ' %7.7s' rexmt persist keep 2msl delack rcvtime
	printf '\n'
	printf '%-3.3s%-2.2s %6u %6u ' tcp 4 0 0; bsd_endpoints 4 192.0.2.10.22 198.51.100.20.50222
	printf '%6u ' 0 0 0 0 65536 33580 1 2048 0 0 524288 268640
	printf ' %4d.%02d' 0 0 0 0 7199 98 0 0 0 0 0 12; printf '\n'
	printf '%-3.3s%-2.2s %6u %6u ' tcp 4 0 0; bsd_endpoints 4 '*.22' '*.*'
	printf '%6u ' 0 0 0 0 65536 32768 1 2048 0 0 524288 262144
	printf ' %4d.%02d' 0 0 0 0 0 0 0 0 0 0 1234 5; printf '\n'
	printf '%-3.3s%-2.2s %6u %6u ' udp 4 0 0; bsd_endpoints 4 '*.514' '*.*'
	printf '%6u ' 0 0 0 0 42080 9216 1 2048 0 0 336640 73728; printf '\n'
} >freebsd_netstat_anx.txt

# ---- macOS 14 `netstat -anA`: socket address and flow hash first, 18-column
#      endpoints (protopr_header, protopr) ------------------------------------
{
	printf 'Active Internet connections (including servers)\n'
	printf '%-16.16s %-9.9s' Socket Flowhash
	printf '%-5.5s %-6.6s %-6.6s  ' Proto Recv-Q Send-Q
	printf '%-18.18s %-18.18s ' 'Local Address' 'Foreign Address'
	printf '%-11.11s\n' '(state)'
	for r in '3c8b5a1f2e4d6071 a1b2c3d4 tcp 4 0 0 192.0.2.10.52311 198.51.100.20.443 ESTABLISHED' \
		 '3c8b5a1f2e4d5f39 5e6f7081 tcp 4 0 0 192.0.2.10.22 198.51.100.77.61001 SYN_RCVD' \
		 '3c8b5a1f2e4d5e01 0 tcp 46 0 0 *.5000 *.* LISTEN' \
		 '3c8b5a1f2e4d5c89 9abcdef0 udp 4 0 0 192.0.2.10.60000 198.51.100.53.53' \
		 '3c8b5a1f2e4d5b11 0 udp 4 0 0 *.5353 *.*'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%16s %8s ' "$1" "$2"
		printf '%-3.3s%-2.2s %6u %6u  ' "$3" "$4" "$5" "$6"
		for ep in "$7" "$8"; do
			printf '%-18.18s ' "$(printf '%.16s.%s ' "${ep%.*}" "${ep##*.}")"
		done
		printf '%-11s\n' "${9:-}"
	done
} >macos_netstat_anA.txt

# ---- macOS 14 `netstat -a` (no -n): names -----------------------------------
{
	mac_title
	mac_header
	for r in 'tcp 4 0 0 macbook.local 52311 www.example.com https ESTABLISHED' \
		 'tcp 4 0 0 macbook.local ssh 192.168.71.1 61001 ESTABLISHED' \
		 'tcp 4 0 0 localhost ipp localhost 49170 CLOSE_WAIT' \
		 'tcp 46 0 0 * commplex-main * * LISTEN' \
		 'tcp 4 0 0 * ssh * * LISTEN' \
		 'tcp 6 0 0 * ssh * * LISTEN'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-3.3s%-2.2s %6u %6u  ' "$1" "$2" "$3" "$4"
		ep_named 22 16 "$5" "$6"; ep_named 22 16 "$7" "$8"
		printf '%-11s\n' "$9"
	done
	for r in 'udp 4 0 0 * mdns * *' 'udp 6 0 0 * mdns * *' 'udp 4 0 0 * netbios-ns * *'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-3.3s%-2.2s %6u %6u  ' "$1" "$2" "$3" "$4"
		ep_named 22 16 "$5" "$6"; ep_named 22 16 "$7" "$8"
		printf '%-11s\n' ''
	done
} >macos_netstat_a.txt

# ---- NetBSD 10 `netstat -an` and `-a`: "tcp"/"tcp6" without 4, "State"
#      (protoprhdr, protopr0: "%-5.5s %6d %6d " then the endpoints) ------
nbsd_header() {
	printf 'Active Internet connections (including servers)\n'
	printf '%-5.5s %-6.6s %-6.6s %s%-22.22s %-22.22s %s\n' Proto Recv-Q Send-Q ' ' \
		'Local Address' 'Foreign Address' State
}
{
	nbsd_header
	for r in 'tcp 0 0 192.0.2.30.22 198.51.100.20.50222 ESTABLISHED' \
		 'tcp 0 0 192.0.2.30.25 198.51.100.90.53001 TIME_WAIT' \
		 'tcp 0 0 *.22 *.* LISTEN' 'tcp 0 0 127.0.0.1.25 *.* LISTEN'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-5.5s %6d %6d ' "$1" "$2" "$3"
		for ep in "$4" "$5"; do printf ' %-22.22s' "$(printf '%.16s.%s' "${ep%.*}" "${ep##*.}")"; done
		printf ' %s\n' "$6"
	done
	for r in 'tcp6 0 0 2001:db8::30.22 2001:db8::9.60222 ESTABLISHED' 'tcp6 0 0 *.22 *.* LISTEN'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-5.5s %6d %6d ' "$1" "$2" "$3"
		for ep in "$4" "$5"; do printf ' %-22.22s' "$(printf '%.16s.%s' "${ep%.*}" "${ep##*.}")"; done
		printf ' %s\n' "$6"
	done
	printf 'Active Internet connections (including servers)\n'
	printf '%-5.5s %-6.6s %-6.6s %s%-22.22s %-22.22s %s\n' Proto Recv-Q Send-Q ' ' \
		'Local Address' 'Foreign Address' State
	for r in 'udp 0 0 *.514 *.*' 'udp 0 0 192.0.2.30.123 *.*'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-5.5s %6d %6d ' "$1" "$2" "$3"
		for ep in "$4" "$5"; do printf ' %-22.22s' "$(printf '%.16s.%s' "${ep%.*}" "${ep##*.}")"; done
		printf '\n'
	done
} >netbsd_netstat_an.txt
{
	nbsd_header
	for r in 'tcp 0 0 netbsd.example.org ssh client-a.example.net 50222 ESTABLISHED' \
		 'tcp 0 0 * ssh * * LISTEN' 'tcp 0 0 localhost smtp * * LISTEN' \
		 'tcp6 0 0 * ssh * * LISTEN'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%-5.5s %6d %6d ' "$1" "$2" "$3"
		printf ' %-22.22s' "$(printf '%.16s.%.15s' "$4" "$5")" "$(printf '%.16s.%.15s' "$6" "$7")"
		printf ' %s\n' "$8"
	done
} >netbsd_netstat_a.txt
# NetBSD `netstat -anA`: "PCB" first, 21 columns, one blank less before
# them, and the short state names (compact)
{
	printf 'Active Internet connections (including servers)\n'
	printf '%-8.8s ' PCB
	printf '%-5.5s %-6.6s %-6.6s %s%-21.21s %-21.21s %s\n' Proto Recv-Q Send-Q '' \
		'Local Address' 'Foreign Address' State
	for r in 'c1a2b3c4 tcp 0 0 192.0.2.30.22 198.51.100.20.50222 ESTABL' \
		 'c1a2b5d8 tcp 0 0 192.0.2.30.25 198.51.100.90.53001 TMWAIT' \
		 'c1a2b7e0 tcp 0 0 *.22 *.* LISTEN' 'c1a2b9f4 tcp 0 0 192.0.2.30.80 198.51.100.50.40001 SYSRCV'; do
		# shellcheck disable=SC2086
		set -- $r
		printf '%8s %-5.5s %6d %6d' "$1" "$2" "$3" "$4"
		for ep in "$5" "$6"; do printf ' %-21.21s' "$(printf '%.16s.%s' "${ep%.*}" "${ep##*.}")"; done
		printf ' %s\n' "$7"
	done
} >netbsd_netstat_anA.txt
