#!/bin/sh
# bench/fleet.sh — issue 19's benchmark on a local 2-shard ClickHouse cluster
# (tests/integration/chlib.sh; root or the clickhouse user, else SKIP):
#  1. ship throughput (spans and snapshots per second) of one recorded host
#     (bench/spans_day.py) against clickhouse-client INSERT ... FORMAT TSV of
#     the same rows;
#  2. a synthetic fleet of BENCH_FLEET_HOSTS (200) hosts x 1 h at 1 s x 1,000
#     sockets, generated inside ClickHouse with INSERT ... SELECT FROM numbers()
#     (shipping 720,000 snapshots would take long on 2 CPUs; the tables and
#     rows are what ship writes, series_ranges included), then `fleet top --by subnet` and
#     `fleet spikes` timed by hyperfine: goal < 2 s each.
# Usage: sh bench/fleet.sh BUILD_DIR. Writes bench/out/fleet.md.
SST_TEST=bench-fleet
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/chlib.sh"
OUT=$ROOT/bench/out
. "$ROOT/bench/lib.sh"
RUNS=${BENCH_RUNS:-5}
HOSTS=${BENCH_FLEET_HOSTS:-200}
SECS=${BENCH_FLEET_SECONDS:-1800}
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
S=$BUILD/sockscope
[ -x "$S" ] || fail "missing $S (run make)"
command -v hyperfine >/dev/null 2>&1 || bench_skip "needs hyperfine"
command -v clickhouse-client >/dev/null 2>&1 || bench_skip "needs clickhouse-client"
( ch_need ) >/dev/null || bench_skip "$(ch_need)"
ch_need
bench_tmpdir
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
ch_cluster_start
export SOCKSCOPE_CH_USER=$CH_USER SOCKSCOPE_CH_PASSWORD=$CH_PASS
for db in b1 b2 f; do
	for u in "$CH_URL1" "$CH_URL2"; do
		$S ship --url "$u" --database $db --create --cluster fleet >/dev/null || fail "--create $db"
	done
done
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# --- 1. ship throughput -------------------------------------------------------
python3 "$ROOT/bench/spans_day.py" "$SECS" 1000 > "$T/day.log"
"$S" import -q -d "$T/day.db" --host bench1 "$T/day.log" >/dev/null 2>&1 || fail "import"
NSPANS=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from spans").fetchone()[0])' "$T/day.db")
NSNAP=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from snapshots").fetchone()[0])' "$T/day.db")
t0=$(now)
nice -n 5 "$S" ship --url "$CH_URL1" --database b1 -d "$T/day.db" --state "$T/b1.state" \
	--batch 100000 --insert-gap 1ms 2>"$T/ship.err" || fail "ship: $(cat "$T/ship.err")"
SHIP_S=$(secs "$t0" "$(now)")
t0=$(now)
nice -n 5 "$S" ship --url "$CH_URL1" --database b1 -d "$T/day.db" --state "$T/b1.state" 2>/dev/null ||
	fail "ship again"
AGAIN_S=$(secs "$t0" "$(now)")
# the peer: the same rows as TSV files (made by SQLite, not timed), each
# inserted by clickhouse-client through the same Distributed tables
python3 - "$T/day.db" "$T" <<'PY' || fail "TSV export"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); d = sys.argv[2]
def esc(v):
    if v is None: return "\\N"
    if isinstance(v, str): return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(v)
q = {
 "snapshots": "SELECT s.host, s.time, src.sha256, s.time_from, s.seq, s.boot_id, s.kernel, s.reason, s.interval_us, s.sockets, s.chain, s.k, 1 FROM snapshots s JOIN sources src ON src.id = s.source_id",
 "snapshot_states": "SELECT s.host, s.time, t.proto, t.state, t.n, 1 FROM snapshots s JOIN snapshot_states t ON t.snapshot_id = s.id",
 "spans": "SELECT 'bench1', p.chain, a.time, b.time, p.k_first, p.k_last, p.copies, p.ord, p.proto, p.family, p.state, p.laddr, p.lport, p.raddr, p.rport, p.rnet, p.rxq, p.txq, p.uid, p.inode, p.timer, p.expires_ms, p.retrans, p.pid, p.program, p.lhost, p.rhost, p.max_retrans, 1 FROM spans p JOIN snapshots a ON a.chain = p.chain AND a.k = p.k_first JOIN snapshots b ON b.chain = p.chain AND b.k = p.k_last",
}
for t, sql in q.items():
    with open(f"{d}/{t}.tsv", "w") as f:
        for r in db.execute(sql):
            f.write("\t".join(esc(v) for v in r) + "\n")
