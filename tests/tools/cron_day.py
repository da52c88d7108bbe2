#!/usr/bin/env python3
"""A 24-hour cron log of `date -u` + `netstat -ntu`, one dump a minute
(1440 dumps, about 60 sockets each), with an hour-long SYN flood from
198.51.100.0/24 and 203.0.113.0/24 at 12:00 and a recording gap from 18:00
to 20:00 (the cron job did not run). Seeded: every run writes the same log.
For tests/integration/html_report.sh (the report of a day < 2 MB).

usage: cron_day.py > LOG
"""
import random
import sys
import time

def main():
    rnd = random.Random(18)
    t0 = 1795564800  # 2026-11-25T00:00:00Z
    out = []
    for m in range(1440):
        if 18 * 60 <= m < 20 * 60:
            continue
        t = t0 + m * 60
        out.append(time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(t)))
        out.append("Active Internet connections (w/o servers)")
        out.append("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ")
        rows = [("192.0.2.%d" % rnd.randint(10, 60), "ESTABLISHED") for _ in range(50 + rnd.randint(0, 20))]
        if 12 * 60 <= m < 13 * 60:
            rows += [("198.51.100.%d" % rnd.randint(1, 254), "SYN_RECV") for _ in range(300)]
            rows += [("203.0.113.%d" % rnd.randint(1, 254), "SYN_RECV") for _ in range(150)]
        for i, (peer, st) in enumerate(rows):
            out.append("tcp        0      0 192.0.2.2:443           %s:%d %s"
                       % (peer, 30000 + (i * 7 + m) % 30000, st))
    sys.stdout.write("\n".join(out) + "\n")

if __name__ == "__main__":
    main()
