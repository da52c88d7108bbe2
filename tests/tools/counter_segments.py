#!/usr/bin/env python3
"""Writes plain sockscope segments (docs/FORMAT.md) whose `counters` sections
test what schema 5 must recover exactly: counters that change every
snapshot, rarely or never; a reset within a boot; a reboot; a snapshot with
no counters section; a counter that appears and vanishes mid-chain; a name
said twice in one snapshot (the last value counts); a torn snapshot (bad
checksum); a missed seq and a late snapshot (gaps); a second segment of the
same recorder run (a new source); a second host; the extremes of int64.
Also writes EXPECTED: every counter of every good snapshot, as
"host<TAB>boot<TAB>seq<TAB>name<TAB>value", sorted as SQLite's ORDER BY 1, 2,
3, 4 sorts them (seq as a number). Seeded: the same SEED, the same files.

usage: counter_segments.py OUTDIR EXPECTED [SEED]
"""
import os
import random
import sys

from segfmt import crc32c


def snapshot(host, boot, seq, t, sections, torn=False):
    out = b"SOCKSCOPE 1\nhost: %s\n" % host.encode()
    out += b"time: 2026-11-25T14:%02d:%02d.000000Z\n" % (t // 60, t % 60)
    out += b"seq: %d\ninterval: 1.000000\nboot-id: %s\nreason: interval\n\n" % (seq, boot.encode())
    for name, data in sections:
        out += b"SECTION " + name + b"\nDATA %d\n" % len(data) + data
    crc = crc32c(out) ^ (1 if torn else 0)
    return out + b"END %d %08x\n" % (seq, crc)


COLS = (b"proto\tfamily\tstate\tladdr\tlport\traddr\trport\trxq\ttxq\tuid"
        b"\tinode\ttimer\texpires_ms\tretrans\tpid\tprogram\n")


def sockets(rnd, syn):
    rows = b"tcp\t4\tLISTEN\t0.0.0.0\t80\t0.0.0.0\t0\t0\t128\t0\t99\toff\t0\t0\t500\tweb\n"
    for i in range(3):
        rows += (b"tcp\t4\tESTABLISHED\t192.0.2.1\t80\t198.51.100.%d\t%d\t0\t0\t0\t%d\toff"
                 b"\t0\t0\t500\tweb\n" % (10 + i, 40000 + i, 100 + i))
    for i in range(syn):
        rows += (b"tcp\t4\tSYN_RECV\t192.0.2.1\t80\t203.0.113.%d\t%d\t0\t0\t0\t0\ton\t900\t1\t-\t-\n"
                 % (i % 200 + 1, 30000 + rnd.randrange(20000)))
    return COLS + rows


class Host:
    """One recorder's counters: each name with how it moves."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.v = {"Tcp.InSegs": 90123456, "Tcp.PassiveOpens": 1000, "TcpExt.SyncookiesSent": 0,
                  "TcpExt.ListenOverflows": 5, "Ip.Forwarding": 2, "Tcp.MaxConn": -1,
                  "X.Min": -2**63, "X.Max": 2**63 - 1}

    def tick(self, flood):
        r = self.rnd
        self.v["Tcp.InSegs"] += 800 + r.randrange(100)
        if r.random() < 0.3:
            self.v["Tcp.PassiveOpens"] += r.randrange(1, 4)
        if flood:
            self.v["TcpExt.SyncookiesSent"] += 300 + r.randrange(50)
            self.v["TcpExt.ListenOverflows"] += r.randrange(5)

    def reboot(self):
        for k in self.v:
            if k not in ("Ip.Forwarding", "Tcp.MaxConn", "X.Min", "X.Max"):
                self.v[k] = self.rnd.randrange(10)


def run(outdir, rnd, name, host, boot, h, seqs, t0, expected, events):
    """A segment of snapshots seqs (in order); events: seq -> what happens."""
    seg = b""
    t = t0
    for seq in seqs:
        ev = events.get(seq, ())
        t += 6 if "late" in ev else 1
        flood = "flood" in ev
        h.tick(flood)
        if "reset" in ev:
            h.v["Tcp.PassiveOpens"] = 3
        vals = dict(h.v)
        if "late_counter" in ev:
            vals["TcpExt.Late"] = 40 + seq // 3
        lines = [(k, v) for k, v in sorted(vals.items())]
        if "twice" in ev:   # said twice: the last one counts
            lines.insert(0, ("Tcp.InSegs", 1))
        text = b"name\tvalue\n" + b"".join(b"%s\t%d\n" % (k.encode(), v) for k, v in lines)
        secs = [(b"sockets", sockets(rnd, 40 if flood else 0))]
        if "no_counters" not in ev:
            secs.append((b"counters", text))
        torn = "torn" in ev
        seg += snapshot(host, boot, seq, t, secs, torn)
        if not torn and "no_counters" not in ev:
            for k, v in vals.items():
                expected.append((host, boot, seq, k, v))
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(seg)
    return t


def main():
    outdir, exp = sys.argv[1], sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 17)
    os.makedirs(outdir, exist_ok=True)
    expected = []
    a = Host(rnd)
    ev = {5: ("twice",), 8: ("flood",), 9: ("flood",), 10: ("flood", "torn"), 11: ("flood",),
          12: ("reset",), 15: ("no_counters",), 18: ("late_counter",), 19: ("late_counter",),
          20: ("late_counter",), 21: ("late_counter", "no_counters"), 22: ("late_counter",),
          27: ("late",)}
    seqs = [s for s in range(1, 31) if s != 24]          # seq 24 missed
    t = run(outdir, rnd, "a-1.seg", "web1", "b1", a, seqs, 0, expected, ev)
    t = run(outdir, rnd, "a-2.seg", "web1", "b1", a, range(31, 46), t, expected,
            {33: ("flood",), 34: ("flood",)})
    a.reboot()
    t = run(outdir, rnd, "a-3.seg", "web1", "b2", a, range(1, 13), t + 30, expected,
            {1: ("late_counter",), 6: ("flood",), 7: ("flood",)})
    c = Host(rnd)
    run(outdir, rnd, "c-1.seg", "web2", "c1", c, range(1, 21), 0, expected,
        {4: ("flood",), 5: ("flood",), 6: ("flood",), 16: ("reset",)})
    expected.sort(key=lambda e: (e[0].encode(), e[1].encode(), e[2], e[3].encode()))
    with open(exp, "w") as f:
        for e in expected:
            f.write("%s\t%s\t%d\t%s\t%d\n" % e)


if __name__ == "__main__":
    main()