PY
t0=$(now)
for t in snapshots snapshot_states spans; do
	nice -n 5 clickhouse-client --host 127.0.0.1 --port "$CH_TCP1" --user "$CH_USER" --password "$CH_PASS" \
		--insert_distributed_sync=1 --query "INSERT INTO b2.$t FORMAT TSV" < "$T/$t.tsv" ||
		fail "clickhouse-client insert $t"
done
PEER_S=$(secs "$t0" "$(now)")
row "ship -d DB (1 host, $SECS s x 1000 sockets: $NSPANS spans, $NSNAP snapshots) vs clickhouse-client INSERT FORMAT TSV of the same rows (s)" \
	"$SHIP_S" "$PEER_S" "$(awk -v a="$SHIP_S" -v b="$PEER_S" 'BEGIN { printf "%.2fx", a / b }')" "(info)" "-"
row "ship throughput: spans/s, snapshots/s" \
	"$(per_s "$NSPANS" "$SHIP_S"), $(per_s "$NSNAP" "$SHIP_S")" \
	"$(per_s "$NSPANS" "$PEER_S"), $(per_s "$NSNAP" "$PEER_S")" "-" "(info)" "-"
row "ship again (nothing to send: state file) (s)" "$AGAIN_S" "-" "-" "(info)" "-"

