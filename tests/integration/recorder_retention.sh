# recorder_retention — size-based rotation, --max-bytes and --max-age delete
# the oldest closed segments and only those; SIGHUP starts a new segment.
# Usage: sh tests/integration/recorder_retention.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)
# run.sh: alone (segment names follow the clock, one per second: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP

# Rotation by size: tiny segments, every snapshot starts a new one.
"$RECORDER" -q -o "$dir/size" -i 0.05 --count 30 --segment-bytes 1 --netstat none \
	--no-processes --max-bytes 20k 2> "$dir/err" || fail "run: $(cat "$dir/err")"
n=$(ls "$dir"/size/*.zst | wc -l)
total=$(du -cb "$dir"/size/*.zst | tail -1 | cut -f1)
one=$(ls -S "$dir"/size/*.zst | head -1 | xargs stat -c %s)
[ "$total" -le $((20 * 1024)) ] || fail "total $total bytes > --max-bytes 20k"
[ "$total" -ge $((20 * 1024 - 2 * one)) ] || fail "deleted too much: $total bytes left"
# the survivors are the newest: their seqs are the last ones, contiguous
seqs=$(for f in "$dir"/size/*.zst; do "$SOCKSCOPE" dump --list "$f" | cut -f1; done | sort -n)
first=$(echo "$seqs" | head -1)
last=$(echo "$seqs" | tail -1)
[ "$last" -eq 30 ] || fail "newest snapshot seq $last, want 30"
[ $((last - first + 1)) -eq "$(echo "$seqs" | wc -l)" ] || fail "survivors not contiguous: $seqs"
[ "$first" -gt 1 ] || fail "nothing was deleted ($n files, $total bytes)"

# Rotation by age (hourly by default): 0.5 s segments at 0.2 s snapshots
"$RECORDER" -q -o "$dir/age-rot" -i 0.2 --count 8 --segment-age 0.5 --netstat none --no-processes ||
	fail "--segment-age run"
n=$(ls "$dir"/age-rot/*.zst | wc -l)
[ "$n" -ge 3 ] && [ "$n" -le 4 ] || fail "--segment-age 0.5 over 1.4 s made $n segments, want 3..4"
nsnap=0
for f in "$dir"/age-rot/*.zst; do
	"$SOCKSCOPE" verify "$f" | grep -q 'bad=0 junk=0 frame=complete' || fail "$f not clean"
	nsnap=$((nsnap + $("$SOCKSCOPE" dump --list "$f" | wc -l)))
done
[ "$nsnap" -eq 8 ] || fail "--segment-age lost snapshots: $nsnap of 8"

# --max-age: this host's old closed segments go, the current one stays
mkdir -p "$dir/age"
chmod 750 "$dir/age"
for h in 1 2 3; do
	"$RECORDER" -q -o "$dir/age" --once --host old --netstat none --no-processes || fail "old run"
	sleep 1.1   # one name per second
done
for f in "$dir"/age/sockscope-old-*.zst; do touch -d "2020-01-01" "$f"; done
: > "$dir/age/unrelated.zst"
touch -d "2020-01-01" "$dir/age/unrelated.zst"
"$RECORDER" -q -o "$dir/age" --once --host old --netstat none --no-processes --max-age 1d ||
	fail "--max-age run"
[ -e "$dir/age/unrelated.zst" ] || fail "deleted a file that is not a segment"
[ "$(ls "$dir"/age/sockscope-*.zst | wc -l)" -eq 1 ] || fail "want only the new segment: $(ls "$dir/age")"

# SIGHUP: a new segment, nothing lost
"$RECORDER" -q -o "$dir/hup" -i 0.1 --netstat none --no-processes &
pid=$!
sleep 1.1
kill -HUP $pid
sleep 1.1
kill -TERM $pid
wait $pid || fail "exit status after SIGTERM"
[ "$(ls "$dir"/hup/*.zst | wc -l)" -eq 2 ] || fail "SIGHUP did not start a new segment: $(ls "$dir/hup")"
for f in "$dir"/hup/*.zst; do
	"$SOCKSCOPE" verify "$f" | grep -q 'bad=0 junk=0 frame=complete' || fail "$f not clean"
done
seqs=$(for f in "$dir"/hup/*.zst; do "$SOCKSCOPE" dump --list "$f" | cut -f1; done | sort -n)
[ "$(echo "$seqs" | tail -1)" -eq "$(echo "$seqs" | wc -l)" ] || fail "snapshots lost around SIGHUP"
pass "--segment-bytes/--max-bytes keep the newest $total bytes, --segment-age, --max-age, SIGHUP"
