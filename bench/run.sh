#!/bin/sh
# bench/run.sh — `make bench`: sockscope-recorder side by side with the article's
# netstat commands, ss and cat /proc/net/* over ~100k sockets in a netns.
# Usage: sh bench/run.sh BUILD_DIR   (root + network namespaces, else SKIP, exit 0)
# Env: BENCH_RUNS (default 5), BENCH_SYNRECV (80000), BENCH_ESTAB (10000 connections),
# BENCH_SPANS_BASE (a build bench/spans.sh times beside BUILD_DIR), and the
# scripts' own (bench/README.md).
# Prints a results table and writes it as Markdown to bench/out/results.md.

# shellcheck disable=SC2034  # SST_TEST, SST_HOLD: read by lib.sh
SST_TEST=bench
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"

RUNS=${BENCH_RUNS:-5}
NSYN=${BENCH_SYNRECV:-80000}
NEST=${BENCH_ESTAB:-10000}
OUT=$ROOT/bench/out

# Issue 17: a recorded hour imported into spans, every report timed (beside
# BENCH_SPANS_BASE, another build, when set: e.g. one of schema 3).
spans_bench() {
	# shellcheck disable=SC2086  # no base: no second word
	sh "$ROOT/bench/spans.sh" "$BUILD" ${BENCH_SPANS_BASE:+"$BENCH_SPANS_BASE"}
}

# Bench is not a test: a machine that cannot run it says why and exits 0.
# Issue 5's reports benchmark needs neither root nor namespaces: it runs anyway.
bench_skip() {
	printf 'SKIP: bench: %s\n' "$*"
	sh "$ROOT/bench/reports.sh" "$BUILD" || exit 1
	sh "$ROOT/bench/html.sh" "$BUILD" || exit 1
	spans_bench || exit 1
	sh "$ROOT/bench/day.sh" "$BUILD" || exit 1
	exit 0
}

cd "$ROOT" || exit 1
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
[ -x "$BUILD/sockscope-recorder" ] || { echo "bench: missing $BUILD/sockscope-recorder (run make)" >&2; exit 1; }
tools_dir "$BUILD"
if ! msg=$(need_root_netns); then
	bench_skip "${msg#SKIP: bench: }"
fi
for t in hyperfine netstat ss gzip awk; do
	command -v "$t" >/dev/null 2>&1 || bench_skip "needs $t (make bench installs hyperfine and time)"
done
[ -x /usr/bin/time ] || bench_skip "needs /usr/bin/time (GNU time)"
netns_reap_stale

# Segments go to a tmpfs when there is one, so the disk does not time the
# recorder (the peers write to /dev/null).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
# Not $(sst_tmpdir): a subshell would not keep SST_TMP, and the exit trap
# would not remove the directory.
sst_tmpdir >/dev/null
T=$SST_TMP
mkdir -p "$OUT" || fail "mkdir $OUT"

# The population must outlive the bench (~5 min): connhold holds 15 min.
# shellcheck disable=SC2034
SST_HOLD=900
netns_new victim
netns_new attacker
netns_link attacker victim 192.0.2.1 192.0.2.2
note "building the population: $NSYN SYN_RECV + $NEST loopback connections"
make_population victim attacker "$NSYN" "$NEST"
N_TCP=$(in_ns victim ss -Htan | wc -l)
N_UDP=$(in_ns victim ss -Huan | wc -l)
echo "== population in the victim netns (built in $POP_MS ms)"
in_ns victim ss -s
echo "SYN_RECV=$POP_SYNRECV ESTABLISHED=$POP_ESTAB tcp total (ss -Htan | wc -l)=$N_TCP udp=$N_UDP"

REC=$RECORDER
NS=$(ns_name victim)

# mean_ms JSON: the hyperfine means (seconds in JSON) in ms, one per line, in command order.
mean_ms() {
	sed -n 's/^ *"mean": *\([-0-9.eE+]*\),*$/\1/p' "$1" | awk '{ printf "%.1f\n", $1 * 1000 }'
}
sd_ms() {
	sed -n 's/^ *"stddev": *\([-0-9.eE+]*\),*$/\1/p' "$1" | awk '{ printf "%.1f\n", $1 * 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 <= b + 0) }'; }
