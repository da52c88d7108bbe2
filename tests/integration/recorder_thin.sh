#!/bin/sh
# recorder_thin — --thin-after rewrites closed format 2 segments to their
# keyframes: the thinned segments verify, hold exactly the keyframes of the
# originals (the same decoded bytes: sockscope dump --seq) and import to the
# same snapshots; a file a crash left half-written is removed; kill -9 at
# any moment of thinning loses nothing (every segment is the original or a
# verified thinned copy of it); --max-bytes thins before it deletes.
# Usage: sh tests/integration/recorder_thin.sh BUILD_DIR
# run.sh: once (8 kill -9 rounds of the same C paths: once, under ASan/UBSan)
# run.sh: alone (kill -9 at timed moments: run with nothing beside it)
. "$(dirname "$0")/lib.sh"
tools_dir "$1"
command -v zstdcat > /dev/null 2>&1 || skip "needs zstdcat (keyframe seqs from the headers)"
sst_tmpdir
T=$SST_TMP

# keys SEG: the seqs of the keyframes in SEG (headers are plain text)
keys() { zstdcat "$1" 2> /dev/null | awk '/^seq: / { s = $2 } /^frame: key$/ { print s }' | tr '\n' ' '; }

# the originals: 4 segments of ~12 snapshots, a keyframe every 4
"$RECORDER" -q -o "$T/orig" --host thin -i 0.1 --count 48 --segment-age 1.2 --keyframe-every 4 ||
	fail "recording"
