# recorder_enospc — a full file system (a small tmpfs) is survived: the
# recorder logs, keeps running, leaves no corrupt segment, and records again
# once space returns; --count/--once exit 1 with "N of M snapshots lost",
# and "nothing written" is repeated every 60 lost snapshots.
# Usage: sh tests/integration/recorder_enospc.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
sst_tmpdir; dir=$SST_TMP
mnt=$dir/mnt
mkdir -p "$mnt"
mount -t tmpfs -o size=1m,mode=0755 sst-enospc "$mnt" || skip "cannot mount tmpfs: needs root"
# a failed check must not leave the background recorder running (it holds
# the tmpfs busy, which then stays mounted)
pid=
cleanup_mnt() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	umount "$mnt" 2>/dev/null
}
# keep the test's status: sst_on_exit exits with the $? it is called with
trap 'st=$?; cleanup_mnt; (exit $st); sst_on_exit' EXIT

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
	# a segment that never held a whole snapshot is removed by the recorder
	# when it gives up on it (segment_abandon): gone between glob and verify
	# (and at -i 0.1 its name, to the second, may be taken again at once)
	[ -e "$f" ] || continue
	grep -q 'No such file or directory' "$dir/v" && continue
	grep -q 'bad=0 junk=0' "$dir/v" || fail "corrupt segment on a full disk: $(cat "$dir/v")"
	before=$((before + $(sed -n 's/.*good=\([0-9]*\).*/\1/p' "$dir/v")))
done
# space returns: wait (at most 20 s) for 10 more snapshots; 2 s are enough
# on an idle machine, not on a loaded one
rm -f "$mnt/filler"
i=0
while [ $i -lt 40 ]; do
	sleep 0.5
	i=$((i + 1))
	[ $i -ge 4 ] || continue
	now=0
	for f in "$mnt"/rec/*.zst; do
		[ -f "$f" ] || continue
		g=$("$SOCKSCOPE" verify "$f" 2> /dev/null | sed -n 's/.*good=\([0-9]*\).*/\1/p')
		now=$((now + ${g:-0}))
	done
	[ "$now" -lt $((before + 10)) ] || break
done
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
# said once, not once a tick; and the recovery is said too, and the count
# at the end
[ "$(grep -v 'snapshots lost' "$dir/err" | grep -c 'No space left on device')" -eq 1 ] ||
	fail "ENOSPC logged $(grep -c 'No space left on device' "$dir/err") times, want once: $(head -5 "$dir/err")"
grep -q 'recording resumed with snapshot' "$dir/err" || fail "recovery not logged: $(cat "$dir/err")"
grep -q '^sockscope-recorder: [1-9][0-9]* of [0-9]* snapshots lost (last error: No space left on device)$' \
	"$dir/err" || fail "no count of lost snapshots at exit: $(tail -2 "$dir/err")"

# Nothing written at all: --count and --once must not report success (a
# cron job would believe it has evidence), and say how many were lost; the
# log repeats every 60 lost snapshots in a row that nothing is written.
rm -rf "$mnt/rec"
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null   # until the disk is full
"$RECORDER" -o "$mnt/full" -i 0.02 --count 125 --netstat none 2> "$dir/err2"
rc=$?
[ $rc -eq 1 ] || fail "--count 125 on a full disk exited $rc, want 1: $(tail -3 "$dir/err2")"
grep -q '^sockscope-recorder: 125 of 125 snapshots lost' "$dir/err2" ||
	fail "no '125 of 125 snapshots lost': $(tail -3 "$dir/err2")"
[ "$(grep -c 'nothing written for [0-9]* snapshots (since .*Z): No space left on device; still retrying' "$dir/err2")" -eq 2 ] ||
	fail "want 2 'nothing written' lines (at 60 and 120): $(grep 'nothing written' "$dir/err2")"
grep -q 'nothing written for 120 snapshots' "$dir/err2" || fail "second reminder not at 120"
"$RECORDER" -q -o "$mnt/full" --once 2> "$dir/err3"
rc=$?
[ $rc -eq 1 ] || fail "--once on a full disk exited $rc, want 1"
grep -q '1 of 1 snapshots lost' "$dir/err3" || fail "--once: $(cat "$dir/err3")"
rm -f "$mnt/filler"
"$RECORDER" -q -o "$mnt/full" --once || fail "--once with space exited $?"
pass "survived ENOSPC ($before snapshots while full, $after in all, no corrupt segment);" \
	"--count/--once on a full disk exit 1 with the count"
