#!/bin/sh
# bench/format2.sh — issue 16's figures, side by side in one run: format 2
# against format 1 and `netstat -na | gzip` (bytes per snapshot, steady and
# churning, per persisting and per new socket), snapshot time against
# `ss -tuan` + `cat /proc/net/*` and the article's five commands, peak RSS,
# and import speed of the same snapshots in format 2 and format 1.
# Usage: sh bench/format2.sh BUILD_DIR   (root + netns, else SKIP, exit 0)
# Env: BENCH_RUNS (hyperfine --runs, 3), BENCH_SYNRECV (80000), BENCH_ESTAB
# (10000), BENCH_CHURN_RATE (new SYN_RECV per second, 1000), BENCH_ONLY=snapshot
# (only the snapshot time and peak RSS, on the steady population),
# BENCH_BASE=BUILD_DIR (another build's recorder, e.g. main's, in the same
# hyperfine run and RSS measure: before and after side by side), BENCH_RT=1
# (the timed snapshots and ss + cat run under chrt -f 10: on a machine others
# load, each gets free CPUs as on an idle one; a few seconds in all; not the
# five netstat commands, ~5 s each, which are for information).
# shellcheck disable=SC2034  # SST_TEST, SST_HOLD, SST_SYNACK_RETRIES: read by lib.sh
SST_TEST=bench-format2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh"

RUNS=${BENCH_RUNS:-3}
NSYN=${BENCH_SYNRECV:-80000}
NEST=${BENCH_ESTAB:-10000}
RATE=${BENCH_CHURN_RATE:-1000}
ONLY=${BENCH_ONLY:-}
RT=
if [ "${BENCH_RT:-0}" = 1 ]; then
	command -v chrt >/dev/null 2>&1 || { echo "SKIP: bench-format2: BENCH_RT needs chrt"; exit 0; }
	RT="chrt -f 10 "
fi
case $ONLY in "" | snapshot) ;; *) echo "bench-format2: BENCH_ONLY is snapshot or empty" >&2; exit 1 ;; esac
BASE_REC=
if [ -n "${BENCH_BASE:-}" ]; then
	BASE_REC=$(cd "$BENCH_BASE" && pwd)/sockscope-recorder
	[ -x "$BASE_REC" ] || { echo "bench-format2: no $BASE_REC" >&2; exit 1; }
fi
OUT=$ROOT/bench/out
cd "$ROOT" || exit 1
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
tools_dir "$BUILD"
if ! msg=$(need_root_netns); then
	printf 'SKIP: bench-format2: %s\n' "${msg#SKIP: bench-format2: }"
	exit 0
fi
for t in hyperfine netstat ss gzip awk zstd; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: bench-format2: needs $t"; exit 0; }
done
netns_reap_stale
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
sst_tmpdir >/dev/null
T=$SST_TMP
mkdir -p "$OUT"
RES=$OUT/format2.md
: > "$RES"
say() { echo "$*"; echo "$*" >> "$RES"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
SST_HOLD=900

# bytes NS NAME ARGS...: records 10 snapshots at -i 1; prints
# "first mean-of-2..10 segment-bytes"
bytes() {
	b_ns=$1 b_name=$2
	shift 2
	rm -rf "$T/seg.$b_name"
	ip netns exec "$b_ns" "$RECORDER" -v -o "$T/seg.$b_name" -i 1 --count 10 "$@" \
		2> "$T/$b_name.log" || fail "recorder $*: $(tail -3 "$T/$b_name.log")"
	"$SOCKSCOPE" verify "$T"/seg."$b_name"/*.zst | grep -q 'good=10 bad=0' ||
		fail "$b_name does not verify"
	sed -n 's/.*snapshot seq=\([0-9]*\) .* compressed=\([0-9]*\) bytes.*/\1 \2/p' "$T/$b_name.log" |
		awk '$1 == 1 { f = $2 } $1 >= 2 { s += $2; n++ } END { printf "%d %d\n", f, s / n }'
}

netns_new victim
netns_new attacker
netns_link attacker victim 192.0.2.1 192.0.2.2
note "building the steady population: $NSYN SYN_RECV + $NEST loopback connections"
make_population victim attacker "$NSYN" "$NEST"
NS=$(ns_name victim)
N=$(in_ns victim ss -Htan | wc -l)
GZ=$(ip netns exec "$NS" sh -c 'netstat -na | gzip | wc -c')
say "## Format 2 (issue 16), $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs"
say ""
say "Steady population: $N TCP sockets ($POP_SYNRECV SYN_RECV, $POP_ESTAB ESTABLISHED); netstat -na | gzip = $GZ B"
say ""
say "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$RT" ] && say "(snapshots and ss + cat timed under chrt -f 10: CPUs free as on an idle machine)"
say ""
say "| measurement | sockscope | peer | ratio |"
say "|---|---|---|---|"
if [ -z "$ONLY" ]; then
# shellcheck disable=SC2046
set -- $(bytes "$NS" v2)
say "| bytes, keyframe (snapshot 1), format 2, all sections recoverable | $1 | $GZ | $(ratio "$1" "$GZ")x |"
say "| bytes/snapshot, steady deltas (mean of 2..10), format 2 | $2 | $GZ | $(ratio "$2" "$GZ")x |"
PERSIST=$(awk -v b="$2" -v n="$N" 'BEGIN { printf "%.3f", b / n }')
say "| bytes per persisting socket per snapshot (steady delta / sockets) | $PERSIST | | |"
# shellcheck disable=SC2046
set -- $(bytes "$NS" v2verb --netstat-store verbatim)
say "| bytes/snapshot, steady, --netstat-store verbatim | $2 (keyframe $1) | $GZ | $(ratio "$2" "$GZ")x |"
# shellcheck disable=SC2046
set -- $(bytes "$NS" v1 --format 1)
say "| bytes/snapshot, steady, format 1 (before) | $2 (first $1) | $GZ | $(ratio "$2" "$GZ")x |"
fi

