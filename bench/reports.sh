#!/bin/sh
# bench/reports.sh — the reports' benchmark (issues 5, 6): `sockscope top` on
# a netstat dump against the article's awk | cut | sort | uniq -c | sort -n
# (speed and correctness), and `top --by subnet` / `timeline` / `blocklist`
# over a 10M-row database against sqlite3 queries; every report over a
# recording of 10M socket-snapshots (bench/spans_day.py, issue 17).
# Usage: sh bench/reports.sh BUILD_DIR   (no root; hyperfine, sqlite3 and awk, else SKIP, exit 0)
# Env: BENCH_REPORTS_RUNS (hyperfine --runs, default 5), BENCH_REPORTS_LINES
# (1000000: lines of the netstat -ntu dump), BENCH_REPORTS_ROWS (10000000:
# socket rows of the database), BENCH_REPORTS_DUMPS (200: dumps in its cron log).
# Prints a results table and appends it as Markdown to bench/out/results.md
# (replacing the section an earlier run of this script wrote there).
set -eu

# shellcheck disable=SC2034  # SST_TEST: read by lib.sh
SST_TEST=bench-reports
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

RUNS=${BENCH_REPORTS_RUNS:-5}
NLINES=${BENCH_REPORTS_LINES:-1000000}
NROWS=${BENCH_REPORTS_ROWS:-10000000}
DUMPS=${BENCH_REPORTS_DUMPS:-200}
TOPN=20
HF_WARMUP=1
OUT=$ROOT/bench/out

cd "$ROOT"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SS=$BUILD/sockscope
[ -x "$SS" ] || { echo "bench-reports: missing $SS (run make)" >&2; exit 1; }
for t in hyperfine sqlite3 awk; do
	command -v "$t" >/dev/null 2>&1 || bench_skip "needs $t (apt-get install hyperfine sqlite3)"
done
for v in "$RUNS" "$NLINES" "$NROWS" "$DUMPS"; do
	case $v in "" | *[!0-9]*) fail "BENCH_REPORTS_* must be positive integers, not '$v'" ;; esac
done
if [ "$DUMPS" -lt 1 ] || [ "$DUMPS" -gt 5000 ]; then
	fail "BENCH_REPORTS_DUMPS must be 1..5000"
fi
if [ "$NROWS" -lt "$DUMPS" ] || [ $((NROWS % DUMPS)) -ne 0 ]; then
	fail "BENCH_REPORTS_ROWS must be a multiple of BENCH_REPORTS_DUMPS"
fi

# Inputs and databases on a tmpfs: the bench measures the reports, not the
# disk (the pipeline reads the same file).
bench_tmpdir

# check_top TRUTH LIST: "yes", or "no: what differs". TRUTH: "count address"
# for every peer of the dump, most first; LIST: "count key" lines of a
# report, most first. Correct is: every key is an address with exactly its
# count, and the top counts are the true top counts (ties may pick either
# address).
check_top() {
	awk -v n="$TOPN" 'NR == FNR { t[$2] = $1; if (FNR <= n) { want[FNR] = $1; wk[FNR] = $2 }
			nt = FNR; next }
		{ m++; c[m] = $1; shown[$2] = 1
		  if (!($2 in t))
			nota = nota sprintf("%s%s %d", nota == "" ? "" : ", ", $2, $1)
		  else if (t[$2] != $1)
			wrong = wrong sprintf("%s%s %d (true %d)", wrong == "" ? "" : ", ", $2, $1, t[$2]) }
		END {
			lim = nt < n ? nt : n
			for (i = 1; i <= lim; i++) {
				if (c[i] != want[i])
					order = 1
				if (want[i] > want[lim] && !(wk[i] in shown))
					miss = miss sprintf("%s%s %d", miss == "" ? "" : ", ", wk[i], want[i])
			}
			if (nota == "" && wrong == "" && miss == "" && !order) { print "yes"; exit }
			s = "no:"
			if (nota != "") s = s " not addresses: " nota ";"
			if (wrong != "") s = s " wrong counts: " wrong ";"
			if (miss != "") s = s " missing from its top " n ": " miss ";"
			if (order && nota wrong miss == "") s = s " its top counts are not the true top counts;"
			sub(/;$/, "", s)
			print s
		}' "$1" "$2"
}

