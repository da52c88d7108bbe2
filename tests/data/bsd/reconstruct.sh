#!/bin/sh
# reconstruct.sh — writes the three BSD/macOS `netstat -an` samples of this
# directory with printf(1) and the printf formats of the netstat sources
# named in README.md, so that columns, padding and truncation are those of
# the real tools. Addresses are documentation/loopback/link-local ones.
#
#   sh tests/data/bsd/reconstruct.sh        # from the repository root
set -eu
cd "$(dirname "$0")"
# shellcheck source=tests/data/bsd/layouts.sh
. ./layouts.sh

# ---- macOS (network_cmds-741 netstat.tproj: inet.c protopr/inetprint,
#      inet6.c inet6print, mptcp.c, unix.c, systm.c) ---------------------------
{
	mac_title
	mac_header
	mac_row tcp '4 ' 0 0 192.0.2.10.52311 198.51.100.20.443 4 ESTABLISHED
	mac_row tcp '4 ' 0 0 192.0.2.10.22 198.51.100.77.61001 4 SYN_RCVD
	mac_row tcp '4 ' 0 0 192.0.2.10.22 198.51.100.78.61002 4 SYN_RCVD
	mac_row tcp '4 ' 0 517 192.0.2.10.22 203.0.113.5.50122 4 ESTABLISHED
	mac_row tcp '6 ' 0 0 2001:db8::10.52309 2001:db8:1::5.443 6 ESTABLISHED
	mac_row tcp '4 ' 0 0 192.0.2.10.52312 203.0.113.9.8443 4 SYN_SENT
	mac_row tcp '4 ' 0 0 192.0.2.10.52290 203.0.113.7.80 4 TIME_WAIT
	mac_row tcp '4 ' 31 0 127.0.0.1.49170 127.0.0.1.631 4 CLOSE_WAIT
	mac_row tcp '4 ' 0 0 127.0.0.1.631 127.0.0.1.49170 4 FIN_WAIT_2
	mac_row tcp '6 ' 0 0 fe80::1%lo0.1023 fe80::1%lo0.49180 6 ESTABLISHED
	mac_row tcp '4 ' 0 1 192.0.2.10.52280 198.51.100.21.443 4 LAST_ACK
	mac_row tcp 46 0 0 '*.5000' '*.*' 4 LISTEN
	mac_row tcp '4 ' 0 0 '*.22' '*.*' 4 LISTEN
	mac_row tcp '6 ' 0 0 '*.22' '*.*' 6 LISTEN
	mac_row tcp '4 ' 0 0 127.0.0.1.631 '*.*' 4 LISTEN
	mac_row tcp '6 ' 0 0 ::1.631 '*.*' 6 LISTEN
	mac_row tcp '4 ' 0 0 '*.*' '*.*' 4 CLOSED
	mac_row udp '4 ' 0 0 192.0.2.10.60000 198.51.100.53.53 4 ''
	mac_row udp '4 ' 0 0 '*.*' '*.*' 4 ''
	mac_row udp '4 ' 0 0 '*.5353' '*.*' 4 ''
	mac_row udp '6 ' 0 0 '*.5353' '*.*' 6 ''
	mac_row udp 46 0 0 '*.50000' '*.*' 4 ''
	mac_row udp '4 ' 0 0 192.0.2.10.123 '*.*' 4 ''
	mac_row udp '6 ' 0 0 fe80::4%en0.123 '*.*' 6 ''
	# mptcppr() runs at the end of the IPv4 protocols, before the IPv6
	# pass prints its ICMPv6 sockets
	printf 'Active Multipath Internet connections\n'
	printf '%-8.8s  %-9.9s  %-22.22s %-22.22s %-11.11s\n' Proto/ID Flags \
		'Local Address' 'Foreign Address' '(state)'
	mac_row icmp6 '6 ' 0 0 '*.*' '*.*' 6 ''
	mac_row icmp6 '6 ' 0 0 '*.*' '*.*' 6 ''
	printf 'Active LOCAL (UNIX) domain sockets\n'
	printf '%-16.16s %-6.6s %-6.6s %-6.6s %16.16s %16.16s %16.16s %16.16s Addr\n' \
		Address Type Recv-Q Send-Q Inode Conn Refs Nextref
	printf '%16s %-6.6s %6u %6u %16s %16s %16s %16s %s\n' \
		3c8b5a1f2e4d6071 stream 0 0 0 3c8b5a1f2e4d5f39 0 0 /var/run/mDNSResponder
	printf '%16s %-6.6s %6u %6u %16s %16s %16s %16s\n' \
		3c8b5a1f2e4d5f39 stream 0 0 0 3c8b5a1f2e4d6071 0 0
	printf '%16s %-6.6s %6u %6u %16s %16s %16s %16s %s\n' \
		3c8b5a1f2e4d5e01 dgram 0 0 0 3c8b5a1f2e4d5c89 0 3c8b5a1f2e4d5b11 /private/var/run/syslog
	printf 'Registered kernel control modules\n'
	printf '%-8.8s %-8.8s %-8.8s %-8.8s %-8.8s %s \n' id flags pcbcount rcvbuf sndbuf name
	printf '%8x %8x %8d %8d %8d %s \n' 1 9 0 131072 131072 com.apple.flow-divert
	printf '%8x %8x %8d %8d %8d %s \n' 2 1 1 16384 2048 com.apple.nke.sockwall
	printf '%8x %8x %8d %8d %8d %s \n' 3 9 0 524288 524288 com.apple.content-filter
	printf 'Active kernel event sockets\n'
	printf '%-5.5s %-6.6s %-6.6s %6.6s %6.6s %6.6s\n' Proto Recv-Q Send-Q vendor class subcl
	printf '%-5.5s %6u %6u %6d %6d %6d\n' kevt 0 0 1 1 6
	printf '%-5.5s %6u %6u %6d %6d %6d\n' kevt 0 0 1 1 1
	printf 'Active kernel control sockets\n'
	printf '%-5.5s %-6.6s %-6.6s %6.6s %6.6s %s\n' Proto Recv-Q Send-Q unit id name
	printf '%-5.5s %6u %6u %6d %6d %s\n' kctl 0 0 1 2 com.apple.nke.sockwall
	printf '%-5.5s %6u %6u %6d %6d %s\n' kctl 0 0 1 3 com.apple.content-filter
} >macos_netstat_an.txt