# snapshot time
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$T/t.json" \
	--prepare "rm -rf $T/hseg" \
	"${RT}ip netns exec $NS $RECORDER -q -o $T/hseg --once" \
	"${RT}ip netns exec $NS $RECORDER -q -o $T/hseg --once --format 1" \
	"${RT}ip netns exec $NS sh -c 'ss -tuan >/dev/null; cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/raw /proc/net/raw6 >/dev/null'" \
	"ip netns exec $NS sh -c 'netstat -na >/dev/null; netstat -aultnp >/dev/null; netstat -n -p >/dev/null; netstat -ntu >/dev/null; netstat -anp >/dev/null'" \
	${BASE_REC:+"${RT}ip netns exec $NS $BASE_REC -q -o $T/hseg --once"} \
	> "$T/hf.out" 2>&1 || fail "hyperfine: $(tail -5 "$T/hf.out")"
# shellcheck disable=SC2046  # four (five) means, split on purpose
set -- $(awk -F: '/"mean"/ { gsub(/[ ,]/, "", $2); printf "%.1f ", $2 * 1000 }' "$T/t.json")
say "| full snapshot time (--once, ms) vs ss -tuan + cat /proc/net/* | $1 | $3 | $(ratio "$1" "$3")x |"
say "| full snapshot time, format 1 (same run) vs ss -tuan + cat /proc/net/* | $2 | $3 | $(ratio "$2" "$3")x |"
say "| full snapshot time vs the article's five netstat commands | $1 | $4 | $(ratio "$1" "$4")x |"
[ -n "$BASE_REC" ] &&
	say "| full snapshot time, $BENCH_BASE's recorder (same run) vs ss -tuan + cat /proc/net/* | $5 | $3 | $(ratio "$5" "$3")x |"
# CPU (user + system) of each, same run: on a loaded machine the wall time
# follows the CPU share, and threads only help when a CPU is free.
# shellcheck disable=SC2046
set -- $(awk -F: '/"user"/ { gsub(/[ ,]/, "", $2); u = $2 } /"system"/ { gsub(/[ ,]/, "", $2); printf "%.1f ", (u + $2) * 1000 }' "$T/t.json")
say "| CPU of a full snapshot (user + system, ms) vs ss -tuan + cat /proc/net/* | $1 | $3 | $(ratio "$1" "$3")x |"
[ -n "$BASE_REC" ] &&
	say "| CPU, $BENCH_BASE's recorder (same run) | $5 | $3 | $(ratio "$5" "$3")x |"

# peak RSS
rm -rf "$T/rseg"
ip netns exec "$NS" /usr/bin/time -o "$T/rss" -f %M "$RECORDER" -q -o "$T/rseg" -i 1 --count 3 ||
	fail "RSS run"
say "| peak RSS, 3 snapshots (key + 2 deltas), MiB | $(awk '{ printf "%.1f", $1 / 1024 }' "$T/rss") | | |"
rm -rf "$T/rseg"
ip netns exec "$NS" /usr/bin/time -o "$T/rss1" -f %M "$RECORDER" -q -o "$T/rseg" -i 1 --count 3 --format 1 ||
	fail "RSS run, format 1"
say "| peak RSS, 3 snapshots, format 1 (same run), MiB | $(awk '{ printf "%.1f", $1 / 1024 }' "$T/rss1") | | |"
if [ -n "$BASE_REC" ]; then
	rm -rf "$T/rseg"
	ip netns exec "$NS" /usr/bin/time -o "$T/rssb" -f %M "$BASE_REC" -q -o "$T/rseg" -i 1 --count 3 ||
		fail "RSS run, $BENCH_BASE"
	say "| peak RSS, 3 snapshots, $BENCH_BASE's recorder, MiB | $(awk '{ printf "%.1f", $1 / 1024 }' "$T/rssb") | | |"
fi
say "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$ONLY" ]; then
	echo "results in $RES"
	exit 0
fi

