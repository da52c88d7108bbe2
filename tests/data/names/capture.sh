#!/bin/sh
# capture.sh — recreates the real names-mode captures of this directory:
# a network namespace with sockets on well-known ports (ssh, smtp, http,
# https, domain, ipp, postgresql, mdns, ...) and peers the namespace's own
# /etc/hosts names, then the real net-tools `netstat -a`, `-tap`, `-l`,
# `-au` and iproute2 `ss -a`, `ss -tap` (no -n: host and service names).
# Run as root from the repository root:
#   sh tests/data/names/capture.sh [OUTDIR]
# Needs: ip, gcc, netstat, ss (capture only; the tests need none of them).
set -eu

OUT=${1:-tests/data/names}
NS=sst-names-$$
TMP=$(mktemp -d /tmp/sst-names.XXXXXX)
HERE=$(cd "$(dirname "$0")" && pwd)

cleanup() {
	[ -s "$TMP/log" ] && sed "s/^/capture: /" "$TMP/log" >&2
	for p in $(cat "$TMP/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "/etc/netns/$NS" "$TMP"
}
trap cleanup EXIT INT TERM

chmod 755 "$TMP"
gcc -O1 -o "$TMP/sockhold" "$HERE/../netstat/sockhold.c"

# `ip netns exec` bind-mounts /etc/netns/NS/* over /etc: the namespace gets
# its own hosts file (the names netstat prints) and a resolver that answers
# nothing (no lookup leaves the machine).
mkdir -p "/etc/netns/$NS"
cat >"/etc/netns/$NS/hosts" <<'HOSTS'
127.0.0.1	localhost
::1	ip6-localhost ip6-loopback
198.51.100.1	builder.localdomain builder
198.51.100.2	client-a.example.net
198.51.100.3	a-rather-long-client-name.example.net
2001:db8::1	builder6.localdomain
2001:db8::2	client6.example.net
HOSTS
echo 'nameserver 127.0.0.1' >"/etc/netns/$NS/resolv.conf"

ip netns add "$NS"
nx() { ip netns exec "$NS" "$@"; }
nx ip link set lo up
nx ip link add dum0 type veth peer name dum1
nx ip link set dum0 up
nx ip link set dum1 up
for a in 198.51.100.1 198.51.100.2 198.51.100.3 198.51.100.4; do nx ip addr add $a/24 dev dum0; done
for a in 2001:db8::1 2001:db8::2; do nx ip addr add $a/64 dev dum0 nodad; done

nx sh -c "exec \"$TMP/sockhold\" L 0.0.0.0 22 L 2001:db8::1 22 L 127.0.0.1 25 L ::1 631 \
	L 198.51.100.1 80 L 198.51.100.1 443 L 127.0.0.1 5432 L 0.0.0.0 8080 \
	L 198.51.100.1 1028 U 0.0.0.0 53 U 0.0.0.0 5353 U :: 123 U 127.0.0.1 161" \
	2>>"$TMP/log" &
echo $! >>"$TMP/pids"
sleep 0.5
nx bash -c 'exec -a client "$0" C 198.51.100.2 198.51.100.1 22 C 198.51.100.3 198.51.100.1 443 \
	C 198.51.100.4 198.51.100.1 80 C 127.0.0.1 127.0.0.1 5432 \
	C 2001:db8::2 2001:db8::1 22 C 198.51.100.2 198.51.100.1 1028 \
	V 198.51.100.2 5000 198.51.100.1 53' "$TMP/sockhold" 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
sleep 1

OPTS='netstat_a|netstat -a
netstat_tap|netstat -tap
netstat_l|netstat -l
netstat_au|netstat -au
netstat_aW|netstat -aW
netstat_ae|netstat -ae
ss_a|ss -a
ss_tap|ss -tap
ss_tua|ss -tua'
mkdir -p "$OUT"
echo "$OPTS" | while IFS='|' read -r name cmd; do
	# shellcheck disable=SC2086
	nx $cmd >"$OUT/$name.txt" 2>&1 || true
done