# ---- FreeBSD 14 (usr.bin/netstat/inet.c protopr/inetprint, inet6.c
#      inet6print, unix.c unixdomainpr; libxo text output) ----------------------
{
	printf 'Active Internet connections (including servers)\n'
	fbsd_header
	fbsd_row tcp 4 0 0 203.0.113.10.22 198.51.100.30.50522 4 ESTABLISHED
	fbsd_row tcp 4 0 36 203.0.113.10.22 192.0.2.44.61234 4 ESTABLISHED
	fbsd_row tcp 4 0 0 203.0.113.10.80 198.51.100.61.40001 4 SYN_RCVD
	fbsd_row tcp 4 0 0 203.0.113.10.80 198.51.100.62.40002 4 SYN_RCVD
	fbsd_row tcp 4 0 0 203.0.113.10.80 198.51.100.63.40003 4 SYN_RCVD
	fbsd_row tcp 4 0 0 203.0.113.10.80 192.0.2.80.55100 4 TIME_WAIT
	fbsd_row tcp 6 0 0 2001:db8:2::10.443 2001:db8:3::7.51000 6 ESTABLISHED
	fbsd_row tcp 6 0 0 2001:db8:2::10.443 2001:db8:3::8.51002 6 FIN_WAIT_1
	fbsd_row tcp 4 0 0 127.0.0.1.25 127.0.0.1.40400 4 CLOSE_WAIT
	fbsd_row tcp 4 0 0 '*.80' '*.*' 4 LISTEN
	fbsd_row tcp 6 0 0 '*.80' '*.*' 6 LISTEN
	fbsd_row tcp 4 0 0 '*.22' '*.*' 4 LISTEN
	fbsd_row tcp 6 0 0 '*.22' '*.*' 6 LISTEN
	fbsd_row tcp 4 0 0 127.0.0.1.25 '*.*' 4 LISTEN
	fbsd_row tcp 46 0 0 '*.8080' '*.*' 4 LISTEN
	fbsd_row tcp 6 0 0 fe80::1%lo0.8443 '*.*' 6 LISTEN
	# printed when the PCB generation changed while netstat read the list
	printf 'Some tcp sockets may have been deleted.\n'
	fbsd_row udp 4 0 0 203.0.113.10.123 '*.*' 4
	fbsd_row udp 6 0 0 2001:db8:2::10.123 '*.*' 6
	fbsd_row udp 4 0 0 127.0.0.1.123 '*.*' 4
	fbsd_row udp 6 0 0 fe80::1%lo0.123 '*.*' 6
	fbsd_row udp 6 0 0 ::1.123 '*.*' 6
	fbsd_row udp 4 0 0 '*.514' '*.*' 4
	fbsd_row udp 6 0 0 '*.514' '*.*' 6
	fbsd_row udp 4 0 0 203.0.113.10.53011 192.0.2.53.53 4
	printf 'Active UNIX domain sockets\n'
	printf '%-16.16s %-6.6s %-6.6s %-6.6s %16.16s %16.16s %16.16s %16.16s Addr\n' \
		Address Type Recv-Q Send-Q Inode Conn Refs Nextref
	printf '%16s %-6.6s %6u %6u %16s %16s %16s %16s %s\n' \
		fffff80003a1c300 stream 0 0 fffff80003b42760 0 0 0 /var/run/devd.seqpacket.pipe
	printf '%16s %-6.6s %6u %6u %16s %16s %16s %16s\n' \
		fffff80003a1c200 stream 0 0 0 fffff80003a1c100 0 0
	printf '%16s %-6.6s %6u %6u %16s %16s %16s %16s %s\n' \
		fffff80003a1b800 dgram 0 0 fffff80003b40b00 0 fffff80003a1b700 0 /var/run/logpriv
} >freebsd_netstat_an.txt