# import speed: the same snapshots in both formats (format 1 as recorded,
# format 2 transcoded from it with the recorder's writer), side by side in
# one hyperfine run. Two recordings would not do: on a loaded machine a
# snapshot can come late enough to end its chain (every span written anew)
# in one and not in the other. Without bursts, and 2 s apart, so that a
# slow snapshot does not end the chain either (import's common case).
# The goal's figure is a segment of one keyframe period (60 snapshots, the
# recorder's --keyframe-every: a keyframe and 59 deltas, what every part of
# a longer segment is); its first 10 snapshots (a keyframe and 9 deltas)
# are timed too, for information: there the keyframe and the work every
# import does once (the database, the last spans' rows) are most of it.
rm -rf "$T/seg.imp"
ip netns exec "$NS" "$RECORDER" -q -o "$T/seg.imp" -i 2 --burst-syn-recv 0 --burst-rate 0 --count 60 \
	--format 1 --segment-bytes 2G 2> "$T/imp.log" || fail "recorder for import: $(tail -3 "$T/imp.log")"
seg1=$(ls "$T"/seg.imp/*.zst)
[ "$(echo "$seg1" | wc -l)" = 1 ] || fail "recorder for import: more than one segment"
zstd -dc "$seg1" | awk '/^SOCKSCOPE 1$/ { n++ } n <= 10' | zstd -q -1 > "$T/seg10.v1.zst" ||
	fail "cutting the first 10 snapshots"
for n in 60 10; do
	case $n in 60) in1=$seg1 ;; *) in1=$T/seg10.v1.zst ;; esac
	"$BUILD/tests/tools/transcode" "$in1" "$T/same$n.v2.zst" 60 > "$T/tc.log" 2>&1 ||
		fail "transcode: $(tail -3 "$T/tc.log")"
	"$SOCKSCOPE" verify "$T/same$n.v2.zst" | grep -q "good=$n bad=0" || fail "same$n.v2.zst does not verify"
	hyperfine -N --runs "$RUNS" --export-json "$T/imp.json" --prepare "rm -f $T/imp.db" \
		"$SOCKSCOPE import -q -d $T/imp.db $T/same$n.v2.zst" \
		"$SOCKSCOPE import -q -d $T/imp.db $in1" > "$T/imp.out" 2>&1 ||
		fail "import: $(tail -5 "$T/imp.out")"
	# shellcheck disable=SC2046  # two means, split on purpose
	set -- $(awk -F: '/"mean"/ { gsub(/[ ,]/, "", $2); printf "%.0f ", $2 * 1000 }' "$T/imp.json")
	I2=$1 I1=$2
	case $n in
	60) say "| import of one keyframe period, 60 snapshots, one chain (ms), format 2 vs format 1 | $I2 | $I1 | $(ratio "$I1" "$I2")x faster |" ;;
	*) say "| (information) import of its first 10 snapshots (ms), format 2 vs format 1 | $I2 | $I1 | $(ratio "$I1" "$I2")x faster |" ;;
	esac
done
rm -f "$T/seg10.v1.zst" "$T"/same*.v2.zst
netns_cleanup 2> /dev/null

# churning population: SYN_RECV live ~63 s (5 SYN-ACK retries) and are
# replaced at RATE per second
SST_SYNACK_RETRIES=5
netns_new cvictim
netns_new cattacker
netns_link cattacker cvictim 192.0.2.1 192.0.2.2
make_population cvictim cattacker 1000 "$NEST"
CNS=$(ns_name cvictim)
in_ns cattacker "$SYNFLOOD" --dst 192.0.2.2:80 --src 198.18.0.0/15 --offset 100000 \
	--count $((RATE * 200)) --rate "$RATE" --duration 200 > /dev/null 2>&1 &
note "churn: waiting 70 s for arrivals and expiries to balance"
sleep 70
CN=$(in_ns cvictim ss -Htan | wc -l)
CGZ=$(ip netns exec "$CNS" sh -c 'netstat -na | gzip | wc -c')
# shellcheck disable=SC2046
set -- $(bytes "$CNS" churn)
say ""
say "Churning population: ~$CN TCP sockets, $RATE new SYN_RECV per second replacing expiring ones; netstat -na | gzip = $CGZ B"
say ""
say "| measurement | sockscope | peer | ratio |"
say "|---|---|---|---|"
say "| bytes/snapshot, churning deltas at -i 1 (mean of 2..10) | $2 | $CGZ | $(ratio "$2" "$CGZ")x |"
NEWB=$(awk -v b="$2" -v n="$CN" -v p="$PERSIST" -v r="$RATE" 'BEGIN { printf "%.1f", (b - n * p) / r }')
say "| bytes per new socket ((delta - sockets x persisting cost) / new sockets) | $NEWB | | |"
# shellcheck disable=SC2046
set -- $(bytes "$CNS" churn1 --format 1)
say "| bytes/snapshot, churning, format 1 (before) | $2 | $CGZ | $(ratio "$2" "$CGZ")x |"
echo "results in $RES"
