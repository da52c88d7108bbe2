#!/bin/sh
# bench/day.sh — issue 17's synthetic day and issue 16's import goal, from real
# segments (tests/tools/daygen: ~2,000 sockets recorded every second, hourly
# segments, churn, a 10-minute flood of 50k SYN_RECV in the middle): import
# rate, peak RSS and database bytes per socket-snapshot; format 2 against
# format 1 and against the sqlite3 shell's `.import` of the same rows as CSV,
# side by side. No root.
# Usage: sh bench/day.sh BUILD_DIR
# Env: BENCH_DAY_HOURS (default 2: the flood is then 10 minutes in the middle
# too; 24 for the whole day, which takes ~15 min to generate and ~10 GB of
# CSV is never written: the CSV and format 1 comparisons use the first hour),
# BENCH_DAY_RUNS (hyperfine --runs, default 3).
# Prints a results table and appends it as Markdown to bench/out/results.md.
set -eu

# shellcheck disable=SC2034  # SST_TEST: read by lib.sh
SST_TEST=bench-day
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

HOURS=${BENCH_DAY_HOURS:-2}
RUNS=${BENCH_DAY_RUNS:-3}
HF_WARMUP=0
OUT=$ROOT/bench/out

cd "$ROOT"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SS=$BUILD/sockscope
GEN=$BUILD/tests/tools/daygen
for b in "$SS" "$GEN"; do
	[ -x "$b" ] || { echo "bench-day: missing $b (run make)" >&2; exit 1; }
done
for t in hyperfine sqlite3 awk; do
	command -v "$t" >/dev/null 2>&1 || bench_skip "needs $t (make bench installs it)"
done
[ -x /usr/bin/time ] || bench_skip "needs /usr/bin/time (GNU time)"
bench_tmpdir

# --- 1. the recording --------------------------------------------------------
/usr/bin/time -o "$T/gen.time" -f '%e %M' "$GEN" --out "$T/v2" --hours "$HOURS" > "$T/gen.out" ||
	fail "daygen failed"