# --- 2. the synthetic fleet ---------------------------------------------------
# Each host: 1000 ESTABLISHED sockets at a time from 198.18.0.0/15, each
# living 5 min (12 spans per socket-slot per hour); 20 hosts flooded by 500
# SYN_RECV from 198.51.100.0/24 for 60 s, a minute apart.
T0=1795636800000000
NS=$((HOSTS * 3600))
# synchronous: the rows are on their shards when the insert returns
q() { chq "$CH_URL1/?insert_distributed_sync=1" "$1" >/dev/null; }
t0=$(now)
q "INSERT INTO f.snapshots SELECT concat('h', toString(intDiv(number, 3600))), $T0 + (number % 3600) * 1000000, 'bench', 'header', toInt64(number % 3600), 'b', NULL, NULL, 1000000, 1000, intDiv(number, 3600), toInt64(number % 3600), 0 FROM system.numbers LIMIT $NS"
q "INSERT INTO f.snapshot_states SELECT concat('h', toString(h)), $T0 + sec * 1000000, 'tcp', ['ESTABLISHED', 'TIME_WAIT', 'SYN_RECV'][s + 1], toInt64(multiIf(s = 0, 950, s = 1, 50, h < 20 AND sec >= 600 + h * 60 AND sec < 660 + h * 60, 500, 2)), 0 FROM (SELECT intDiv(number, 3) AS i, toUInt64(number % 3) AS s, intDiv(i, 3600) AS h, i % 3600 AS sec FROM system.numbers LIMIT $((NS * 3)))"
q "INSERT INTO f.counters SELECT concat('h', toString(h)), $T0 + sec * 1000000, ['TcpExt.SyncookiesSent', 'TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.TCPReqQFullDrop', 'TcpExt.TCPReqQFullDoCookies'][c + 1], toInt64(sec * 3 + if(h < 20 AND sec >= 600 + h * 60, least(sec - 600 - h * 60, 60) * 400, 0)), 0 FROM (SELECT intDiv(number, 5) AS i, toUInt64(number % 5) AS c, intDiv(i, 3600) AS h, i % 3600 AS sec FROM system.numbers LIMIT $((NS * 5)))"
q "INSERT INTO f.spans SELECT concat('h', toString(h)), h, $T0 + per * 300000000, $T0 + (per * 300 + 299) * 1000000, per * 300, per * 300 + 299, 1, slot, 'tcp', 4, 'ESTABLISHED', '192.0.2.1', 443, IPv4NumToString(toUInt32(rn)), toUInt16(1024 + slot), toInt64(rn), 0, 0, 33, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 FROM (SELECT intDiv(number, 12000) AS h, number % 12000 AS j, j % 1000 AS slot, intDiv(j, 1000) AS per, 3323068416 + cityHash64(h, j) % 131072 AS rn FROM system.numbers LIMIT $((HOSTS * 12000)))"
q "INSERT INTO f.spans SELECT concat('h', toString(h)), h, $T0 + (600 + h * 60) * 1000000, $T0 + (659 + h * 60) * 1000000, 600 + h * 60, 659 + h * 60, 1, 1000 + s, 'tcp', 4, 'SYN_RECV', '192.0.2.1', 443, concat('198.51.100.', toString(s % 250 + 1)), toUInt16(30000 + s), toInt64(3325256704 + s % 250 + 1), 0, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 FROM (SELECT intDiv(number, 500) AS h, number % 500 AS s FROM system.numbers LIMIT 10000)"
# series_ranges as ship writes them (seriesrange.h), one batch per host: the
# SYN_RECV per snapshot's range, each counter's range of rates (the formula
# of spike_rates, a reset giving none)
q "INSERT INTO f.series_ranges SELECT host, 'SYN_RECV', min(time), max(time), argMin(syn, time), argMax(syn, time), min(syn), max(syn), count(), 0, 0, 0, 1, 0 FROM (SELECT host, time, sumIf(n, state = 'SYN_RECV') AS syn FROM f.snapshot_states GROUP BY host, time) GROUP BY host"
q "INSERT INTO f.series_ranges SELECT host, name, t[1], t[-1], v[1], v[-1], arrayReduce('min', v), arrayReduce('max', v), length(t), length(r), if(length(r) > 0, arrayReduce('min', r), 0), if(length(r) > 0, arrayReduce('max', r), 0), 1, 0 FROM (SELECT host, name, arraySort(x -> x.1, groupArray((time, value))) AS tv, arrayMap(x -> x.1, tv) AS t, arrayMap(x -> x.2, tv) AS v, arrayFilter(x -> x >= 0, arraySlice(arrayMap((a, b, c, d) -> if(b > a AND c >= 0 AND d >= c, toFloat64(d - c) * 1e6 / toFloat64(b - a), -1.), arrayPushFront(arrayPopBack(t), toInt64(0)), t, arrayPushFront(arrayPopBack(v), toInt64(0)), v), 2)) AS r FROM f.counters GROUP BY host, name)"
GEN_S=$(secs "$t0" "$(now)")
NSPAN_F=$(chq "$CH_URL1" "SELECT count() FROM f.spans")
NSS_F=$(chq "$CH_URL1" "SELECT sum((k_last - k_first + 1) * copies) FROM f.spans")
U="--url $CH_URL1 --database f"
top1=$("$S" fleet top $U --by subnet --state SYN_RECV -n 1 -o csv | tail -1)
case $top1 in 198.51.100.0/24,20,*) ;; *) fail "fleet top: $top1 (expected 198.51.100.0/24 on 20 hosts)" ;; esac
first=$("$S" fleet spikes $U -o csv | sed -n 2p)
case $first in h0,*) ;; *) fail "fleet spikes: first onset $first (expected h0)" ;; esac
# every flooded host, its SYN_RECV and its five counters' rates; no other
nsp=$("$S" fleet spikes $U -o csv | tail -n +2 | cut -d, -f1 | sort -u | wc -l)
nall=$("$S" fleet spikes $U -o csv | tail -n +2 | wc -l)
[ "$nsp" = 20 ] && [ "$nall" = 120 ] || fail "fleet spikes: $nall spikes on $nsp hosts (expected 120 on 20)"
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$T/fleet.json" \
	-n "fleet top --by subnet" "$S fleet top $U --by subnet -n 20 >/dev/null" \
	-n "fleet spikes" "$S fleet spikes $U >/dev/null" || fail "hyperfine"
for i in 1 2; do
	m=$(mean_s "$T/fleet.json" $i)
	sd=$(sd_s "$T/fleet.json" $i)
	name=$([ $i = 1 ] && echo "fleet top --by subnet" || echo "fleet spikes")
	row "$name, $HOSTS hosts x 3600 s x 1000 sockets ($NSPAN_F spans, $NSS_F socket-snapshots) (ms)" \
		"$(ms_pm "$m" "$sd")" "-" "-" "< 2000 ms" "$(awk -v m="$m" 'BEGIN { print (m < 2) ? "yes" : "no" }')"
done
{
	echo "Measured $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs shared (load before: $LOAD0)," \
		"hyperfine --runs $RUNS. The synthetic fleet was generated inside ClickHouse in $GEN_S s" \
		"(INSERT ... SELECT FROM numbers(): shipping it would take long on 2 CPUs)."
	echo
	echo "| measurement | sockscope | peer | ratio | goal | met |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
} > "$T/fleet.md"
cp "$T/fleet.md" "$OUT/fleet.md"
results_section fleet "Fleet (issue 19): ClickHouse 18.16, 2-shard local cluster" "$T/fleet.md"
cat "$OUT/fleet.md"