# ---- OpenBSD 7 (usr.bin/netstat/inet.c 1.183 netdomainpr/inetprint,
#      inet6.c inet6print, unix.c unixdomainpr) ---------------------------------
# A title and header each time the (family, socket type) changes; sockets
# sorted by family, protocol, then remote port, highest first.
obsd_header() {
	printf 'Active Internet connections (including servers)\n'
	printf '%-7.7s %-6.6s %-6.6s ' Proto Recv-Q Send-Q
	printf ' %-22.22s %-22.22s%s\n' 'Local Address' 'Foreign Address' "$1"
}
# obsd_row NAME RECVQ SENDQ LOCAL FOREIGN [STATE]
obsd_row() {
	printf '%-7.7s %6u %6u ' "$1" "$2" "$3"
	for ep in "$4" "$5"; do
		a=${ep%.*} p=${ep##*.}
		printf ' %-22.22s' "$(printf '%.16s.%s' "$a" "$p")"
	done
	if [ $# -ge 6 ]; then printf ' %s' "$6"; fi
	printf '\n'
}

{
	obsd_header ' TCP-State'
	obsd_row tcp 0 0 192.0.2.20.22 203.0.113.50.62011 ESTABLISHED
	obsd_row tcp 0 0 192.0.2.20.25 198.51.100.90.53001 SYN_RCVD
	obsd_row tcp 0 0 192.0.2.20.25 198.51.100.91.53000 SYN_RCVD
	obsd_row tcp 0 0 192.0.2.20.80 198.51.100.92.44123 TIME_WAIT
	obsd_row tcp 0 0 127.0.0.1.25 '*.*' LISTEN
	obsd_row tcp 0 0 '*.22' '*.*' LISTEN
	obsd_row tcp 0 0 '*.80' '*.*' LISTEN
	obsd_header ''
	obsd_row udp 0 0 192.0.2.20.14321 192.0.2.53.53
	obsd_row udp 0 0 192.0.2.20.123 '*.*'
	obsd_row udp 0 0 '*.*' '*.*'
	obsd_header ' TCP-State'
	obsd_row tcp6 0 0 2001:db8:4::20.22 2001:db8:5::9.60222 ESTABLISHED
	obsd_row tcp6 0 0 ::1.25 '*.*' LISTEN
	obsd_row tcp6 0 0 fe80::1%lo0.25 '*.*' LISTEN
	obsd_row tcp6 0 0 '*.22' '*.*' LISTEN
	obsd_header ''
	obsd_row udp6 0 0 2001:db8:4::20.123 '*.*'
	obsd_header ' IP-Proto'
	obsd_row ip6 0 0 '*.*' '*.*' 58
	printf 'Active UNIX domain sockets\n'
	printf '%-18.18s %-6.6s %-6.6s %-6.6s %18.18s %18.18s %18.18s %18.18s Addr\n' \
		Address Type Recv-Q Send-Q Inode Conn Refs Nextref
	# FAKE_PTR(): "%#*llx" of a pointer, and "0x0" for NULL
	printf '%18s %-6.6s %6u %6u %18s %18s %18s %18s %s\n' \
		0xffff80000124a900 stream 0 0 0xfffffd8012e4c0a8 0x0 0x0 0x0 /var/run/smtpd.sock
	printf '%18s %-6.6s %6u %6u %18s %18s %18s %18s %s\n' \
		0xffff80000124a300 dgram 0 0 0xfffffd8012e4b1d0 0x0 0xffff80000124a600 0x0 /dev/log
	printf '%18s %-6.6s %6u %6u %18s %18s %18s %18s\n' \
		0xffff80000124a600 dgram 0 0 0x0 0xffff80000124a300 0x0 0x0
} >openbsd_netstat_an.txt
