#!/usr/bin/env python3
"""bench/spans_day.py -- a recorded server as a cron log of `netstat -ntu`
(issue 17's benchmark recording, as text: sockscope imports every dump format
the same way). Seeded: every run writes the same file.

Usage: spans_day.py SECONDS [SOCKETS] > LOG

SOCKETS (default 2000) connections at a time, one dump per second for
SECONDS: long ESTABLISHED clients (mean life 10 min) from 198.51.100.0/24 and
203.0.113.0/24 and 2001:db8::/32, each ending in TIME_WAIT for 60 s and
replaced by a new client; queues that change now and then. In the middle, a
flood of a tenth of SECONDS (at least 60 s): 5000 SYN_RECV at a time, half
from two /24s of 198.18.0.0/15, half a spoofed spread (one-off addresses of
100.64.0.0/10), each living 3-8 s.
"""
import random
import sys
import time

def main():
    secs = int(sys.argv[1])
    nsock = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    if not (1 <= secs <= 86400 and 1 <= nsock <= 100000):
        sys.exit("spans_day.py: SECONDS 1..86400, SOCKETS 1..100000")
    rnd = random.Random(17)
    out = sys.stdout
    t0 = 1795600800  # 2026-11-25T08:00:00Z
    fl_len = max(60, secs // 10)
    fl_start = secs // 2 - fl_len // 2
    port = [40000]

    def client():
        port[0] = port[0] + 1 if port[0] < 65000 else 30000
        r = rnd.random()
        if r < 0.45:
            peer = "198.51.100.%d:%d" % (rnd.randrange(1, 255), port[0])
        elif r < 0.9:
            peer = "203.0.113.%d:%d" % (rnd.randrange(1, 255), port[0])
        else:
            peer = "[2001:db8::%x]:%d" % (rnd.randrange(1, 65535), port[0])
        life = int(rnd.expovariate(1 / 600.0)) + 1
        return {"peer": peer, "lp": 443 if rnd.random() < 0.8 else 22, "end": life,
                "tw": 0, "rq": 0, "sq": 0}

    conns = [client() for _ in range(nsock)]
    for c in conns:
        c["end"] = rnd.randrange(1, 1200)
    syn = []  # [peer, dies]
    hdr = ("Active Internet connections (w/o servers)\n"
           "Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n")
    for s in range(secs):
        t = t0 + s
        lines = [time.strftime("%a %b %d %H:%M:%S UTC %Y\n", time.gmtime(t)), hdr]
        for i, c in enumerate(conns):
            if c["tw"]:
                if s >= c["tw"]:
                    conns[i] = c = client()
                    c["end"] = s + c["end"]
            elif s >= c["end"]:
                c["tw"] = s + 60
            if not c["tw"] and rnd.random() < 0.002:
                c["sq"] = rnd.choice((0, 0, 0, 1448, 2896))
            st = "TIME_WAIT" if c["tw"] else "ESTABLISHED"
            fam = "tcp6" if c["peer"][0] == "[" else "tcp "
            la = ("[2001:db8:1::2]:%d" if fam == "tcp6" else "192.0.2.2:%d") % c["lp"]
            pe = c["peer"]
            if fam == "tcp6":
                la = la.replace("[", "").replace("]", "")
                pe = pe.replace("[", "").replace("]", "")
            lines.append("%s  %6d %6d %-23s %-23s %-11s\n" % (fam, c["rq"], 0 if c["tw"] else c["sq"], la, pe, st))
        if fl_start <= s < fl_start + fl_len:
            syn = [x for x in syn if x[1] > s]
            while len(syn) < 5000:
                r = rnd.random()
                if r < 0.25:
                    p = "198.18.7.%d:%d" % (rnd.randrange(1, 255), rnd.randrange(1024, 65535))
                elif r < 0.5:
                    p = "198.19.42.%d:%d" % (rnd.randrange(1, 255), rnd.randrange(1024, 65535))
                else:
                    p = "100.%d.%d.%d:%d" % (rnd.randrange(64, 128), rnd.randrange(256),
                                             rnd.randrange(1, 255), rnd.randrange(1024, 65535))
                syn.append([p, s + rnd.randrange(3, 9)])
            for p, _ in syn:
                lines.append("tcp        0      0 192.0.2.2:80            %-23s SYN_RECV   \n" % p)
        elif syn:
            syn = []
        out.writelines(lines)

main()
