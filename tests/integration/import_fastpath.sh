#!/bin/sh
# import_fastpath: segment import's fast path (rows that repeat the previous
# snapshot's are not parsed again, analyzer/ingest/rowreuse.c) stores exactly
# what parsing every row stores (SOCKSCOPE_TEST_PARSE_EVERY_ROW): every table
# and the sockets view, on samples/incident, on a generated day
# (tests/tools/daygen) and on damaged copies of it (torn in the middle and at
# the end, a flipped byte). daygen is deterministic and its segments verify.
# No root needed.
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)
SST_TEST=import_fastpath
. "$(dirname "$0")/lib.sh"

BUILD=${1:?usage: import_fastpath.sh BUILD_DIR}
SS=$BUILD/sockscope
GEN=$BUILD/tests/tools/daygen
for b in "$SS" "$GEN"; do
	[ -x "$b" ] || fail "missing $b (run make)"
done
command -v python3 >/dev/null 2>&1 || skip "needs python3 (to damage a segment)"
sst_tmpdir >/dev/null || fail "mktemp"
T=$SST_TMP

# --- daygen: deterministic, verifies, keyframes and deltas ----------------------
gen() { "$GEN" --hours 0.05 --sockets 500 --flood 3000 "$@" > /dev/null || fail "daygen $*"; }
gen --out "$T/a" --seed 7
gen --out "$T/b" --seed 7
gen --out "$T/c" --seed 8
fa=$(ls "$T"/a/*.zst) fb=$(ls "$T"/b/*.zst) fc=$(ls "$T"/c/*.zst)
cmp -s "$fa" "$fb" || fail "daygen --seed 7 twice wrote different bytes"
cmp -s "$fa" "$fc" && fail "daygen --seed 7 and --seed 8 wrote the same bytes"
v=$("$SS" verify "$fa") || fail "daygen's segment does not verify: $v"
case $v in *"good=180 bad=0"*"format 2: 3 keyframes, 177 deltas"*) ;;
	*) fail "daygen's segment: expected 180 good snapshots, 3 keyframes: $v" ;; esac

# --- the same database either way ----------------------------------------------
# every table and the view, in a fixed order; sources without their time
dumpdb() {
	for q in "SELECT id, path, sha256, format, bytes, snapshots, sockets, bad_lines, first_error FROM sources" \
		"SELECT * FROM snapshots ORDER BY id" \
		"SELECT * FROM spans_packed ORDER BY chain, k_first, ord, rowid" \
		"SELECT * FROM spans ORDER BY chain, k_first, ord, lport, rport, raddr, rhost, k_last" \
		"SELECT * FROM snapshot_states ORDER BY 1, 2, 3" \
		"SELECT * FROM counters ORDER BY 1, 2" \
		"SELECT * FROM processes ORDER BY 1, 2" \
		"SELECT * FROM sockets"; do
		echo "== $q"
		"$SS" query --raw -d "$1" "$q" || echo "query failed"
	done
}

# same NAME PATH...: imports PATHs fast and slow; fails unless both exit alike
# and store the same; NAME's rows in ROWS_NAME
same() {
	name=$1
	shift
	"$SS" import -q --no-progress -d "$T/$name.fast.db" "$@" > /dev/null 2> "$T/$name.fast.err"
	rf=$?
	SOCKSCOPE_TEST_PARSE_EVERY_ROW=1 "$SS" import -q --no-progress -d "$T/$name.slow.db" "$@" \
		> /dev/null 2> "$T/$name.slow.err"
	rs=$?
	[ "$rf" = "$rs" ] || fail "$name: exit $rf on the fast path, $rs on the slow one"
	[ "$rf" -le 1 ] || fail "$name: import failed ($rf): $(cat "$T/$name.fast.err")"
	# the summary line without its time, rate and database
	for side in fast slow; do
		sed 's/ in [0-9.]* s (.*$//' "$T/$name.$side.err" > "$T/$name.$side.msg"
	done
	cmp -s "$T/$name.fast.msg" "$T/$name.slow.msg" ||
		fail "$name: the two imports reported differently: $(diff "$T/$name.fast.msg" "$T/$name.slow.msg" | head -4)"
	dumpdb "$T/$name.fast.db" > "$T/$name.fast.txt"
	dumpdb "$T/$name.slow.db" > "$T/$name.slow.txt"
	grep -q "query failed" "$T/$name.fast.txt" && fail "$name: a query failed"
	cmp -s "$T/$name.fast.txt" "$T/$name.slow.txt" ||
		fail "$name: the databases differ: $(diff "$T/$name.fast.txt" "$T/$name.slow.txt" | head -5)"
	eval "ROWS_$name=\$(\"\$SS\" query -d \"\$T/\$name.fast.db\" 'SELECT count(*) FROM sockets')"
	note "$name: exit $rf, the same $(wc -l < "$T/$name.fast.txt") lines either way"
}

same incident samples/incident
same day "$fa"
[ "$ROWS_day" -gt 100000 ] || fail "day: only $ROWS_day rows"

# damaged: torn in the middle of the stream (decompressed) and at its end,
# and one byte flipped; the reader skips to the next keyframe either way
zstd -dc "$fa" > "$T/day.raw" 2>/dev/null || fail "zstd -d"
python3 - "$T/day.raw" "$T/dmg" <<'PY' || fail "damaging the segment"
import sys
raw = open(sys.argv[1], 'rb').read()
starts = [i for i in range(len(raw)) if raw.startswith(b'SOCKSCOPE 2\n', i)]
mid = starts[len(starts) // 2]
# torn inside snapshot 90, the rest after it as it was
open(sys.argv[2] + '-torn.txt', 'wb').write(raw[:mid + 5000] + raw[starts[len(starts) // 2 + 1]:])
# a flipped byte inside snapshot 40
b = bytearray(raw)
b[starts[40] + 3000] ^= 0x20
open(sys.argv[2] + '-flip.txt', 'wb').write(bytes(b))
# torn at the end
open(sys.argv[2] + '-tail.txt', 'wb').write(raw[:starts[-1] + 777])
PY
for d in torn flip tail; do
	zstd -q -1 "$T/dmg-$d.txt" -o "$T/dmg-$d.zst" || fail "zstd"
done
same torn "$T/dmg-torn.zst"
same flip "$T/dmg-flip.zst"
same tail "$T/dmg-tail.zst"
[ "$ROWS_torn" -lt "$ROWS_day" ] || fail "torn: the damage lost nothing ($ROWS_torn rows)"
[ "$ROWS_flip" -lt "$ROWS_day" ] || fail "flip: the damage lost nothing ($ROWS_flip rows)"

pass "fast and slow imports store the same on samples/incident, a generated day ($ROWS_day rows) and 3 damaged copies; daygen is deterministic and verifies"
