#!/usr/bin/env python3
"""Writes a sockscope segment (plain, docs/FORMAT.md) whose text is hostile
to terminals: a host with C1 and bidi characters (which the header grammar
allows), program names with OSC 52, clear screen, BEL, C1, bidi, a NUL and
an escaped LF; a verbatim `netstat -na` section that forges lines; 40
snapshots with a SYN_RECV spike owned by a hostile name (so that spikes,
timeline and summary name it); and a last snapshot whose host header
carries ESC (valid checksum: only the header grammar can reject it). Used
by tests/integration/hostile_text.sh.

With SEED, the program names and the host are random instead: bytes drawn
from a pool of C0 controls, DEL, C1 (raw and as UTF-8), bidi controls,
ill-formed UTF-8 and printable text (the host within the header grammar),
the same for the same SEED.

usage: hostile_segment.py OUT [SEED]
"""
import random
import sys

from segfmt import crc32c

OSC52 = b"\x1b]52;c;ZXZpbA==\x07"      # clipboard write: "evil"
CLEAR = b"\x1b[2J\x1b[H"                 # clear screen, cursor home
RLO = "\u202e".encode()                  # right-to-left override
C1_CSI = "\u009b".encode()               # CSI as a UTF-8 code point


def snapshot(host, seq, time, sections):
    out = b"SOCKSCOPE 1\n" + b"host: " + host + b"\n"
    out += b"time: " + time + b"\nseq: %d\ninterval: 1.000000\n" % seq
    out += b"reason: start " + RLO + b"\xc2\x85\n\n"
    for name, data in sections:
        out += b"SECTION " + name + b"\n"
        if data:
            out += b"DATA %d\n" % len(data) + data
    return out + b"END %d %08x\n" % (seq, crc32c(out))


def random_names(seed):
    rnd = random.Random(seed)
    # every byte but NUL, TAB, LF, CR and '\\' (the sockets table's escapes)
    pool = [bytes([b]) for b in range(1, 0x100) if b not in b"\t\n\r\\\\"]
    pool += [C1_CSI, RLO, "\u2066".encode(), "\u200f".encode(), "\u061c".encode(),
             "\u2028".encode(), b"\x1b[2J", b"\x1b]52;c;", b"\xc2", b"\xe2\x80"]
    progs = [b"".join(rnd.choice(pool) for _ in range(rnd.randint(1, 12))) for _ in range(8)]
    progs = [p if p != b"-" else b"x-" for p in progs]
    host = b"h" + b"".join(rnd.choice([bytes([b]) for b in range(0x20, 0x7f)]
                                      + [bytes([b]) for b in range(0x80, 0x100)])
                           for _ in range(rnd.randint(1, 16)))
    return progs, host


def main():
    progs = [
        b"ev" + OSC52 + b"il",
        b"cls" + CLEAR + b"x",
        b"bell\x07\x07",
        b"csi" + C1_CSI + b"31m\x9b31m",
        b"rlo" + RLO + b"gpj.exe",
        b"nul\x00after",
        b"line\\nforged: root",
        b"bad\xff\xfeutf8",
    ]
    host = b"web1" + C1_CSI + b"31m" + RLO
    if len(sys.argv) > 2:
        progs, host = random_names(int(sys.argv[2]))
    cols = (b"proto\tfamily\tstate\tladdr\tlport\traddr\trport\trxq\ttxq\tuid"
            b"\tinode\ttimer\texpires_ms\tretrans\tpid\tprogram\n")
    rows = b""
    for i, p in enumerate(progs):
        rows += (b"tcp\t4\tESTABLISHED\t192.0.2.1\t%d\t198.51.100.%d\t%d\t0\t0\t0"
                 b"\t%d\toff\t0\t0\t%d\t" % (8000 + i, 10 + i, 40000 + i, 100 + i, 500 + i))
        rows += p + b"\n"
    rows += b"tcp\t4\tLISTEN\t0.0.0.0\t80\t0.0.0.0\t0\t0\t128\t0\t99\toff\t0\t0\t500\t" \
            + progs[0] + b"\n"
    netstat = (b"Active Internet connections (servers and established)\n"
               b"Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
               b"tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN"
               + OSC52 + CLEAR + b"\r\n"
               b"tcp        0      0 0.0.0.0:22              203.0.113.66:4444       "
               b"ESTABLISHED \xe2\x80\xae\x1b[8m hidden\x1b[0m\n")
    seg = b""
    for seq in range(1, 41):
        syn = b""
        if 30 <= seq <= 34:
            for k in range(60):
                syn += (b"tcp\t4\tSYN_RECV\t192.0.2.1\t80\t203.0.113.%d\t%d\t0\t0\t0"
                        b"\t0\ton\t900\t1\t500\t" % (k % 200 + 1, 30000 + k)) + progs[seq % 8] + b"\n"
        # the NUL row is a bad line (FORMAT.md §3.1 has no escape for it): once
        body = rows if seq == 1 else b"".join(
            r + b"\n" for r in rows.split(b"\n") if r and b"\x00" not in r)
        secs = [(b"sockets", cols + body + syn)]
        if seq == 1:
            secs.append((b"netstat -na", netstat))
        seg += snapshot(host, seq, b"2026-11-25T14:10:%02d.000000Z" % (seq - 1), secs)
    seg += snapshot(b"web1\x1b]0;owned\x07\x1b[2J", 41, b"2026-11-25T14:10:41.000000Z",
                    [(b"sockets", cols + rows)])
    with open(sys.argv[1], "wb") as f:
        f.write(seg)


if __name__ == "__main__":
    main()