yesno() { if "$@"; then echo yes; else echo no; fi; }

ROWS=$T/rows
: > "$ROWS"
# row MEASUREMENT SOCKSCOPE PEER RATIO GOAL MET
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$ROWS"; }

# hf NAME NAME1 CMD1 NAME2 CMD2: one hyperfine run of two commands in the victim netns.
hf() {
	hf_json=$T/$1.json
	echo
	echo "== $1"
	ip netns exec "$NS" hyperfine --style basic --warmup 1 --runs "$RUNS" \
		--prepare "rm -rf $T/seg" --export-json "$hf_json" \
		-n "$2" "$3" -n "$4" "$5" || fail "hyperfine $1 failed"
	HF_A=$(mean_ms "$hf_json" | sed -n 1p)
	HF_B=$(mean_ms "$hf_json" | sed -n 2p)
	HF_SA=$(sd_ms "$hf_json" | sed -n 1p)
	HF_SB=$(sd_ms "$hf_json" | sed -n 2p)
	if [ -z "$HF_A" ] || [ -z "$HF_B" ]; then fail "cannot read means from $hf_json"; fi
	cp "$hf_json" "$OUT/$1.json"
}

ARTICLE="sh -c 'netstat -na >/dev/null; netstat -aultnp >/dev/null; netstat -n -p >/dev/null; netstat -ntu >/dev/null; netstat -anp >/dev/null'"
CORE_PEER="sh -c 'ss -tuan >/dev/null; cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 >/dev/null'"

# a. full snapshot vs the article's five netstat commands
hf full_snapshot \
	"recorder --once" "$REC -q -o $T/seg --once" \
	"article netstat x5" "$ARTICLE"
r=$(ratio "$HF_A" "$HF_B")
row "full snapshot vs article's 5 netstat cmds (ms)" "$HF_A ± $HF_SA" "$HF_B ± $HF_SB" \
	"${r}x ($(ratio "$HF_B" "$HF_A")x faster)" "<= 0.20x (5x faster)" "$(yesno le "$r" 0.20)"

# b. core sections vs ss + cat /proc/net/*
hf core_snapshot \
	"recorder --once --netstat none" "$REC -q -o $T/seg --once --netstat none" \
	"ss -tuan + cat /proc/net/*" "$CORE_PEER"
r=$(ratio "$HF_A" "$HF_B")
row "core snapshot (sections 1-4) vs ss -tuan + cat /proc/net/* (ms)" "$HF_A ± $HF_SA" \
	"$HF_B ± $HF_SB" "${r}x" "<= 1.20x" "$(yesno le "$r" 1.20)"

# e. ss -tuanp, the closest modern peer (informational)
hf ss_p \
	"recorder --once" "$REC -q -o $T/seg --once" \
	"ss -tuanp" "ss -tuanp >/dev/null"
r=$(ratio "$HF_A" "$HF_B")
row "full snapshot vs ss -tuanp (ms)" "$HF_A ± $HF_SA" "$HF_B ± $HF_SB" "${r}x" "(info)" "-"

