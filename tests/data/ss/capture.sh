#!/bin/sh
# capture.sh — recreates the ss fixtures in this directory: builds a network
# namespace full of sockets in known states (every TCP state ss can show a
# user, UDP, link-local scopes, odd program names, a shared socket), then
# captures iproute2 `ss` in several option sets at one quiescent moment.
# Run as root from the repository root:  sh tests/data/ss/capture.sh [OUTDIR]
# Needs: ip, ss, gcc, python3, setpriv, script, tmux (capture only; the
# tests need none of them).
set -eu

OUT=${1:-tests/data/ss}
NS=sst-ss-$$
PEER=sst-ssp-$$
TMUX_SOCK=sst-ss-$$
TMP=$(mktemp -d /tmp/sst-ss.XXXXXX)
HERE=$(cd "$(dirname "$0")" && pwd)

cleanup() {
	: >"$TMP/stop" 2>/dev/null || true   # sockets.py children exit on it
	ip netns exec "$NS" tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	sleep 0.5
	for p in $(cat "$TMP/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	wait   # reap them: this shell is their parent
	ip netns del "$NS" 2>/dev/null || true
	ip netns del "$PEER" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# The program names ss shows are the kernel's comm: the basename of the file
# executed (15 bytes at most), so sockhold runs under several file names.
chmod 755 "$TMP"   # the uid-65534 server must be able to exec it
mkdir "$TMP/bin"
chmod 755 "$TMP/bin"
gcc -O1 -o "$TMP/bin/sockhold" "$HERE/../netstat/sockhold.c"
cp "$TMP/bin/sockhold" "$TMP/bin/my server app"
cp "$TMP/bin/sockhold" "$TMP/bin/my \"q\" (x,y)"
cp "$TMP/bin/sockhold" "$TMP/bin/client-tw"

ip netns add "$NS"
ip netns add "$PEER"
# (background jobs call ip directly: $! must be the pid of the program)
nx() { ip netns exec "$NS" "$@"; }
px() { ip netns exec "$PEER" "$@"; }
nx ip link set lo up
px ip link set lo up
# dum0/dum1: a veth pair inside the namespace carrying the 198.51.100.0/24 and
# 2001:db8::/64 hosts; fixed link-local addresses instead of MAC-derived ones.
nx ip link add dum0 type veth peer name dum1
for d in dum0 dum1; do
	nx ip link set $d addrgenmode none
	nx ip link set $d up
done
for a in 198.51.100.1 198.51.100.2 198.51.100.3; do nx ip addr add $a/24 dev dum0; done
for a in 2001:db8::1 2001:db8::2; do nx ip addr add $a/64 dev dum0 nodad; done
nx ip addr add fe80::1/64 dev dum0 nodad
nx ip addr add fe80::2/64 dev dum1 nodad
# vm0/vp0: a veth to the peer namespace (203.0.113.0/24), for the closing
# states, which need a peer that stops answering.
nx ip link add vm0 type veth peer name vp0 netns "$PEER"
nx ip link set vm0 addrgenmode none
px ip link set vp0 addrgenmode none
nx ip addr add 203.0.113.1/24 dev vm0
for a in 203.0.113.2 203.0.113.3 203.0.113.4; do px ip addr add $a/24 dev vp0; done
nx ip link set vm0 up
px ip link set vp0 up
# Static neighbours with a MAC nobody has for the fake SYN sources and the
# SYN-SENT targets: without them resolution fails, the kernel reports the
# peer unreachable and drops the sockets.
for a in 50 51 77 99; do
	nx ip neigh add 198.51.100.$a lladdr 02:00:00:00:00:$a dev dum0 nud permanent
done
for a in 50 77; do
	nx ip -6 neigh add 2001:db8::$a lladdr 02:00:00:00:01:$a dev dum0 nud permanent
done
nx sysctl -qw net.ipv4.tcp_syncookies=0
nx sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lo.rp_filter=0 \
	net.ipv4.conf.dum0.rp_filter=0 net.ipv4.conf.dum1.rp_filter=0

B=$TMP/bin
# Servers (comm "sockhold"): v4 listener, dual-stack v6 listener (ss: *:443),
# :80 for the half-closed client, :7000 closes on EOF (TIME-WAIT), :9000 and
# [2001:db8::1]:9001 never accept (SYN-RECV targets), UDP v4 and dual-stack,
# raw ICMP / ICMPv6.
ip netns exec "$NS" "$B/sockhold" L 0.0.0.0 8080 L :: 443 L 198.51.100.1 80 K 198.51.100.1 7000 \
	N 198.51.100.1 9000 N 2001:db8::1 9001 U 0.0.0.0 53 U :: 5353 R4 R6 \
	>/dev/null 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
# uid 65534, comm with spaces: listeners on one v6 and one v4 address.
ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$B/my server app" L 2001:db8::1 8443 L 198.51.100.1 8443 >/dev/null 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
sleep 0.5
# Clients (comm with quotes, a comma and parentheses: ss cuts it at ')'):
# v4 to v4, v4 to the dual-stack listener (the server side shows
# [::ffff:198.51.100.1]), v6 to v6, a half-closed client (FIN-WAIT-2 /
# CLOSE-WAIT pair), connected UDP v4 and v6.
ip netns exec "$NS" "$B/my \"q\" (x,y)" C 198.51.100.2 198.51.100.1 8080 C 198.51.100.3 198.51.100.1 443 \
	C 2001:db8::2 2001:db8::1 443 C 2001:db8::2 2001:db8::1 8443 \
	H 198.51.100.2 198.51.100.1 80 \
	V 198.51.100.2 5000 198.51.100.9 6000 V 2001:db8::2 5001 2001:db8::9 6001 \
	>/dev/null 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
# TIME-WAIT: clients that close first against :7000 (sockhold then idles
# holding nothing).
ip netns exec "$NS" "$B/client-tw" T 198.51.100.3 198.51.100.1 7000 T 198.51.100.2 198.51.100.1 7000 \
	>/dev/null 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
# SYN-RECV: bare SYNs through raw sockets from addresses nobody owns; the
# SYN-ACKs go to the static neighbours' MACs and are never answered, so the
# request sockets stay until their retries end (about a minute).
nx python3 - <<'EOF'
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def syn(src, dst, sport, dport, seq, pseudo_fn):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = csum(pseudo_fn(len(tcp)) + tcp)
    return tcp[:16] + struct.pack('!H', c) + tcp[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
dst = socket.inet_aton('198.51.100.1')
for i, (src_s, sport) in enumerate([('198.51.100.50', 40001), ('198.51.100.51', 40002),
                                    ('198.51.100.99', 65535)]):
    src = socket.inet_aton(src_s)
    tcp = syn(src, dst, sport, 9000, 1000 + i,
              lambda n: src + dst + struct.pack('!BBH', 0, 6, n))
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, src, dst)
    s.sendto(ip + tcp, ('198.51.100.1', 0))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
src = socket.inet_pton(socket.AF_INET6, '2001:db8::50')
dst = socket.inet_pton(socket.AF_INET6, '2001:db8::1')
tcp = syn(src, dst, 40050, 9001, 2000,
          lambda n: src + dst + struct.pack('!I3xB', n, 6))
ip6 = struct.pack('!IHBB16s16s', 6 << 28, len(tcp), 6, 64, src, dst)
s6.sendto(ip6 + tcp, ('2001:db8::1', 0))
EOF
# Everything else: shared socket, link-local and SO_BINDTODEVICE scopes,
# v6-only wildcards, SYN-SENT, queues, FIN-WAIT-1 / LAST-ACK / CLOSING,
# unix and packet sockets.
ip netns exec "$NS" python3 "$HERE/sockets.py" "/run/netns/$PEER" "$TMP" >/dev/null 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
i=0
while [ ! -s "$TMP/ready" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "capture.sh: sockets.py not ready" >&2; cat "$TMP/log" >&2; exit 1; }
	sleep 0.1
done
sleep 2   # settle: handshakes done, TIME-WAIT reached, no traffic from here on

# Option sets: "file|args". stderr (cgroup2 and unsupported-family notes)
# is not part of the fixtures.
OPTS='ss_tan.txt|-tan
ss_tanp.txt|-tanp
ss_uan.txt|-uan
ss_uanp.txt|-uanp
ss_tuan.txt|-tuan
ss_tuanp.txt|-tuanp
ss_nap.txt|-nap
ss_Htan.txt|-Htan
ss_tanpe.txt|-tanpe
ss_tani.txt|-tani'

pass() {   # pass DIR: one capture of every option set, as fast as possible
	d=$1
	mkdir -p "$d"
	echo "$OPTS" | while IFS='|' read -r name args; do
		# shellcheck disable=SC2086
		nx ss $args >"$d/$name" 2>>"$TMP/log"
	done
}
pass "$TMP/p1"
pass "$TMP/p2"
# Stable when both passes agree, except what ticks by design: -i info lines
# (rtt, lastsnd, ...), -e timers, and the port of ss's own sock_diag netlink
# socket (its pid) in -nap.
norm() {
	case $1 in
	*ss_tani.txt) grep -v '^	' "$1" ;;
	*ss_tanpe.txt) sed 's/timer:([^)]*)//; s/ *$//' "$1" ;;
	*ss_nap.txt) grep -v '^nl .* 4:[0-9]' "$1" ;;
	*) cat "$1" ;;
	esac
}
for f in "$TMP"/p1/*; do
	b=$(basename "$f")
	norm "$f" >"$TMP/a"
	norm "$TMP/p2/$b" >"$TMP/b"
	cmp -s "$TMP/a" "$TMP/b" || {
		echo "capture.sh: $b differs between passes" >&2
		diff "$TMP/a" "$TMP/b" >&2 || true
		exit 1
	}
done

# What a terminal shows. On a tty ss widens its columns to fill the screen and
# pads each row so the terminal wraps it at a column boundary; the bytes
# written (captured through `script`, CRs removed) are still one line per
# row. A user who copies the screen (here: tmux capture-pane, which trims
# trailing blanks) gets each row broken over two lines.
nx script -qec "stty cols 80 rows 200; ss -tanp" /dev/null 2>>"$TMP/log" |
	tr -d '\r' >"$TMP/p1/ss_tanp_pty80.txt"
for v in tanp:80 tanp:60 tanpe:100; do
	args=${v%:*} w=${v#*:}
	nx env TERM=xterm tmux -L "$TMUX_SOCK" -f /dev/null new-session -d -x "$w" -y 200 \
		"ss -$args 2>/dev/null; sleep 30"
	sleep 1
	nx tmux -L "$TMUX_SOCK" capture-pane -p -t 0 |
		awk '{ l[NR] = $0 } NF { last = NR } END { for (i = 1; i <= last; i++) print l[i] }' \
		>"$TMP/p1/ss_${args}_wrap$w.txt"
	nx tmux -L "$TMUX_SOCK" kill-server
done

mkdir -p "$OUT"
cp "$TMP"/p1/* "$OUT/"
echo "$OPTS" >"$OUT/options.txt"
echo "captured into $OUT"
