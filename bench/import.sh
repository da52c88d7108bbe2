#!/bin/sh
# bench/import.sh — issue 4's import benchmark: `sockscope import` of recorder
# segments side by side with the sqlite3 shell's `.import` of the same rows as
# CSV, netstat text import speed, and peak RSS on a 2 GB input.
# Usage: sh bench/import.sh BUILD_DIR   (root + network namespaces, else SKIP, exit 0)
# Env: BENCH_IMPORT_RUNS (hyperfine --runs, default 3), BENCH_SYNRECV (80000) and
# BENCH_ESTAB (10000 connections): the recorded population; BENCH_IMPORT_ROWS
# (2000000): socket rows to record at least; BENCH_NETSTAT_LINES (2000000);
# BENCH_BIG_BYTES (2000000000): size of the peak-RSS input.
# Prints a results table and appends it as Markdown to bench/out/results.md
# (replacing the section an earlier run of this script wrote there).
set -eu

# shellcheck disable=SC2034  # SST_TEST, SST_HOLD: read by lib.sh
SST_TEST=bench-import
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

RUNS=${BENCH_IMPORT_RUNS:-3}
NSYN=${BENCH_SYNRECV:-80000}
NEST=${BENCH_ESTAB:-10000}
WANT_ROWS=${BENCH_IMPORT_ROWS:-2000000}
NLINES=${BENCH_NETSTAT_LINES:-2000000}
BIG_BYTES=${BENCH_BIG_BYTES:-2000000000}
# No --warmup: a run under GNU time (peak RSS) comes first.
HF_WARMUP=0
OUT=$ROOT/bench/out
AT=2026-11-25T00:00:00Z

cd "$ROOT"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SS=$BUILD/sockscope
for b in "$SS" "$BUILD/sockscope-recorder"; do
	[ -x "$b" ] || { echo "bench-import: missing $b (run make)" >&2; exit 1; }
done
tools_dir "$BUILD" || fail "tools_dir"
if ! msg=$(need_root_netns); then
	bench_skip "${msg#SKIP: bench-import: }"
fi
for t in hyperfine sqlite3 ss awk; do
	command -v "$t" >/dev/null 2>&1 ||
		bench_skip "needs $t (apt-get install hyperfine sqlite3 iproute2)"
done
[ -x /usr/bin/time ] || bench_skip "needs /usr/bin/time (GNU time)"
netns_reap_stale || true

# Inputs and databases on a tmpfs, for both sides alike.
bench_tmpdir

# peak_kib OUTFILE CMD...: runs CMD under GNU time; PEAK_KIB and PEAK_S.
peak_kib() {
	pk_out=$1
	shift
	/usr/bin/time -o "$pk_out" -f '%M %e' "$@" || fail "$* failed (RSS run)"
	PEAK_KIB=$(tail -1 "$pk_out" | awk '{ print $1 }')
	PEAK_S=$(tail -1 "$pk_out" | awk '{ print $2 }')
}

# --- 1. segments from a real population ---------------------------------------
# Sockets come from sock_diag (netlink), which --proc cannot fake, so the
# recorder runs in a namespace holding run.sh's SYN-flood population.
# shellcheck disable=SC2034  # connhold's hold time: the recording only
SST_HOLD=300
netns_new victim || fail "netns victim"
netns_new attacker || fail "netns attacker"
netns_link attacker victim 192.0.2.1 192.0.2.2 || fail "netns link"
note "building the population: $NSYN SYN_RECV + $NEST loopback connections"
make_population victim attacker "$NSYN" "$NEST" || fail "make_population"
NSOCK=$(($(in_ns victim ss -Htan | wc -l) + $(in_ns victim ss -Huan | wc -l)))
[ "$NSOCK" -gt 0 ] || fail "no sockets in the victim namespace"
# enough snapshots for WANT_ROWS rows (one more: sockets come and go), at most 400
K=$(((WANT_ROWS + NSOCK - 1) / NSOCK + 1))
[ "$K" -gt 400 ] && K=400
echo "== recording $K snapshots of ~$NSOCK sockets ($POP_SYNRECV SYN_RECV +" \
	"$POP_ESTAB ESTABLISHED), recorder defaults (every section)"
