#!/bin/sh
# names.sh — writes netstat_a.txt, `netstat -a` (no -n) as Windows prints it:
# the layout of the other fixtures (README.md), host names for addresses the
# resolver names (the machine's own name "DESKTOP-7QJ1" for the missing
# peer of a listener and for its own addresses), service names from the
# Windows services file for the ports it lists (epmap, microsoft-ds,
# netbios-ssn, https), CRLF line ends.
#   sh tests/data/windows/names.sh          # from the repository root
set -euf
cd "$(dirname "$0")"
row() { printf '  %-5s  %-22s %-22s %s\r\n' "$@"; }
{
	printf '\r\nActive Connections\r\n\r\n'
	printf '  Proto  Local Address          Foreign Address        State\r\n'
	row TCP 0.0.0.0:epmap DESKTOP-7QJ1:0 LISTENING
	row TCP 0.0.0.0:microsoft-ds DESKTOP-7QJ1:0 LISTENING
	row TCP 0.0.0.0:49664 DESKTOP-7QJ1:0 LISTENING
	row TCP 127.0.0.1:5354 DESKTOP-7QJ1:49669 ESTABLISHED
	row TCP 192.0.2.10:netbios-ssn DESKTOP-7QJ1:0 LISTENING
	row TCP 192.0.2.10:49733 www.example.com:https ESTABLISHED
	row TCP 192.0.2.10:49740 203.0.113.80:https TIME_WAIT
	row TCP 192.0.2.10:49741 a23-45-67-89.deploy.example.net:http CLOSE_WAIT
	row TCP '[::]:epmap' DESKTOP-7QJ1:0 LISTENING
	row TCP '[::]:microsoft-ds' DESKTOP-7QJ1:0 LISTENING
	printf '  %-5s  %-22s %-22s \r\n' UDP 0.0.0.0:isakmp '*:*'
	printf '  %-5s  %-22s %-22s \r\n' UDP 0.0.0.0:5353 '*:*'
	printf '  %-5s  %-22s %-22s \r\n' UDP 192.0.2.10:netbios-ns '*:*'
	printf '  %-5s  %-22s %-22s \r\n' UDP '[::]:5353' '*:*'
} >netstat_a.txt
