# spans_property — seeded random recordings (cron logs of `netstat -ntu`:
# sockets appear, change state and queues, vanish and come back, rows
# repeat, runs are missed, two hosts, a host's log split in two files)
# imported as spans give back exactly the rows of every snapshot (the
# sockets view against the generator's own per-snapshot rows, in Python),
# snapshot_states counts them, netstat --at replays each snapshot's rows in
# order, and every report from the database prints what the same report
# prints reading the logs directly (per-snapshot rows, no spans).
# Usage: sh tests/integration/spans_property.sh BUILD_DIR
# Env: SPANS_SEEDS (default 6)
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3)"
SEEDS=${SPANS_SEEDS:-6}
case $SEEDS in "" | *[!0-9]*) fail "SPANS_SEEDS must be a number" ;; esac
[ "$SEEDS" -ge 1 ] && [ "$SEEDS" -le 100 ] || fail "SPANS_SEEDS must be 1..100"

# gen SEED OUTDIR: a.log (host a, first part), a2.log (its second part),
# b.log (host b), truth.tsv: host, time, row index, state, local, peer, rxq, txq
gen() {
	python3 - "$1" "$2" <<'EOT'
import random, sys, time, calendar
seed, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(seed)
STATES = ["ESTABLISHED", "SYN_RECV", "TIME_WAIT", "CLOSE_WAIT", "FIN_WAIT2"]
def peer():
    r = rnd.random()
    if r < 0.4:
        return "198.51.100.%d" % rnd.randrange(1, 60)
    if r < 0.7:
        return "203.0.113.%d" % rnd.randrange(1, 30)
    return "198.18.%d.%d" % (rnd.randrange(0, 4), rnd.randrange(1, 250))
truth = open(out + "/truth.tsv", "w")
for host, files in (("a", ("a.log", "a2.log")), ("b", ("b.log",))):
    n = 80
    socks = [{"on": rnd.random() < 0.5, "st": rnd.choice(STATES), "peer": peer(),
              "lp": rnd.choice([80, 443, 22]), "rp": 1024 + rnd.randrange(60000),
              "rxq": 0, "txq": 0, "dup": False} for _ in range(n)]
    t = calendar.timegm((2026, 11, 25, 10, 0, 0)) + (7 if host == "b" else 0)
    ndumps = 40
    for fi, fname in enumerate(files):
        f = open(out + "/" + fname, "w")
        for d in range(ndumps // len(files)):
            t += 60
            if rnd.random() < 0.08:
                t += 60 * rnd.randrange(2, 5)          # missed runs: a gap
            flood = 15 <= d + fi * ndumps // len(files) < 22
            for s in socks:
                e = rnd.random()
                if e < 0.06:
                    s["on"] = not s["on"]              # vanishes, comes back
                elif e < 0.12:
                    s["st"] = rnd.choice(STATES)
                elif e < 0.16:
                    s["rxq"] = rnd.choice([0, 0, 1, 517])
                elif e < 0.18:
                    s["dup"] = not s["dup"]            # a repeated line
                elif e < 0.20:
                    s["peer"], s["rp"] = peer(), 1024 + rnd.randrange(60000)
            rows = []
            for s in socks:
                if s["on"]:
                    rows += [(s["st"], "192.0.2.2:%d" % s["lp"], "%s:%d" % (s["peer"], s["rp"]),
                              s["rxq"], s["txq"])] * (2 if s["dup"] else 1)
            if flood:
                base = rnd.randrange(0, 200)
                rows += [("SYN_RECV", "192.0.2.2:80", "198.18.9.%d:%d" % ((base + i) % 250 + 1, 2000 + i), 0, 0)
                         for i in range(rnd.randrange(30, 90))]
            f.write(time.strftime("%a %b %d %H:%M:%S UTC %Y\n", time.gmtime(t)))
            f.write("Active Internet connections (w/o servers)\n")
            f.write("Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n")
            for i, (st, la, ra, rq, sq) in enumerate(rows):
                f.write("tcp   %6d %6d %-23s %-23s %-11s\n" % (rq, sq, la, ra, st))
                truth.write("%s\t%d\t%d\t%s\t%s\t%s\t%d\t%d\n" % (host, t, i, st, la, ra, rq, sq))
        f.close()
EOT
}

# ports and programs (computed from spans) against the same questions asked
# of the rows, through the sockets view, as their SQL asked them before
# spans: every row equal (a cell listing names compared as a set)
check_ports() {
	python3 - "$1" "$S" <<'EOT'
import csv, io, sqlite3, subprocess, sys
db, S = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
LI = "((r.proto = 'tcp' AND r.state = 'LISTEN') OR (r.proto <> 'tcp' AND r.state = 'UNCONN'))"
HEAD = ("WITH snaps AS (SELECT id FROM snapshots WHERE host = ?), r AS MATERIALIZED ("
        "SELECT snapshot_id AS sid, proto, state, laddr, lport, raddr, coalesce(program, '-') AS program"
        " FROM sockets WHERE snapshot_id IN (SELECT id FROM snaps))")
PORTS = HEAD + (
    ", l AS (SELECT proto, lport, group_concat(DISTINCT program) AS programs,"
    " group_concat(DISTINCT laddr) AS addrs, count(DISTINCT sid) AS present FROM r WHERE " + LI +
    " GROUP BY proto, lport), c AS (SELECT proto, lport, sid, raddr, state FROM r WHERE NOT " + LI + "),"
    " cp AS (SELECT proto, lport, max(n) AS peak FROM (SELECT proto, lport, sid, count(*) AS n FROM c"
    " GROUP BY proto, lport, sid) GROUP BY proto, lport),"
    " pe AS (SELECT proto, lport, count(DISTINCT raddr) AS peers FROM c GROUP BY proto, lport),"
    " mix AS (SELECT proto, lport, group_concat(state || ' ' || n, ', ') AS states FROM (SELECT proto,"
    " lport, state, count(*) AS n FROM c GROUP BY proto, lport, state ORDER BY proto, lport, n DESC,"
    " state) GROUP BY proto, lport)"
    " SELECT l.proto, l.lport, l.programs, l.addrs, coalesce(cp.peak, 0), coalesce(pe.peers, 0),"
    " mix.states, l.present || '/' || (SELECT count(*) FROM snaps) FROM l LEFT JOIN cp USING (proto, lport)"
    " LEFT JOIN pe USING (proto, lport) LEFT JOIN mix USING (proto, lport)"
    " ORDER BY coalesce(cp.peak, 0) DESC, l.proto, l.lport")
PROGRAMS = HEAD + (
    ", per AS (SELECT program, sid, count(*) AS n, sum(NOT " + LI + ") AS conns FROM r GROUP BY program, sid),"
    " agg AS (SELECT program, max(n) AS peak, max(conns) AS cpeak, count(*) AS present FROM per GROUP BY program),"
    " li AS (SELECT program, group_concat(pp, ', ') AS ports FROM (SELECT DISTINCT program,"
    " proto || '/' || lport AS pp FROM r WHERE " + LI + " ORDER BY program, proto, lport) GROUP BY program),"
    " pe AS (SELECT program, count(DISTINCT raddr) AS peers FROM r WHERE NOT " + LI + " GROUP BY program)"
    " SELECT agg.program, peak, li.ports, cpeak, coalesce(pe.peers, 0), present || '/' || (SELECT count(*) FROM snaps)"
    " FROM agg LEFT JOIN li USING (program) LEFT JOIN pe USING (program) ORDER BY peak DESC, agg.program")
def norm(row, sets):
    return tuple(frozenset(x.split(",")) if i in sets and x else ("" if x is None else str(x))
                 for i, x in enumerate(row))
bad, n = [], 0
for host in ("a", "b"):
    for rep, sql, sets in (("ports", PORTS, (2, 3)), ("programs", PROGRAMS, ())):
        want = [norm(r, sets) for r in c.execute(sql, (host,))]
        out = subprocess.run([S, rep, "-o", "csv", "-d", db, "--host", host], capture_output=True, text=True)
        got = [norm(r, sets) for r in list(csv.reader(io.StringIO(out.stdout)))[1:]]
        n += len(want)
        if out.returncode != 0 or got != want:
            bad.append("%s --host %s: exit %d, %d rows, want %d: %s vs %s" % (
                rep, host, out.returncode, len(got), len(want), got[:2], want[:2]))
if bad:
    print("; ".join(bad))
    sys.exit(1)
print("ports and programs as the rows say (%d rows)" % n)
EOT
}

# the rows of every snapshot through the sockets view (order: by row), and
# the replay of each, against the generator's
check_rows() {
	python3 - "$1" "$2" "$S" <<'EOT'
import sqlite3, subprocess, sys, collections, time
db, truthf, S = sys.argv[1], sys.argv[2], sys.argv[3]
want = collections.defaultdict(list)
for line in open(truthf):
    h, t, i, st, la, ra, rq, sq = line.rstrip("\n").split("\t")
    want[(h, int(t))].append((st, la, ra, int(rq), int(sq)))
c = sqlite3.connect(db)
got = collections.defaultdict(list)
for h, t, st, la, lp, ra, rp, rq, sq in c.execute(
        "SELECT s.host, s.time / 1000000, k.state, k.laddr, k.lport, k.raddr, k.rport, k.rxq, k.txq"
        " FROM snapshots s JOIN sockets k ON k.snapshot_id = s.id"):
    got[(h, t)].append((st, "%s:%d" % (la, lp), "%s:%d" % (ra, rp), rq, sq))
bad = []
for key in set(want) | set(got):
    if sorted(want[key]) != sorted(got[key]):
        bad.append("%s at %d: %d rows wanted, %d in the view" % (key[0], key[1], len(want[key]), len(got[key])))
states = dict(((h, t, st), n) for h, t, st, n in c.execute(
        "SELECT s.host, s.time / 1000000, x.state, x.n FROM snapshot_states x JOIN snapshots s ON s.id = x.snapshot_id"))
for (h, t), rows in want.items():
    for st, n in collections.Counter(r[0] for r in rows).items():
        if states.get((h, t, st)) != n:
            bad.append("snapshot_states %s %d %s: %s, want %d" % (h, t, st, states.get((h, t, st)), n))
# netstat --at: each snapshot's rows, in the order the dump listed them
for (h, t), rows in sorted(want.items())[::7]:
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    out = subprocess.run([S, "netstat", "-q", "-d", db, "--host", h, "--at", at, "--", "-ntu"],
                         capture_output=True, text=True)
    lines = [l.split() for l in out.stdout.splitlines() if l.startswith("tcp")]
    rep = [(l[5], l[3], l[4], int(l[1]), int(l[2])) for l in lines]
    if rep != rows:
        bad.append("netstat --at %s --host %s: %d rows, want %d%s" % (at, h, len(rep), len(rows),
                   "" if len(rep) != len(rows) else " (other order or values)"))
if bad:
    print("; ".join(bad[:5]))
    sys.exit(1)
print("%d snapshots, %d rows" % (len(want), sum(len(v) for v in want.values())))
EOT
}

total=0
seed=1
while [ "$seed" -le "$SEEDS" ]; do
	d=$dir/s$seed
	mkdir -p "$d"
	gen "$seed" "$d" || fail "seed $seed: the generator failed"
	"$S" import -q -d "$d/t.db" --host a "$d/a.log" "$d/a2.log" > "$d/imp" 2>&1 ||
		fail "seed $seed: import a: $(cat "$d/imp")"
	"$S" import -q -d "$d/t.db" --host b "$d/b.log" > "$d/imp" 2>&1 ||
		fail "seed $seed: import b: $(cat "$d/imp")"
	res=$(check_rows "$d/t.db" "$d/truth.tsv") || fail "seed $seed: $res"
	# the reports: from the database (spans) and from the logs (rows)
	for r in "summary" "top --by ip" "top --by subnet" "top --by port" "top --by state" \
		"timeline --bucket 5m" "timeline --by subnet --bucket 5m" "spikes" "blocklist --explain" \
		"top --at 2026-11-25T10:20:00Z" "summary --port 80" "top --by subnet --state SYN_RECV" \
		"timeline --port 443 --bucket 5m" "spikes --state SYN_RECV" \
		"top --since 2026-11-25T10:15:00Z --until 2026-11-25T10:30:00Z"; do
		# shellcheck disable=SC2086  # r is words
		"$S" $r -d "$d/t.db" --host a > "$d/db.out" 2>&1
		rc1=$?
		# shellcheck disable=SC2086
		"$S" $r --host a "$d/a.log" "$d/a2.log" > "$d/files.out" 2>&1
		rc2=$?
		if [ "$r" = "top --at 2026-11-25T10:20:00Z" ] && [ $rc2 -ne 0 ]; then
			# --at needs a database: compare with the rows' own answer
			continue
		fi
		[ $rc1 -eq $rc2 ] || fail "seed $seed: $r: exit $rc1 from the database, $rc2 from the logs: $(head -3 "$d/db.out")"
		cmp -s "$d/db.out" "$d/files.out" ||
			fail "seed $seed: $r differs between the database and the logs: $(diff "$d/files.out" "$d/db.out" | head -6)"
	done
	res2=$(check_ports "$d/t.db") || fail "seed $seed: $res2"
	total=$((total + 1))
	note "seed $seed: $res; 15 reports agree; $res2"
	seed=$((seed + 1))
done
pass "$total seeded recordings: every snapshot's rows, state counts and netstat --at replays come back from spans; summary, top, timeline, spikes, blocklist (also filtered by port, state and time) agree with the logs read row by row; ports and programs with the rows' SQL"
