#!/bin/sh
# capture.sh — recreates the fixtures in this directory: builds a network
# namespace full of sockets in known states, then captures /proc/net/* and the
# real net-tools `netstat` output at one quiescent moment. Run as root from the
# repository root:  sh tests/data/netstat/capture.sh [OUTDIR]
# Needs: ip, gcc, python3 (capture only; the tests need none of them), setpriv.
set -eu

OUT=${1:-tests/data/netstat}
NS=sst-fix-$$
TMP=$(mktemp -d /tmp/sst-fix.XXXXXX)
HERE=$(cd "$(dirname "$0")" && pwd)

cleanup() {
	for p in $(cat "$TMP/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

chmod 755 "$TMP"  # the uid-65534 server must be able to exec sockhold
gcc -O1 -o "$TMP/sockhold" "$HERE/sockhold.c"

ip netns add "$NS"
nx() { ip netns exec "$NS" "$@"; }
nx ip link set lo up
nx ip link add dum0 type veth peer name dum1
nx ip link set dum0 up
nx ip link set dum1 up
for a in 198.51.100.1 198.51.100.2 198.51.100.3; do nx ip addr add $a/24 dev dum0; done
for a in 2001:db8::1 2001:db8::2 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1 \
	 2001:db8:aaaa:bbbb:cccc:dddd:eeee:2; do
	nx ip addr add $a/64 dev dum0 nodad
done
# Static neighbours for the fake SYN sources: without them the SYN-ACKs fail
# ARP, the kernel reports the peer unreachable and drops the request sockets.
for a in 50 51 99; do
	nx ip neigh add 198.51.100.$a lladdr 02:00:00:00:00:$a dev dum0 nud permanent
done
nx sysctl -qw net.ipv4.tcp_syncookies=0
nx sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lo.rp_filter=0 \
	net.ipv4.conf.dum0.rp_filter=0

# Servers: absolute argv[0] (netstat shows the basename).
nx sh -c "exec \"$TMP/sockhold\" L 0.0.0.0 8080 L :: 443 L 198.51.100.1 80 \
	K 198.51.100.1 7000 N 198.51.100.1 9000 U 0.0.0.0 53 U :: 5353 R4 R6" \
	2>>"$TMP/log" &
echo $! >>"$TMP/pids"
# A listener owned by uid 65534 with a name containing spaces.
nx setpriv --reuid=65534 --regid=65534 --clear-groups \
	bash -c 'exec -a "my server app" "$0" L 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1 8443 L 198.51.100.1 8443' \
	"$TMP/sockhold" 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
sleep 0.5
# Clients: v4 to v4, v4 to the dual-stack v6 listener (::ffff: rows), v6 with
# long addresses (truncated without -W), FIN_WAIT2/CLOSE_WAIT, connected UDP.
nx bash -c 'exec -a "a-very-long-program-name-for-tests" "$0" \
	C 198.51.100.2 198.51.100.1 8080 C 198.51.100.3 198.51.100.1 443 \
	C 2001:db8::2 2001:db8::1 443 \
	C 2001:db8:aaaa:bbbb:cccc:dddd:eeee:2 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1 8443 \
	H 198.51.100.2 198.51.100.1 80 \
	V 198.51.100.2 5000 198.51.100.9 6000 V 2001:db8::2 5001 2001:db8::9 6001' \
	"$TMP/sockhold" 2>>"$TMP/log" &
echo $! >>"$TMP/pids"
# TIME_WAIT: clients that close first against the K server; they exit at once.
nx bash -c "exec -a client-tw \"$TMP/sockhold\" T 198.51.100.3 198.51.100.1 7000 \
	T 198.51.100.2 198.51.100.1 7000" 2>>"$TMP/log" &
# SYN_RECV: bare SYNs from addresses nobody owns; the SYN-ACKs go to dum0
# (a veth whose peer has no address drops them), so the request sockets stay until their retries end.
nx python3 - <<'EOF'
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
dst = socket.inet_aton('198.51.100.1')
for i, (src_s, sport) in enumerate([('198.51.100.50', 40001), ('198.51.100.51', 40002),
                                    ('198.51.100.99', 65535)]):
    src = socket.inet_aton(src_s)
    tcp = struct.pack('!HHIIBBHHH', sport, 9000, 1000 + i, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, src, dst)
    s.sendto(ip + tcp, ('198.51.100.1', 0))
EOF
sleep 2  # settle: handshakes done, TIME_WAIT reached, no traffic from here on

# Option sets replayed by tests/unit/test_netstat.c: "name|args".
OPTS='na|-na
an|-an
aultnp|-aultnp
n_p|-n -p
ntu|-ntu
anp|-anp
plan|-plan
naW|-naW
ntup|-ntup
tanp|-tanp
nl|-nl
nlp|-nlp
nae|-nae
naep|-naep
nuw|-nuw
nawp|-nawp
anpW|-anpW'

pass() {  # pass DIR: one capture, as fast as possible
	d=$1; mkdir -p "$d"
	for f in tcp tcp6 udp udp6 raw raw6; do nx cat /proc/net/$f >"$d/proc_net_$f"; done
	echo "$OPTS" | while IFS='|' read -r name args; do
		# shellcheck disable=SC2086
		nx netstat $args >"$d/netstat_$name.txt" 2>&1 || true
	done
	# inode -> pid/program exactly as netstat -p finds them: /proc in readdir
	# order, the first process holding an inode wins, argv[0] up to its NUL,
	# basename when it starts with '/'.
	python3 - "$d" <<'EOF'
import os, re, sys
d = sys.argv[1]
want = set()
for f in ('tcp', 'tcp6', 'udp', 'udp6', 'raw', 'raw6'):
    for line in open(os.path.join(d, 'proc_net_' + f)).readlines()[1:]:
        want.add(int(line.split()[9]))
owner = {}
for pid in os.listdir('/proc'):
    if not pid.isdigit(): continue
    try:
        fds = os.listdir('/proc/%s/fd' % pid)
    except OSError:
        continue
    prog = None
    for fd in fds:
        try: l = os.readlink('/proc/%s/fd/%s' % (pid, fd))
        except OSError: continue
        m = re.fullmatch(r'socket:\[(\d+)\]', l)
        if not m: continue
        ino = int(m.group(1))
        if prog is None:
            argv0 = open('/proc/%s/cmdline' % pid, 'rb').read(511).split(b'\0')[0].decode('latin-1')
            prog = argv0.rsplit('/', 1)[1] if argv0.startswith('/') else argv0
        if ino in want and ino not in owner:
            owner[ino] = (int(pid), prog)
with open(os.path.join(d, 'procmap.tsv'), 'w') as o:
    o.write('inode\tpid\tprogram\n')
    for ino in sorted(owner):
        o.write('%d\t%d\t%s\n' % (ino, owner[ino][0], owner[ino][1]))
EOF
}

pass "$TMP/p1"
pass "$TMP/p2"
# Stable when both passes agree on everything but timers and retransmit
# counters (columns tr/tm->when/retrnsmt of /proc), which tick by design.
norm() { awk 'NR>1 {$6="";$7=""} {print}' "$1"; }
for f in "$TMP"/p1/*; do
	b=$(basename "$f")
	case $b in
	proc_net_*) norm "$f" >"$TMP/a"; norm "$TMP/p2/$b" >"$TMP/b"; cmp -s "$TMP/a" "$TMP/b" ;;
	*) cmp -s "$f" "$TMP/p2/$b" ;;
	esac || { echo "capture.sh: $b differs between passes" >&2; cat "$TMP/log" >&2
		diff "$TMP/a" "$TMP/b" >&2 || diff "$f" "$TMP/p2/$b" >&2 || true; exit 1; }
done
mkdir -p "$OUT"
cp "$TMP"/p1/* "$OUT/"
echo "$OPTS" >"$OUT/options.txt"
echo "captured into $OUT"