set -- $(cat "$T/gen.out")
SNAPS=$2 SOCKSNAPS=$4 SYNS=$6
GEN_S=$(awk '{ print $1 }' "$T/gen.time")
SEG_BYTES=$(cat "$T"/v2/*.zst | wc -c)
NSEG=$(ls "$T"/v2/*.zst | wc -l)
echo "== recording: $HOURS h, $SNAPS snapshots, $SOCKSNAPS socket-snapshots ($SYNS flood SYNs)," \
	"$NSEG segments, $SEG_BYTES bytes, generated in $GEN_S s"
FIRST=$(ls "$T"/v2/*.zst | head -1)
# the first hour in format 1 too: the same snapshots byte for byte
"$GEN" --out "$T/v1" --hours "$(awk -v h="$HOURS" 'BEGIN { print h < 1 ? h : 1 }')" --format 1 \
	> "$T/gen1.out" || fail "daygen --format 1 failed"
H1_SOCKSNAPS=$(awk '{ print $4 }' "$T/gen1.out")
mkdir "$T/v2h1"
cp "$FIRST" "$T/v2h1/"

# --- 2. the day imported ----------------------------------------------------
DB=$T/day.db
/usr/bin/time -o "$T/imp.time" -f '%e %M %U %S' "$SS" import -q --no-progress -d "$DB" "$T/v2" ||
	fail "import failed"
set -- $(cat "$T/imp.time")
IMP_S=$1 IMP_KIB=$2 IMP_CPU=$(awk -v u="$3" -v s="$4" 'BEGIN { print u + s }')
DB_BYTES=$(wc -c < "$DB")
IMP_RATE=$(per_s "$SOCKSNAPS" "$IMP_S")
CPU_RATE=$(per_s "$SOCKSNAPS" "$IMP_CPU")
BPS=$(awk -v b="$DB_BYTES" -v n="$SOCKSNAPS" 'BEGIN { printf "%.2f", b / n }')
NSPANS=$(sqlite3 "$DB" 'SELECT count(*) FROM spans')
got=$(sqlite3 "$DB" 'SELECT sum(sockets) FROM snapshots')
[ "$got" = "$SOCKSNAPS" ] || fail "the database holds $got socket-snapshots, not $SOCKSNAPS"
row "import of the $HOURS h recording: socket-snapshots/s, wall (CPU)" \
	"$(mega "$IMP_RATE") in $IMP_S s ($(mega "$CPU_RATE") per CPU-second)" "-" "-" \
	">= 10M/s" "$(yesno ge "$IMP_RATE" 10000000)"
row "import peak RSS, MiB" "$(mib "$IMP_KIB")" "-" "-" "< 64 MiB" "$(yesno lt "$(mib "$IMP_KIB")" 64)"
row "database bytes per socket-snapshot ($NSPANS spans)" "$BPS ($DB_BYTES B)" "-" "-" "<= 1" \
	"$(yesno ge 1 "$BPS")"
sqlite3 "$DB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6" \
	2>/dev/null | tr '|' ' ' > "$T/dbstat" || : > "$T/dbstat"
echo "== where the bytes are:"
cat "$T/dbstat"

# --- 3. format 2 against format 1, the first hour ------------------------------
hf day_v2_vs_v1 \
	--prepare "rm -f $T/a.db $T/a.db-wal $T/a.db-shm" \
	-n "import, format 2 (first hour)" "$SS import -q --no-progress -d $T/a.db $T/v2h1" \
	--prepare "rm -f $T/b.db $T/b.db-wal $T/b.db-shm" \
	-n "import, format 1 (same snapshots)" "$SS import -q --no-progress -d $T/b.db $T/v1"
r=$(ratio "$HF_M2" "$HF_M1")
row "import of one hour, format 2 vs format 1 (ms; ratio = v1 / v2)" "$(ms_pm "$HF_M1" "$HF_S1")" \
	"$(ms_pm "$HF_M2" "$HF_S2")" "${r}x" ">= 1.50x" "$(yesno ge "$r" 1.50)"

# --- 4. the sqlite3 shell's .import of the same rows (first hour) -----------------
sqlite3 -csv "$T/a.db" 'SELECT * FROM sockets' > "$T/sockets.csv"
CSV_BYTES=$(wc -c < "$T/sockets.csv")
H1_ROWS=$(wc -l < "$T/sockets.csv")
[ "$H1_ROWS" -gt 0 ] || fail "no rows in the first hour"
# the table a row per socket per snapshot takes: schema 3's sockets
PEER="sqlite3 $T/p.db -cmd 'PRAGMA journal_mode=WAL' -cmd 'PRAGMA synchronous=NORMAL' -cmd 'CREATE TABLE sockets (snapshot_id INTEGER, proto TEXT, family INTEGER, state TEXT, laddr TEXT, lport INTEGER, raddr TEXT, rport INTEGER, rnet INTEGER, rxq INTEGER, txq INTEGER, uid INTEGER, inode INTEGER, timer TEXT, expires_ms INTEGER, retrans INTEGER, pid INTEGER, program TEXT, lhost TEXT, rhost TEXT)' BEGIN '.import --csv $T/sockets.csv sockets' COMMIT"
hf day_vs_sqlite3 \
	--prepare "rm -f $T/a.db $T/a.db-wal $T/a.db-shm" \
	-n "sockscope import (first hour, format 2)" "$SS import -q --no-progress -d $T/a.db $T/v2h1" \
	--prepare "rm -f $T/p.db $T/p.db-wal $T/p.db-shm" \
	-n "sqlite3 .import --csv (its socket rows)" "$PEER"
sh -c "rm -f $T/p.db*; $PEER" > /dev/null
A_BYTES=$(wc -c < "$T/a.db")
P_BYTES=$(wc -c < "$T/p.db")
r=$(ratio "$HF_M2" "$HF_M1")
row "one hour ($H1_ROWS socket-snapshots): import vs sqlite3 .import of them as CSV ($CSV_BYTES B) (ms)" \
	"$(ms_pm "$HF_M1" "$HF_S1")" "$(ms_pm "$HF_M2" "$HF_S2")" "${r}x" "(report)" "-"
row "one hour: database bytes" "$A_BYTES" "$P_BYTES" "$(ratio "$P_BYTES" "$A_BYTES")x" "(report)" "-"

# --- 5. results -----------------------------------------------------------------
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "== day results ($DATE, $(nproc) CPUs, load $LOAD, --runs $RUNS)"
sed 's/±/+-/g' "$ROWS" | awk -F'\t' '{ printf "%-90s %-36s %-20s %-7s %-10s %s\n", $1, $2, $3, $4, $5, $6 }
	BEGIN { printf "%-90s %-36s %-20s %-7s %-10s %s\n", "measurement", "sockscope", "peer", "ratio", "goal", "met" }'
{
	echo "Measured $DATE, $(nproc) CPUs (load average $LOAD), hyperfine \`--runs $RUNS\`," \
		"inputs and databases in \`${TMPDIR:-/tmp}\`. Recording: \`daygen --hours $HOURS\`:" \
		"$SNAPS snapshots, $SOCKSNAPS socket-snapshots, $NSEG segments, $SEG_BYTES bytes."
	echo
	echo "| measurement | sockscope | peer | ratio | goal | met |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
} > "$T/section.md"
results_section day.sh "The synthetic day (issues 16, 17)" "$T/section.md"