PIPE="awk '{print \$5}' FILE | cut -d: -f1 | sort | uniq -c | sort -n"
# the locale sort(1) collates in
DEF_LOC=${LC_ALL:-${LC_COLLATE:-${LANG:-POSIX}}}

# --- 1. the article's pipeline vs sockscope top on one dump ------------------------
DUMP=$T/netstat-ntu.txt
netstat_ntu "$NLINES" > "$DUMP"
DUMP_BYTES=$(wc -c < "$DUMP")
echo "== netstat -ntu dump: $NLINES lines, $DUMP_BYTES bytes"
pipe() { printf '%s' "$PIPE" | sed "s|FILE|$DUMP|"; }
hf reports_top_adhoc \
	-n "article pipeline ($DEF_LOC)" "$(pipe)" \
	-n "article pipeline (LC_ALL=C)" "export LC_ALL=C; $(pipe)" \
	-n "sockscope top -n $TOPN - < FILE" "$SS top -n $TOPN - < $DUMP" \
	-n "sockscope top -n $TOPN -f FILE" "$SS top -n $TOPN -f $DUMP"
[ -n "$HF_M4" ] || fail "no mean for sockscope top -f"
P_DEF_M=$HF_M1 P_DEF_S=$HF_S1 P_C_M=$HF_M2 P_C_S=$HF_S2
for side in stdin file; do
	if [ $side = stdin ]; then
		sm=$HF_M3 ss_=$HF_S3 what="sockscope top -"
	else
		sm=$HF_M4 ss_=$HF_S4 what="sockscope top -f FILE"
	fi
	for loc in def c; do
		if [ $loc = def ]; then
			pm=$P_DEF_M ps=$P_DEF_S lname=$DEF_LOC
		else
			pm=$P_C_M ps=$P_C_S lname=LC_ALL=C
		fi
		r=$(ratio "$pm" "$sm")
		row "$what vs the article's pipeline ($lname), $NLINES-line dump (ms)" \
			"$(ms_pm "$sm" "$ss_")" "$(ms_pm "$pm" "$ps")" "${r}x" ">= 2.00x" \
			"$(yesno ge "$r" 2.00)"
	done
done

# Correctness: the true count of every peer address (the port cut at the
# last colon, IPv4-mapped folded, no-peer rows left out), against each
# side's output.
awk '$1 ~ /^(tcp|udp|raw)6?$/ { a = $5; sub(/:[^:]*$/, "", a); sub(/^::ffff:/, "", a)
	if (a != "0.0.0.0" && a != "::" && a != "*") n[a]++ }
	END { for (a in n) print n[a], a }' "$DUMP" | LC_ALL=C sort -k1,1nr -k2,2 > "$T/truth"
sh -c "$(pipe)" > "$T/pipe.out"
LC_ALL=C sort -k1,1nr -k2,2 "$T/pipe.out" > "$T/pipe.list"
"$SS" top -n "$TOPN" -o csv - < "$DUMP" > "$T/top-stdin.csv"
"$SS" top -n "$TOPN" -o csv -f "$DUMP" > "$T/top-file.csv"
head -1 "$T/top-stdin.csv" | grep -q '^ip,conns,' || fail "unexpected top CSV header: $(head -1 "$T/top-stdin.csv")"
# ip and conns are the first two columns, never quoted
awk -F, 'NR > 1 { print $2, $1 }' "$T/top-stdin.csv" > "$T/top-stdin.list"
awk -F, 'NR > 1 { print $2, $1 }' "$T/top-file.csv" > "$T/top-file.list"
PIPE_OK=$(check_top "$T/truth" "$T/pipe.list")
TOP_OK=$(check_top "$T/truth" "$T/top-stdin.list")
TOPF_OK=$(check_top "$T/truth" "$T/top-file.list")
if [ "$TOP_OK" != yes ] || [ "$TOPF_OK" != yes ]; then
	TOP_OK="no: top -: $TOP_OK; top -f: $TOPF_OK"
