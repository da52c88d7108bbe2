#!/usr/bin/env python3
# sockets.py — fixture helper for capture.sh: the sockets sockhold.c cannot
# make (forked owners, link-local scopes, SO_BINDTODEVICE, v6-only wildcards,
# SYN-SENT, FIN-WAIT-1 / LAST-ACK / CLOSING against a peer namespace, unix and
# packet sockets). Run inside the capture namespace:
#   python3 sockets.py PEER_NETNS_PATH STATE_DIR
# Writes STATE_DIR/ready when every socket is in place, then holds them until
# STATE_DIR/stop appears or 240 s pass. Never touches anything outside the
# two namespaces capture.sh created.
import ctypes
import os
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
PR_SET_NAME = 15
libc = ctypes.CDLL(None, use_errno=True)
peer_path, state = sys.argv[1], sys.argv[2]
home_fd = os.open('/proc/self/ns/net', os.O_RDONLY)
peer_fd = os.open(peer_path, os.O_RDONLY)
deadline = time.time() + 240
children = []
grandchildren = []   # forked by a child (the second owner of a shared socket)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), 'setns')


def comm(name):
    # what ss shows: /proc/PID/stat's (comm), 15 bytes at most
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()), 0, 0, 0)


def sock(fam, typ, addr=None, v6only=None, dev=None):
    s = socket.socket(fam, typ)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
    if addr:
        s.bind(addr)
    return s


def wait_state(s, want, secs=5):
    # TCP_INFO's first byte is tcpi_state (kernel numbering)
    end = time.time() + secs
    while time.time() < end:
        if s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == want:
            return
        time.sleep(0.02)
    raise SystemExit('sockets.py: state %d not reached' % want)


def hold_forever(kids=()):
    while time.time() < deadline and not os.path.exists(os.path.join(state, 'stop')):
        time.sleep(0.1)
    for k in kids:   # they stop too: reap them, leave no zombies
        try:
            os.waitpid(k, 0)
        except ChildProcessError:
            pass
    os._exit(0)


def child(name, fn):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        comm(name)
        keep = fn()  # noqa: F841 (held until hold_forever exits)
        os.write(w, b'1')
        os.close(w)
        hold_forever(grandchildren)
    os.close(w)
    if os.read(r, 1) != b'1':
        raise SystemExit('sockets.py: child %s failed' % name)
    os.close(r)
    children.append(pid)


def shared():
    # one listener and one UDP socket owned by two processes (fork)
    t = sock(socket.AF_INET, socket.SOCK_STREAM, ('198.51.100.1', 2222))
    t.listen(8)
    u = sock(socket.AF_INET, socket.SOCK_DGRAM, ('198.51.100.1', 2223))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        comm('shared-b')
        os.write(w, b'1')
        hold_forever()
    os.read(r, 1)
    grandchildren.append(pid)
    return [t, u]


def scoped():
    ll = sock(socket.AF_INET6, socket.SOCK_STREAM,
              ('fe80::1', 2022, 0, socket.if_nametoindex('dum0')))
    ll.listen(8)
    # from fe80::2 (dum1) over the veth to fe80::1 (dum0)
    c = sock(socket.AF_INET6, socket.SOCK_STREAM,
             ('fe80::2', 40022, 0, socket.if_nametoindex('dum1')))
    c.connect(('fe80::1', 2022, 0, socket.if_nametoindex('dum1')))
    a, _ = ll.accept()
    lu = sock(socket.AF_INET6, socket.SOCK_DGRAM,
              ('fe80::1', 546, 0, socket.if_nametoindex('dum0')))
    # systemd-resolved style stub listener bound to lo
    rt = sock(socket.AF_INET, socket.SOCK_STREAM, ('127.0.0.53', 53), dev='lo')
    rt.listen(8)
    ru = sock(socket.AF_INET, socket.SOCK_DGRAM, ('127.0.0.53', 53), dev='lo')
    # v6-only wildcards print as [::] (dual-stack ones as *)
    v6 = sock(socket.AF_INET6, socket.SOCK_STREAM, ('::', 22), v6only=1)
    v6.listen(8)
    v6u = sock(socket.AF_INET6, socket.SOCK_DGRAM, ('::', 5355), v6only=1)
    return [ll, c, a, lu, rt, ru, v6, v6u]