# c. bytes per snapshot at steady state, vs gzip'd netstat -na right after.
# stats_bytes LOG: "first steady" = compressed bytes of snapshot 1 and the
# mean of snapshots 3..6 from the -v lines.
stats_bytes() {
	sed -n 's/.*snapshot seq=\([0-9]*\) .* compressed=\([0-9]*\) bytes.*/\1 \2/p' "$1" |
		awk '$1 == 1 { f = $2 } $1 >= 3 && $1 <= 6 { s += $2; n++ }
		     END { if (n) printf "%d %d\n", f, s / n; else print "0 0" }'
}
bytes_run() { # NAME RECORDER-ARGS...
	br_name=$1
	shift
	rm -rf "$T/seg"
	echo
	echo "== bytes: $br_name"
	ip netns exec "$NS" "$REC" -v -o "$T/seg" -i 1 --count 6 "$@" 2> "$T/$br_name.log" ||
		fail "recorder $* failed: $(tail -3 "$T/$br_name.log")"
	BR_GZ=$(ip netns exec "$NS" sh -c 'netstat -na | gzip | wc -c')
	grep 'snapshot seq=' "$T/$br_name.log"
	# shellcheck disable=SC2046  # two numbers, split on purpose
	set -- $(stats_bytes "$T/$br_name.log")
	BR_FIRST=$1
	BR_STEADY=$2
	BR_SEG=$(cat "$T"/seg/*.zst | wc -c)
	"$BUILD/sockscope" verify "$T"/seg/*.zst | grep -q 'good=6 bad=0' ||
		fail "segment does not verify: $("$BUILD/sockscope" verify "$T"/seg/*.zst 2>&1)"
	echo "snapshot 1: $BR_FIRST B, mean of 3..6: $BR_STEADY B, segment $BR_SEG B;" \
		"netstat -na | gzip: $BR_GZ B"
	cp "$T/$br_name.log" "$OUT/$br_name.log"
}
bytes_run bytes_full
r=$(ratio "$BR_STEADY" "$BR_GZ")
row "bytes/snapshot, steady (mean of 3..6), all sections vs netstat -na | gzip" \
	"$BR_STEADY" "$BR_GZ" "${r}x" "<= 0.50x" "$(yesno le "$r" 0.50)"
row "bytes, snapshot 1, all sections vs netstat -na | gzip" \
	"$BR_FIRST" "$BR_GZ" "$(ratio "$BR_FIRST" "$BR_GZ")x" "(info)" "-"
bytes_run bytes_core --netstat none
row "bytes/snapshot, steady, core only (--netstat none) vs netstat -na | gzip" \
	"$BR_STEADY" "$BR_GZ" "$(ratio "$BR_STEADY" "$BR_GZ")x" "(info)" "-"
row "bytes, snapshot 1, core only vs netstat -na | gzip" \
	"$BR_FIRST" "$BR_GZ" "$(ratio "$BR_FIRST" "$BR_GZ")x" "(info)" "-"

# d. peak RSS (GNU time %M, KiB)
rss_run() { # NAME RECORDER-ARGS...
	rr_name=$1
	shift
	rm -rf "$T/seg"
	ip netns exec "$NS" /usr/bin/time -o "$T/$rr_name.rss" -f %M \
		"$REC" -q -o "$T/seg" -i 1 --count 3 "$@" || fail "recorder $* failed (RSS run)"
	RSS=$(tail -1 "$T/$rr_name.rss")
	echo "peak RSS $rr_name: $RSS KiB"
}
echo
echo "== peak RSS"
rss_run rss_full
rss_mib=$(awk -v k="$RSS" 'BEGIN { printf "%.1f", k / 1024 }')
row "peak RSS, all sections, 3 snapshots (MiB)" "$rss_mib" "-" "-" "<= 32 MiB" \
	"$(yesno le "$rss_mib" 32)"
rss_run rss_core --netstat none
rss_mib=$(awk -v k="$RSS" 'BEGIN { printf "%.1f", k / 1024 }')
row "peak RSS, core only, 3 snapshots (MiB)" "$rss_mib" "-" "-" "<= 32 MiB" \
	"$(yesno le "$rss_mib" 32)"
ip netns exec "$NS" /usr/bin/time -o "$T/ss.rss" -f %M ss -tuanp >/dev/null
ip netns exec "$NS" /usr/bin/time -o "$T/netstat.rss" -f %M netstat -anp >/dev/null
PEER_RSS="ss -tuanp $(awk '{ printf "%.1f", $1 / 1024 }' "$T/ss.rss") MiB, netstat -anp $(awk '{ printf "%.1f", $1 / 1024 }' "$T/netstat.rss") MiB"
echo "peers: $PEER_RSS"

# Where the time goes: the recorder's own took= for one snapshot with parts
# switched off (informational, median of 3).
took() { # ARGS...: median took= ms of 3 --once runs
	for _ in 1 2 3; do
		rm -rf "$T/seg"
		ip netns exec "$NS" "$REC" -v -o "$T/seg" --once "$@" 2>&1 |
			sed -n 's/.* took=\([0-9.]*\) ms.*/\1/p'
	done | sort -n | sed -n 2p
}
echo
echo "== breakdown (recorder -v took=, median of 3)"
BD=$T/breakdown
: > "$BD"
for args in "" "--no-processes" "--netstat none" "--netstat none --no-processes" \
	"--netstat -na" "--netstat -anp" "--exec-netstat"; do
	# shellcheck disable=SC2086
	ms=$(took $args)
	printf '%s\t%s\n' "${args:-(all sections)}" "${ms:-failed}" | tee -a "$BD"
done

N_TCP2=$(in_ns victim ss -Htan | wc -l)
SYN2=$(count_state victim syn-recv)

# --- results ----------------------------------------------------------------
DATE=$(date -u +%Y-%m-%dT%H:%MZ)
KREL=$(uname -r)
CPUS=$(nproc 2>/dev/null || echo '?')
HFV=$(hyperfine --version | awk '{ print $2 }')
echo
echo "== results ($DATE, kernel $KREL, $CPUS CPUs, hyperfine $HFV, --runs $RUNS --warmup 1)"
echo "population: $POP_SYNRECV SYN_RECV + $POP_ESTAB ESTABLISHED, $N_TCP TCP + $N_UDP UDP sockets" \
	"(at the end: $N_TCP2 TCP, $SYN2 SYN_RECV)"
sed 's/±/+-/g' "$ROWS" | awk -F'\t' 'BEGIN { printf "%-72s %-18s %-18s %-22s %-22s %s\n", "measurement", "sockscope", "peer", "ratio", "goal", "met" }
	{ printf "%-72s %-18s %-18s %-22s %-22s %s\n", $1, $2, $3, $4, $5, $6 }'
echo "peak RSS of peers: $PEER_RSS"

{
	echo "Measured $DATE on kernel \`$KREL\`, $CPUS CPUs, hyperfine $HFV" \
		"(\`--warmup 1 --runs $RUNS\`)."
	echo "Population: $POP_SYNRECV SYN_RECV + $POP_ESTAB ESTABLISHED" \
		"($N_TCP TCP + $N_UDP UDP sockets by \`ss -Htan\`/\`ss -Huan\`; $N_TCP2 TCP and $SYN2" \
		"SYN_RECV at the end), built in $POP_MS ms."
	echo
	echo "| measurement | sockscope | peer | ratio | goal | met |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
	echo
	echo "Peak RSS of the peers: $PEER_RSS."
	echo
	echo "Where a snapshot's time goes (\`sockscope-recorder -v --once ARGS\`, took=, median of 3):"
	echo
	echo "| recorder arguments | took (ms) |"
	echo "|---|---|"
	awk -F'\t' '{ printf "| `%s` | %s |\n", $1, $2 }' "$BD"
} > "$OUT/results.md"
echo "results written to bench/out/results.md"

# Issue 4's import benchmark appends its own section to results.md. This
# script's namespaces go first: the SYN-ACK timers of its population would
# share the CPUs with the timed imports.
netns_cleanup
sh "$ROOT/bench/import.sh" "$BUILD" || fail "bench/import.sh failed"
# Issue 16: format 2 against format 1 and the peers, on its own populations
# (steady and churning), written to bench/out/format2.md.
sh "$ROOT/bench/format2.sh" "$BUILD" || fail "bench/format2.sh failed"
sh "$ROOT/bench/reports.sh" "$BUILD" || fail "bench/reports.sh failed"
sh "$ROOT/bench/html.sh" "$BUILD" || fail "bench/html.sh failed"
# Issue 19: ship throughput and fleet reports on a local 2-shard ClickHouse
# cluster (bench/fleet.sh; SKIP without clickhouse-server), bench/out/fleet.md.
sh "$ROOT/bench/fleet.sh" "$BUILD" || fail "bench/fleet.sh failed"
spans_bench || fail "bench/spans.sh failed"
# issue 17's synthetic day (BENCH_DAY_HOURS=24 for the whole day)
sh "$ROOT/bench/day.sh" "$BUILD" || fail "bench/day.sh failed"
