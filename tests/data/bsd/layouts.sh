# layouts.sh — the printf layouts of macOS and FreeBSD `netstat -an`
# (the sources named in README.md), sourced by reconstruct.sh here and by
# samples/reconstruct.sh, so both reconstructions print the same columns.

# ---- macOS (network_cmds-741 netstat.tproj: inet.c protopr/inetprint,
#      inet6.c inet6print) -------------------------------------------------------
mac_title() { printf 'Active Internet connections (including servers)\n'; }
mac_header() {
	printf '%-5.5s %-6.6s %-6.6s  ' Proto Recv-Q Send-Q
	printf '%-22.22s %-22.22s ' 'Local Address' 'Foreign Address'
	printf '%-11.11s\n' '(state)'
}
# bsd_endpoints V(4|6) LOCAL FOREIGN: the two address columns. inetprint()
# puts a space after the port inside the 22 columns, inet6print() does not;
# both cut the address to 16 characters (no -W/-l). Same in macOS and
# FreeBSD.
bsd_endpoints() {
	for ep in "$2" "$3"; do
		a=${ep%.*} p=${ep##*.}
		if [ "$1" = 4 ]; then
			printf '%-22.22s ' "$(printf '%.16s.%s ' "$a" "$p")"
		else
			printf '%-22.22s ' "$(printf '%.16s.%s' "$a" "$p")"
		fi
	done
}
# mac_row NAME VCHAR RECVQ SENDQ LOCAL FOREIGN V(4|6) STATE
# UDP and ICMP rows get 11 blanks where TCP has its state.
mac_row() {
	printf '%-3.3s%-2.2s %6u %6u  ' "$1" "$2" "$3" "$4"
	bsd_endpoints "$7" "$5" "$6"
	printf '%-11s\n' "$8"
}

# ---- FreeBSD 14 (usr.bin/netstat/inet.c protopr/inetprint, inet6.c
#      inet6print; libxo text output) -------------------------------------------
fbsd_header() {
	printf '%-5.5s %-6.6s %-6.6s %-22.22s %-22.22s' Proto Recv-Q Send-Q \
		'Local Address' 'Foreign Address'
	printf ' %-11.11s\n' '(state)'
}
# fbsd_row NAME VCHAR RECVQ SENDQ LOCAL FOREIGN V(4|6) [STATE]
# The state is "%-11s" for TCP; UDP rows end after the foreign address.
fbsd_row() {
	printf '%-3.3s%-2.2s %6u %6u ' "$1" "$2" "$3" "$4"
	bsd_endpoints "$7" "$5" "$6"
	if [ $# -ge 8 ]; then printf '%-11s' "$8"; fi
	printf '\n'
}
