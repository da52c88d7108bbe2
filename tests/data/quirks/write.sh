#!/bin/sh
# write.sh — writes the old-quirk dumps of this directory with printf(1) and
# the layouts of the tools that print them (README.md says which).
#   sh tests/data/quirks/write.sh           # from the repository root
set -euf
cd "$(dirname "$0")"

# net-tools 1.60 (RHEL 5, CentOS 5): tcp_do_one/udp_do_one print the row's
# protocol as "tcp"/"udp" for the sockets of /proc/net/tcp6 and udp6 too,
# "%-4s  %6ld %6ld %-*s %-*s %-11s" with 23-column addresses; IPv6 wildcards
# are ":::PORT" and ":::*", IPv4-mapped peers "::ffff:a.b.c.d:PORT".
r160() { printf '%-4s  %6d %6d %-23s %-23s %-11s\n' "$@"; }
{
	printf 'Active Internet connections (servers and established)\n'
	printf 'Proto Recv-Q Send-Q Local Address               Foreign Address             State      \n'
	r160 tcp 0 0 0.0.0.0:111 0.0.0.0:'*' LISTEN
	r160 tcp 0 0 127.0.0.1:25 0.0.0.0:'*' LISTEN
	r160 tcp 0 0 192.0.2.40:22 198.51.100.20:50222 ESTABLISHED
	r160 tcp 0 0 :::22 ':::*' LISTEN
	r160 tcp 0 0 :::80 ':::*' LISTEN
	r160 tcp 0 0 ::ffff:192.0.2.40:80 ::ffff:198.51.100.21:40001 ESTABLISHED
	r160 tcp 0 0 ::ffff:192.0.2.40:80 ::ffff:198.51.100.22:40002 SYN_RECV
	r160 tcp 0 0 2001:db8::40:22 2001:db8::9:60222 ESTABLISHED
	r160 udp 0 0 0.0.0.0:111 0.0.0.0:'*' ''
	r160 udp 0 0 :::5353 ':::*' ''
	printf 'Active UNIX domain sockets (servers and established)\n'
	printf 'Proto RefCnt Flags       Type       State         I-Node Path\n'
	printf 'unix  2      [ ACC ]     STREAM     LISTENING     8514   /dev/log\n'
} >netstat_an_rhel5.txt

# net-tools -eop in the 2.10 layout (netstat.c: "%-20s" PID/Program after
# User and Inode, then the Timer): "PID/name", or "-" when no process is
# seen. Dumps in the wild also hold rows whose PID/Program field is empty
# or a PID with an empty name ("1401/"); those two are written here as
# such rows would stand in the layout (no capture could make them here).
reop() { printf '%-5s %6d %6d %-23s %-23s %-11s %-10s %-10s %-20s %s\n' "$@"; }
{
	printf 'Active Internet connections (servers and established)\n'
	printf 'Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name     Timer\n'
	reop tcp 0 0 0.0.0.0:22 0.0.0.0:'*' LISTEN 0 16384 812/sshd 'off (0.00/0/0)'
	reop tcp 0 0 0.0.0.0:25 0.0.0.0:'*' LISTEN 0 16385 '' 'off (0.00/0/0)'
	reop tcp 0 0 192.0.2.40:22 198.51.100.20:50222 ESTABLISHED 0 16390 '1401/' 'keepalive (7199.88/0/0)'
	reop tcp 0 0 192.0.2.40:80 198.51.100.21:40001 TIME_WAIT 0 0 - 'timewait (59.12/0/0)'
	reop tcp6 0 0 :::22 ':::*' LISTEN 0 16386 812/sshd 'off (0.00/0/0)'
	reop udp 0 0 0.0.0.0:68 0.0.0.0:'*' '' 0 16400 '' 'off (0.00/0/0)'
} >netstat_naeop_empty.txt