fi
NPEERS=$(wc -l < "$T/truth")
NV6=$(awk 'index($2, ":") { n++ } END { print n + 0 }' "$T/truth")
echo
echo "== correctness of the top $TOPN ($NPEERS peer addresses in the dump, $NV6 of them IPv6)"
echo "true top 5:"
head -5 "$T/truth" | sed 's/^/    /'
echo "pipeline (last 5 lines):"
tail -5 "$T/pipe.out" | sed 's/^/    /'
echo "sockscope top -o csv (first 5 rows):"
sed -n 2,6p "$T/top-stdin.csv" | cut -d, -f1,2 | sed 's/^/    /'
echo "pipeline correct: $PIPE_OK"
echo "sockscope correct: $TOP_OK"
row "top $TOPN peers of the dump: per-address counts correct" "${TOP_OK%%:*}" "${PIPE_OK%%:*}" \
	"-" "correct" "$(yesno test "${TOP_OK%%:*}" = yes)"
rm -f "$DUMP" "$T"/*.csv

# --- 2. every report over a recording of NROWS socket-snapshots -----------------
# bench/spans_day.py: 2000 connections, one netstat -ntu a second, sockets
# that live minutes, queues that change, a SYN flood of 5000 at a time for a
# tenth of the recording: 2500 socket-snapshots a second on average, so
# NROWS / 2500 seconds. Every report in one hyperfine run; the goal is each
# under 0.3 s (issue 17). Also the CPU (user + system) each used: the wall
# time of a shared machine waits for the CPU.
REC_SECS=$((NROWS / 2500))
REC_NOTE=""
if ! command -v python3 > /dev/null 2>&1; then
	REC_NOTE="skipped: needs python3"
elif [ "$REC_SECS" -lt 600 ] || [ $((REC_SECS * 2500)) -ne "$NROWS" ]; then
	REC_NOTE="skipped: BENCH_REPORTS_ROWS must be a multiple of 2500, at least 1.5M"
fi
if [ -n "$REC_NOTE" ]; then
	echo
	echo "SKIP: the recording of $NROWS socket-snapshots: $REC_NOTE"
	row "every report over a recording of $(mega "$NROWS") socket-snapshots" "$REC_NOTE" "-" "-" \
		"< 300 ms each" "-"
else
	LOG=$T/recording.log
	DB=$T/recording.db
	python3 "$ROOT/bench/spans_day.py" "$REC_SECS" 2000 > "$LOG" ||
		fail "bench/spans_day.py failed"
	LOG_BYTES=$(wc -c < "$LOG")
	imp_t0=$(now_ms)
	"$SS" import -q --no-progress -d "$DB" "$LOG" || fail "sockscope import of the recording failed"
	REC_IMP_MS=$(($(now_ms) - imp_t0))
	rm -f "$LOG"
	n=$(sqlite3 "$DB" 'SELECT sum(n) FROM snapshot_states')
	REC_SPANS=$(sqlite3 "$DB" 'SELECT count(*) FROM spans')
	[ "$n" -eq "$NROWS" ] || fail "the recording holds $n socket-snapshots, want $NROWS"
	REC_BYTES=$(cat "$DB"* | wc -c)
	echo
	echo "== recording: $REC_SECS dumps, $NROWS socket-snapshots in $REC_SPANS spans," \
		"$LOG_BYTES bytes of log; imported in $REC_IMP_MS ms; database $REC_BYTES bytes"
	row "import of the recording ($REC_SECS dumps, $(mega "$NROWS") socket-snapshots, $REC_SPANS spans), once (ms)" \
		"$REC_IMP_MS" "-" "-" "(info)" "-"
	REPORTS="summary|top --by ip|top --by subnet|timeline|spikes|ports|programs|blocklist"
	set --
	IFS='|'
	for r in $REPORTS; do
		set -- "$@" -n "sockscope $r" "$SS $r -d $DB"
	done
	unset IFS
	hf reports_recording "$@"
	i=0
	IFS='|'
	for r in $REPORTS; do
		unset IFS
		i=$((i + 1))
		m=$(hf_m $i)
		row "$r -d DB, recording of $(mega "$NROWS") socket-snapshots (ms; CPU user+sys ms)" \
			"$(ms_pm "$m" "$(hf_s $i)") (CPU $(ms "$(hf_cpu $i)"))" "-" "-" "< 300 ms" \
			"$(yesno lt "$m" 0.3)"
		IFS='|'
	done
	unset IFS
	rm -f "$DB"*
fi

# --- 3. the worst case: a database of NROWS random rows ---------------------------
# No socket outlives its dump here (each line is drawn anew), so every row
# is a span of its own: what spans cannot save.
# A cron log of DUMPS netstat -ntu dumps, imported once (not timed by
# hyperfine). The log is deleted after the import; the database stays for
# the timings. At most the log (80 B a line) and the database (75 B a row)
# at once, with room.
need_kib=$((NROWS * 200 / 1024))
free_kib=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
DB_NOTE=""
if [ "${free_kib:-0}" -lt "$need_kib" ]; then
	DB_NOTE="skipped: $((${free_kib:-0} / 1024)) MiB free in $T, needs $((need_kib / 1024)) MiB"
	echo
	echo "== database of $NROWS rows: $DB_NOTE"
	row "top --by subnet -n $TOPN, $(mega "$NROWS") rows (ms)" "$DB_NOTE" "-" "-" "< 1000 ms" "-"
	row "timeline, $(mega "$NROWS") rows (ms)" "$DB_NOTE" "-" "-" "< 1000 ms" "-"
	row "blocklist, $(mega "$NROWS") rows (ms)" "$DB_NOTE" "-" "-" "(info)" "-"
else
	LOG=$T/netstat-cron.log
	DB=$T/reports.db
	netstat_ntu "$NROWS" "$DUMPS" > "$LOG"
	LOG_BYTES=$(wc -c < "$LOG")
	echo
	echo "== database: cron log of $DUMPS dumps, $NROWS lines, $LOG_BYTES bytes"
	imp_t0=$(now_ms)
	"$SS" import -q --no-progress -d "$DB" "$LOG" || fail "sockscope import of the cron log failed"
	IMP_MS=$(($(now_ms) - imp_t0))
	rm -f "$LOG"
	n=$(sqlite3 "$DB" 'SELECT sum(n) FROM snapshot_states')
	s=$(sqlite3 "$DB" 'SELECT count(*) FROM snapshots')
	if [ "$n" -ne "$NROWS" ] || [ "$s" -ne "$DUMPS" ]; then
		fail "the database holds $n rows in $s snapshots, want $NROWS in $DUMPS"
	fi
	DB_BYTES=$(cat "$DB"* | wc -c)
	IMP_RATE=$(per_s "$NROWS" "$(awk -v m="$IMP_MS" 'BEGIN { print m / 1000 }')")
	echo "imported in $IMP_MS ms ($(mega "$IMP_RATE") lines/s): $n rows, $s snapshots," \
		"database $DB_BYTES bytes"
	row "import of the cron log ($DUMPS dumps, $(mega "$NROWS") lines, $LOG_BYTES B), once (ms)" \
		"$IMP_MS ($(mega "$IMP_RATE") lines/s)" "-" "-" "(info)" "-"

	# the peers ask the spans as stored (docs/SCHEMA.md §9.1, §4.3:
	# spans_packed, not the spans view that decodes its codes): through the
	# sockets view each costs minutes here. An IPv4 peer's rnet is stored
	# signed there; rnet >> 8 tells its /24s apart all the same
	SUBNET_SQL="SELECT (rnet >> 8), sum(copies * (k_last - k_first + 1)) FROM spans_packed WHERE kind & 1 = 0 GROUP BY 1 ORDER BY 2 DESC LIMIT $TOPN"
	TIMELINE_SQL="SELECT snapshot_id, state, sum(n) FROM snapshot_states GROUP BY 1, 2"
	hf reports_top_subnet \
		-n "sockscope top -d DB --by subnet -n $TOPN" "$SS top -d $DB --by subnet -n $TOPN" \
		-n "sqlite3 GROUP BY rnet >> 8" "sqlite3 $DB '$SUBNET_SQL'"
	r=$(ratio "$HF_M2" "$HF_M1")
	row "top -d DB --by subnet -n $TOPN, $(mega "$NROWS") random rows (ms; peer: sqlite3 GROUP BY (rnet >> 8))" \
		"$(ms_pm "$HF_M1" "$HF_S1")" "$(ms_pm "$HF_M2" "$HF_S2")" "${r}x" "< 1000 ms" \
		"$(yesno lt "$HF_M1" 1.0)"
	hf reports_timeline \
		-n "sockscope timeline -d DB" "$SS timeline -d $DB" \
		-n "sqlite3 GROUP BY snapshot_id, state" "sqlite3 $DB '$TIMELINE_SQL'"
	r=$(ratio "$HF_M2" "$HF_M1")
	row "timeline -d DB, $(mega "$NROWS") random rows (ms; peer: sqlite3 GROUP BY snapshot_id, state)" \
		"$(ms_pm "$HF_M1" "$HF_S1")" "$(ms_pm "$HF_M2" "$HF_S2")" "${r}x" "< 1000 ms" \
		"$(yesno lt "$HF_M1" 1.0)"
	# blocklist: every peer's and subnet's peak per snapshot, the baseline,
	# the decisions; the peer is the per-peer peak in SQL, the first step of
	# a DDoS-Deflate-style rule (connections per IP over a threshold)
	PEAK_SQL="WITH ev AS (SELECT chain, coalesce(raddr, rnet) AS raddr, k_first AS k, copies AS d FROM spans_packed UNION ALL SELECT chain, coalesce(raddr, rnet), k_last + 1, -copies FROM spans_packed), run AS (SELECT raddr, sum(sum(d)) OVER (PARTITION BY chain, raddr ORDER BY k) AS n FROM ev GROUP BY chain, raddr, k) SELECT raddr, max(n) FROM run GROUP BY raddr HAVING max(n) >= 20"
	hf reports_blocklist \
		-n "sockscope blocklist -d DB" "$SS blocklist -d $DB" \
		-n "sqlite3 per-peer peak" "sqlite3 $DB '$PEAK_SQL'"
	r=$(ratio "$HF_M2" "$HF_M1")
	row "blocklist -d DB, $(mega "$NROWS") random rows (ms; peer: sqlite3 per-peer peak per snapshot)" \
		"$(ms_pm "$HF_M1" "$HF_S1")" "$(ms_pm "$HF_M2" "$HF_S2")" "${r}x" "(info)" "-"
	rm -f "$DB"*
fi

# --- 4. results -----------------------------------------------------------------
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
KREL=$(uname -r)
CPUS=$(nproc 2>/dev/null || echo '?')
HFV=$(hyperfine --version | awk '{ print $2 }')
SQLV=$(sqlite3 --version | awk '{ print $1 }')
echo
echo "== reports results ($DATE, kernel $KREL, $CPUS CPUs, hyperfine $HFV, sqlite3 $SQLV," \
	"--warmup $HF_WARMUP --runs $RUNS)"
echo "ratio = peer mean / sockscope mean (above 1: sockscope is faster)"
sed 's/±/+-/g' "$ROWS" | awk -F'\t' '{ printf "%-96s %-32s %-16s %-7s %-10s %s\n", $1, $2, $3, $4, $5, $6 }
	BEGIN { printf "%-96s %-32s %-16s %-7s %-10s %s\n", "measurement", "sockscope", "peer", "ratio", "goal", "met" }'
echo "pipeline correct: $PIPE_OK"
echo "sockscope correct: $TOP_OK"

{
	echo "Measured $DATE on kernel \`$KREL\`, $CPUS CPUs, hyperfine $HFV" \
		"(\`--warmup $HF_WARMUP --runs $RUNS\`), sqlite3 $SQLV, inputs and databases in \`${TMPDIR:-/tmp}\`."
	echo "Dump: $NLINES lines of \`netstat -ntu\`, $DUMP_BYTES bytes; pipeline:" \
		"\`$PIPE\`. Recording: ${REC_NOTE:-$REC_SECS dumps of bench/spans_day.py, $NROWS socket-snapshots in $REC_SPANS spans, imported in $REC_IMP_MS ms}." \
		"Worst case: ${DB_NOTE:-$NROWS random socket rows in $DUMPS snapshots, imported in $IMP_MS ms}."
	echo "Ratio = the peer's mean / sockscope's mean (above 1: sockscope is faster)."
	echo
	echo "| measurement | sockscope | peer | ratio | goal | met |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
	echo
	echo "Pipeline correct: $PIPE_OK."
	echo
	echo "sockscope correct: $TOP_OK."
} > "$T/section.md"
results_section reports.sh "Reports (issue 5)" "$T/section.md"