def synsent():
    out = []
    for fam, src, dst in ((socket.AF_INET, ('198.51.100.1', 40077), ('198.51.100.77', 80)),
                          (socket.AF_INET6, ('2001:db8::1', 40078), ('2001:db8::77', 80))):
        s = sock(fam, socket.SOCK_STREAM, src)
        s.setblocking(False)
        try:
            s.connect(dst)
        except BlockingIOError:
            pass
        out.append(s)
    return out


def queues():
    # Recv-Q: 1000 unread bytes; LISTEN Recv-Q: one connection never accepted
    l = sock(socket.AF_INET, socket.SOCK_STREAM, ('198.51.100.1', 3000))
    l.listen(8)
    c = sock(socket.AF_INET, socket.SOCK_STREAM, ('198.51.100.2', 43000))
    c.connect(('198.51.100.1', 3000))
    a, _ = l.accept()
    c.sendall(b'x' * 1000)
    l2 = sock(socket.AF_INET, socket.SOCK_STREAM, ('198.51.100.1', 3001))
    l2.listen(8)
    c2 = sock(socket.AF_INET, socket.SOCK_STREAM, ('198.51.100.2', 43001))
    c2.connect(('198.51.100.1', 3001))
    time.sleep(0.2)
    return [l, c, a, l2, c2]


def block(ip):
    # SYN-ACKs, data and FINs to ip go to a MAC nobody has: a silent peer
    dev = 'vm0'
    fam = '-6' if ':' in ip else '-4'
    rc = os.system('ip %s neigh replace %s lladdr 02:00:00:00:ee:01 nud permanent dev %s' %
                   (fam, ip, dev))
    if rc:
        raise SystemExit('sockets.py: ip neigh failed')


def closer():
    # FIN-WAIT-1, LAST-ACK and CLOSING against listeners / clients in the
    # peer namespace; only this namespace's side is captured.
    out = []
    M = ('203.0.113.1',)

    def peer(fn):
        setns(peer_fd)
        try:
            return fn()
        finally:
            setns(home_fd)

    # FIN-WAIT-1: unacknowledged data and FIN
    pl = peer(lambda: sock(socket.AF_INET, socket.SOCK_STREAM, ('203.0.113.2', 80)))
    pl.listen(8)
    c = sock(socket.AF_INET, socket.SOCK_STREAM, M + (40080,))
    c.connect(('203.0.113.2', 80))
    pa, _ = pl.accept()
    block('203.0.113.2')
    c.send(b'y' * 100)
    c.close()
    out += [pl, pa]
    # LAST-ACK: the peer closes first, our FIN is never acknowledged
    ml = sock(socket.AF_INET, socket.SOCK_STREAM, M + (81,))
    ml.listen(8)
    pc = peer(lambda: sock(socket.AF_INET, socket.SOCK_STREAM, ('203.0.113.3', 40081)))
    pc.connect(('203.0.113.1', 81))
    ma, _ = ml.accept()
    pc.close()
    wait_state(ma, 8)       # CLOSE_WAIT
    block('203.0.113.3')
    ma.close()
    out += [ml]
    # CLOSING: our FIN is lost, then the peer's FIN arrives
    pl2 = peer(lambda: sock(socket.AF_INET, socket.SOCK_STREAM, ('203.0.113.4', 82)))
    pl2.listen(8)
    c2 = sock(socket.AF_INET, socket.SOCK_STREAM, M + (40082,))
    c2.connect(('203.0.113.4', 82))
    pa2, _ = pl2.accept()
    block('203.0.113.4')
    c2.shutdown(socket.SHUT_WR)   # keep the fd: CLOSING stays observable
    wait_state(c2, 4)       # FIN_WAIT1
    pa2.close()
    wait_state(c2, 11)      # CLOSING
    out += [c2, pl2]
    return out


def local():
    # sockets ss -a shows under other Netids: unix stream/dgram, packet
    us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    us.bind(os.path.join(state, 'ctl sock'))   # a path with a blank
    us.listen(4)
    ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ab.bind(b'\0sst-abstract')
    pair = socket.socketpair()
    pk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    return [us, ab, pair, pk]


child('shared-a', shared)
child('ll-node', scoped)
child('syn-sent', synsent)
child('queues', queues)
child('closer', closer)
child('local ipc', local)
with open(os.path.join(state, 'ready'), 'w') as f:
    f.write(' '.join(map(str, children)) + '\n')
comm('sockets-py')
hold_forever(children)