rec_t0=$(now_ms)
in_ns victim "$RECORDER" -q -o "$T/seg" -i 0.5 --count "$K" --burst-syn-recv 0 \
	--burst-rate 0 || fail "recorder failed"
REC_MS=$(($(now_ms) - rec_t0))
# The population's SYN-ACK retransmit timers would share the CPUs with
# the timed imports: it goes now.
netns_cleanup
SEG_BYTES=$(cat "$T"/seg/*.zst | wc -c)
SEG_FILES=$(find "$T/seg" -name '*.zst' | wc -l)
echo "recorded in $REC_MS ms: $SEG_FILES segment(s), $SEG_BYTES bytes"

# --- 2. the same rows as CSV, and the peer's empty database ------------------
# This first import is also the peak-RSS run and warms the page cache for
# hyperfine. Its tables, exported as CSV, are the peer's input: the socket
# rows plus what else sockscope stores from a segment (snapshots, processes,
# counters), so both sides end with the same rows in the same schema.
SDB=$T/seg.db
PDB=$T/peer.db
peak_kib "$T/seg.rss" "$SS" import -q --no-progress -d "$SDB" "$T/seg"
SEG_RSS=$(mib "$PEAK_KIB")
SEG_ROWS=$(sqlite3 "$SDB" 'SELECT count(*) FROM sockets')
SEG_SNAPS=$(sqlite3 "$SDB" 'SELECT count(*) FROM snapshots')
SEG_PROCS=$(sqlite3 "$SDB" 'SELECT count(*) FROM processes')
SEG_CNTRS=$(sqlite3 "$SDB" 'SELECT count(*) FROM counters')
TABLES="snapshots sockets processes counters"
for t in $TABLES; do
	sqlite3 -csv "$SDB" "SELECT * FROM $t" > "$T/$t.csv"
done
[ "$(wc -l < "$T/sockets.csv")" -eq "$SEG_ROWS" ] || fail "sockets.csv is not $SEG_ROWS lines"
ALL_ROWS=$((SEG_SNAPS + SEG_ROWS + SEG_PROCS + SEG_CNTRS))
echo "segments hold $SEG_SNAPS snapshots, $SEG_ROWS socket rows, $SEG_PROCS process rows," \
	"$SEG_CNTRS counters; CSV $(cat "$T"/*.csv | wc -c) bytes"
# The peer's tables: a row per socket per snapshot, as a per-row store
# keeps them, with the columns sockscope's tables and views give (since
# schema 4 sockets, processes and counters are views over what changed,
# which .import cannot fill), without indexes.
: > "$T/peer.sql"
for t in $TABLES; do
	cols=$(sqlite3 "$SDB" "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('$t')")
	[ -n "$cols" ] || fail "no columns for $t"
	echo "CREATE TABLE $t ($cols);" >> "$T/peer.sql"
done

# The peer gets sockscope's pragmas (analyzer/ingest/db.c) and one transaction,
# as sockscope has per source. NULLs arrive as '' (.import has no NULL
# marker); they take the same space.
PEER="sqlite3 $PDB -cmd 'PRAGMA journal_mode=WAL' -cmd 'PRAGMA synchronous=NORMAL' -cmd 'PRAGMA foreign_keys=OFF' -cmd 'PRAGMA cache_size=-16384' -cmd 'PRAGMA temp_store=MEMORY' BEGIN"
for t in $TABLES; do
	PEER="$PEER '.import --csv $T/$t.csv $t'"
done
PEER="$PEER COMMIT"
rm -f "$PDB"
sqlite3 "$PDB" < "$T/peer.sql" || fail "could not create the peer's tables"
peak_kib "$T/peer.rss" sh -c "$PEER >/dev/null"
PEER_RSS=$(mib "$PEAK_KIB")
# the same rows on both sides
sum="SELECT (SELECT count(*) FROM snapshots), (SELECT count(*) FROM processes), (SELECT count(*) FROM counters), count(*), total(lport), total(rport), total(rnet), total(length(laddr) + length(raddr)), total(snapshot_id), total(length(state)) FROM sockets"
a=$(sqlite3 "$SDB" "$sum")
b=$(sqlite3 "$PDB" "$sum")
[ "$a" = "$b" ] || fail "the two databases differ: sockscope $a, sqlite3 $b"

# --- 3. segment import vs sqlite3 .import, side by side ------------------------
hf segment_vs_sqlite3 \
	--prepare "rm -f $SDB $SDB-wal $SDB-shm" \
	-n "sockscope import (segments)" "$SS import -q --no-progress -d $SDB $T/seg" \
	--prepare "rm -f $PDB $PDB-wal $PDB-shm; sqlite3 $PDB < $T/peer.sql" \
	-n "sqlite3 .import --csv" "$PEER"
[ -n "$HF_M2" ] || fail "no mean for the peer"
SEG_RATE=$(per_s "$SEG_ROWS" "$HF_M1")
PEER_RATE=$(per_s "$SEG_ROWS" "$HF_M2")
r=$(ratio "$SEG_RATE" "$PEER_RATE")
row "segment import vs sqlite3 .import of the same rows as CSV (socket rows/s; mean ms)" \
	"$(mega "$SEG_RATE") ($(ms "$HF_M1") ± $(ms "$HF_S1") ms)" \
	"$(mega "$PEER_RATE") ($(ms "$HF_M2") ± $(ms "$HF_S2") ms)" "${r}x" ">= 1.00x" \
	"$(yesno ge "$r" 1.00)"
row "segment import, socket rows/s ($(mega "$(per_s "$ALL_ROWS" "$HF_M1")") rows/s of all tables)" \
	"$(mega "$SEG_RATE")" "-" "-" ">= 1M rows/s" "$(yesno ge "$SEG_RATE" 1000000)"
row "peak RSS, segment import ($SEG_BYTES B of segments) (MiB)" "$SEG_RSS" "$PEER_RSS" \
	"-" "< 64 MiB" "$(yesno lt "$SEG_RSS" 64)"
rm -f "$T"/*.csv "$SDB"* "$PDB"*

# --- 4. netstat -ntu text ------------------------------------------------------
# A server under a SYN flood as `netstat -ntu` (net-tools 2.10, not wide)
# prints it, one dump (netstat_ntu, bench/lib.sh): the same file every run.
NS_TXT=$T/netstat-ntu.txt
netstat_ntu "$NLINES" > "$NS_TXT"
NS_BYTES=$(wc -c < "$NS_TXT")
NDB=$T/netstat.db
hf netstat_ntu --prepare "rm -f $NDB $NDB-wal $NDB-shm" \
	-n "sockscope import --format netstat ($NLINES lines)" \
	"$SS import --format netstat -q --no-progress --at $AT -d $NDB $NS_TXT"
n=$(sqlite3 "$NDB" 'SELECT count(*) FROM sockets')
[ "$n" -eq "$NLINES" ] || fail "netstat import stored $n rows of $NLINES lines"
NS_RATE=$(per_s "$NLINES" "$HF_M1")
row "netstat -ntu text import ($NS_BYTES B), lines/s; mean ms" \
	"$(mega "$NS_RATE") ($(ms "$HF_M1") ± $(ms "$HF_S1") ms)" "-" "-" ">= 0.5M lines/s" \
	"$(yesno ge "$NS_RATE" 500000)"
rm -f "$NDB"*

# --- 5. peak RSS on a 2 GB input ------------------------------------------------
# A cron log: copies of the dump, each after its own `date -u` line, so one
# snapshot per copy (the input is at least BIG_BYTES; the database about as big).
free_kib=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
BIG_NOTE=""
if [ "${free_kib:-0}" -lt 5000000 ]; then
	BIG_NOTE="skipped: $(mib "${free_kib:-0}") MiB free in $T, needs 5 GB (input + database)"
	echo "== peak RSS on a 2 GB input: $BIG_NOTE"
	row "peak RSS, 2 GB netstat cron log (MiB)" "$BIG_NOTE" "-" "-" "< 64 MiB" "-"
else
	BIG=$T/netstat-cron.log
	copies=$(((BIG_BYTES + NS_BYTES - 1) / NS_BYTES))
	[ "$copies" -gt 1000 ] && copies=1000
	i=0
	while [ "$i" -lt "$copies" ]; do
		printf 'Wed Nov 25 %02d:%02d:00 UTC 2026\n' $((i / 60)) $((i % 60))
		cat "$NS_TXT"
		i=$((i + 1))
	done > "$BIG"
	BIG_SIZE=$(wc -c < "$BIG")
	BIG_LINES=$((copies * NLINES))
	echo
	echo "== peak RSS: $BIG_SIZE bytes, $copies dumps, $BIG_LINES socket lines"
	BDB=$T/big.db
	peak_kib "$T/big.rss" "$SS" import --format netstat -q --no-progress -d "$BDB" "$BIG"
	BIG_RSS=$(mib "$PEAK_KIB")
	n=$(sqlite3 "$BDB" 'SELECT count(*) FROM sockets')
	s=$(sqlite3 "$BDB" 'SELECT count(*) FROM snapshots')
	if [ "$n" -ne "$BIG_LINES" ] || [ "$s" -ne "$copies" ]; then
		fail "2 GB import stored $n rows in $s snapshots, want $BIG_LINES in $copies"
	fi
	BIG_RATE=$(per_s "$BIG_LINES" "$PEAK_S")
	echo "peak RSS $BIG_RSS MiB, $PEAK_S s, $(mega "$BIG_RATE") lines/s," \
		"database $(cat "$BDB"* | wc -c) bytes"
	row "peak RSS, $(awk -v b="$BIG_SIZE" 'BEGIN { printf "%.2f", b / 1e9 }') GB netstat cron log, $copies dumps, $(mega "$BIG_LINES") lines (MiB)" \
		"$BIG_RSS ($PEAK_S s, $(mega "$BIG_RATE") lines/s)" "-" "-" "< 64 MiB" \
		"$(yesno lt "$BIG_RSS" 64)"
	rm -f "$BIG" "$BDB"*
fi

# --- 6. results -----------------------------------------------------------------
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
KREL=$(uname -r)
CPUS=$(nproc 2>/dev/null || echo '?')
HFV=$(hyperfine --version | awk '{ print $2 }')
SQLV=$(sqlite3 --version | awk '{ print $1 }')
echo
echo "== import results ($DATE, kernel $KREL, $CPUS CPUs, hyperfine $HFV, sqlite3 $SQLV, --runs $RUNS)"
echo "segments: $SEG_SNAPS snapshots x ~$NSOCK sockets ($POP_SYNRECV SYN_RECV + $POP_ESTAB" \
	"ESTABLISHED) = $SEG_ROWS rows, $SEG_FILES file(s), $SEG_BYTES bytes"
sed 's/±/+-/g' "$ROWS" | awk -F'\t' '{ printf "%-80s %-28s %-28s %-7s %-16s %s\n", $1, $2, $3, $4, $5, $6 }
	BEGIN { printf "%-80s %-28s %-28s %-7s %-16s %s\n", "measurement", "sockscope", "peer (sqlite3)", "ratio", "goal", "met" }'

{
	echo "Measured $DATE on kernel \`$KREL\`, $CPUS CPUs, hyperfine $HFV" \
		"(\`--runs $RUNS\`), sqlite3 $SQLV, inputs and databases in \`${TMPDIR:-/tmp}\`."
	echo "Segments: $SEG_SNAPS snapshots of ~$NSOCK sockets ($POP_SYNRECV SYN_RECV +" \
		"$POP_ESTAB ESTABLISHED, recorder defaults) = $SEG_ROWS socket rows," \
		"$SEG_FILES file(s), $SEG_BYTES bytes. Netstat text: $NLINES lines, $NS_BYTES bytes."
	echo
	echo "| measurement | sockscope | peer (sqlite3 shell) | ratio | goal | met |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
} > "$T/section.md"
results_section import.sh "Import (issue 4)" "$T/section.md"
