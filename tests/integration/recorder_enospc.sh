# recorder_enospc — a full file system (a small tmpfs) is survived: the
# recorder logs, keeps running, leaves no corrupt segment, and records again
# once space returns.
# Usage: sh tests/integration/recorder_enospc.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
sst_tmpdir; dir=$SST_TMP
mnt=$dir/mnt
mkdir -p "$mnt"
mount -t tmpfs -o size=1m,mode=0755 sst-enospc "$mnt" || skip "cannot mount tmpfs: needs root"
cleanup_mnt() { umount "$mnt" 2>/dev/null; }
trap 'cleanup_mnt; sst_on_exit' EXIT

# fill all but ~20 KiB
dd if=/dev/zero of="$mnt/filler" bs=4k count=1000 2>/dev/null
avail=$(df -k --output=avail "$mnt" | tail -1)
[ "$avail" -le 40 ] || fail "filler left $avail KiB"
"$RECORDER" -o "$mnt/rec" -i 0.1 2> "$dir/err" &
pid=$!
sleep 2
kill -0 $pid 2>/dev/null || fail "recorder died on a full disk: $(cat "$dir/err")"
grep -q 'No space left on device' "$dir/err" || fail "ENOSPC not logged: $(head -5 "$dir/err")"
before=0
for f in "$mnt"/rec/*.zst; do
	[ -f "$f" ] || continue
	"$SOCKSCOPE" verify "$f" > "$dir/v" 2>&1
	grep -q 'bad=0 junk=0' "$dir/v" || fail "corrupt segment on a full disk: $(cat "$dir/v")"
	before=$((before + $(sed -n 's/.*good=\([0-9]*\).*/\1/p' "$dir/v")))
done
# space returns
rm -f "$mnt/filler"
sleep 2
kill -TERM $pid
wait $pid || fail "recorder exit status $? after SIGTERM"
after=0
for f in "$mnt"/rec/*.zst; do
	"$SOCKSCOPE" verify "$f" > "$dir/v" 2>&1
	grep -q 'bad=0 junk=0' "$dir/v" || fail "corrupt segment: $(cat "$dir/v")"
	after=$((after + $(sed -n 's/.*good=\([0-9]*\).*/\1/p' "$dir/v")))
done
[ "$after" -ge $((before + 10)) ] ||
	fail "recording did not resume: $before snapshots while full, $after after"
# said once, not once a tick; and the recovery is said too
[ "$(grep -c 'No space left on device' "$dir/err")" -eq 1 ] ||
	fail "ENOSPC logged $(grep -c 'No space left on device' "$dir/err") times, want once: $(head -5 "$dir/err")"
grep -q 'recording resumed with snapshot' "$dir/err" || fail "recovery not logged: $(cat "$dir/err")"
pass "survived ENOSPC ($before snapshots while full, $after in all, no corrupt segment)"