n=$(ls "$T"/orig/*.zst | wc -l)
[ "$n" -ge 3 ] || fail "want several segments, got $n"
# every segment starts with a keyframe (it reads on its own)
for o in "$T"/orig/*.zst; do
	[ "$("$SOCKSCOPE" dump --list "$o" | head -1 | cut -f1)" = "$(keys "$o" | cut -d' ' -f1)" ] ||
		fail "$(basename "$o") does not start with a keyframe"
done
# the segments thinning rewrites: those with deltas (a slow machine may skip
# ticks, leaving a short segment of keyframes only, which stays as it is)
nd=0
for o in "$T"/orig/*.zst; do
	"$SOCKSCOPE" verify "$o" > "$T/v" 2>&1 || fail "$(basename "$o") does not verify: $(cat "$T/v")"
	grep -q 'format 2: [0-9]* keyframes, 0 deltas' "$T/v" || nd=$((nd + 1))
done
[ "$nd" -ge 3 ] || fail "want several segments with deltas, got $nd of $n"
sleep 1.2

# check_dir DIR: every segment of DIR is its original or its thinned copy;
# prints how many are thinned
check_dir() {
	thinned=0
	for o in "$T"/orig/*.zst; do
		f=$1/$(basename "$o")
		[ -f "$f" ] || fail "$(basename "$o") is gone"
		cmp -s "$o" "$f" && continue
		"$SOCKSCOPE" verify "$f" > "$T/v" 2>&1 || fail "thinned $(basename "$f") does not verify: $(cat "$T/v")"
		grep -q 'format 2: [0-9]* keyframes, 0 deltas' "$T/v" || fail "thinned file has deltas: $(cat "$T/v")"
		got=$("$SOCKSCOPE" dump --list "$f" | cut -f1 | tr '\n' ' ')
		[ "$got" = "$(keys "$o")" ] || fail "$(basename "$f"): snapshots $got, keyframes were $(keys "$o")"
		for s in $got; do
			"$SOCKSCOPE" dump --raw --seq "$s" "$o" > "$T/x1"
			"$SOCKSCOPE" dump --raw --seq "$s" "$f" > "$T/x2"
			cmp -s "$T/x1" "$T/x2" || fail "$(basename "$f") seq $s differs from the original's keyframe"
		done
		thinned=$((thinned + 1))
	done
	echo "$thinned"
}
# counted DIR: check_dir's count; its failure message reaches the log
counted() { (check_dir "$1") > "$T/cnt" || { cat "$T/cnt" >&2; return 1; }; cat "$T/cnt"; }

# a crash left a half-written thinned file: it is removed, the original kept
cp -a "$T/orig" "$T/a"
first=$(ls "$T"/a/*.zst | head -1)
head -c 100 "$first" > "$T/a/.thin-$(basename "$first").tmp"
"$RECORDER" -q -o "$T/a" --host thin --once --thin-after 1 || fail "thinning run"
ls -a "$T/a" | grep -q '^\.thin-' && fail "a stale thinned file was left: $(ls -a "$T/a")"
t=$(counted "$T/a") || exit 1
[ "$t" -eq "$nd" ] || fail "only $t of the $nd old segments with deltas thinned"
before=$(cat "$T"/orig/*.zst | wc -c)
after=$(for o in "$T"/orig/*.zst; do cat "$T/a/$(basename "$o")"; done | wc -c)
note "thinned $n segments: $before -> $after bytes"

# import: the thinned segments give the keyframe snapshots, row for row
if command -v sqlite3 > /dev/null 2>&1; then
	"$SOCKSCOPE" import -q -d "$T/o.db" "$T"/orig/*.zst > /dev/null 2>&1 || fail "import originals"
	set --
	for o in "$T"/orig/*.zst; do set -- "$@" "$T/a/$(basename "$o")"; done
	"$SOCKSCOPE" import -q -d "$T/t.db" "$@" > /dev/null 2>&1 || fail "import thinned"
	# every column in the order: sockets is a view over spans (schema 4),
	# whose rowid says nothing of a row's place in its snapshot (it
	# changed with the sockets that came and went between keyframes)
	q="select s.seq, k.proto, k.state, k.laddr, k.lport, k.raddr, k.rport, k.inode from sockets k
	   join snapshots s on s.id = k.snapshot_id where s.seq in (%s) order by 1, 2, 3, 4, 5, 6, 7, 8"
	all=$(for o in "$T"/orig/*.zst; do keys "$o"; done | tr -s ' ' ',' | sed 's/,$//')
	# shellcheck disable=SC2059
	sqlite3 "$T/o.db" "$(printf "$q" "$all")" > "$T/o.rows"
	# shellcheck disable=SC2059
	sqlite3 "$T/t.db" "$(printf "$q" "$all")" > "$T/t.rows"
	[ -s "$T/o.rows" ] || fail "no rows imported"
	cmp -s "$T/o.rows" "$T/t.rows" || fail "the thinned segments import differently"
	[ "$(sqlite3 "$T/t.db" 'select count(*) from snapshots')" -eq "$(echo "$all" | tr ',' '\n' | wc -l)" ] ||
		fail "the thinned segments import more or fewer snapshots than keyframes"
fi

# kill -9 at different moments of a thinning run: nothing is ever lost
i=0
while [ $i -lt 8 ]; do
	i=$((i + 1))
	rm -rf "$T/k"
	cp -a "$T/orig" "$T/k"
	"$RECORDER" -q -o "$T/k" --host thin --once --thin-after 1 &
	pid=$!
	sleep "0.0$((i * 7 % 10))"
	kill -9 $pid 2> /dev/null
	wait $pid 2> /dev/null
	t=$(counted "$T/k") || exit 1
	note "kill -9 #$i: $t of $n thinned, the others intact"
	# the next run finishes the work and leaves no temporary file
	"$RECORDER" -q -o "$T/k" --host thin --once --thin-after 1 || fail "run after kill -9"
	ls -a "$T/k" | grep -q '^\.thin-' && fail "kill -9 #$i: a thinned temporary file stayed"
	t=$(counted "$T/k") || exit 1
	[ "$t" -eq "$nd" ] || fail "after kill -9 #$i: $t of $nd thinned"
done

# --max-bytes: a limit the segments and the new one fit only once thinned:
# thinned first, so nothing is deleted. The new segment's size follows the
# machine (its processes and sockets): measured just before, and the limit
# set half the saving above what fits.
"$RECORDER" -q -o "$T/probe" --host thin --once || fail "probe run"
new=$(cat "$T"/probe/*.zst | wc -c)
cp -a "$T/orig" "$T/m"
lim=$((after + new + (before - after) / 2))
"$RECORDER" -q -o "$T/m" --host thin --once --max-bytes "$lim" || fail "--max-bytes run"
t=$(counted "$T/m") || exit 1
[ "$t" -ge 1 ] || fail "--max-bytes deleted or kept instead of thinning"
pass "$n segments thinned to their keyframes ($before -> $after bytes), import identical, kill -9 x8 lost nothing, --max-bytes thins first"
