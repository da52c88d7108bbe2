# recorder_locks — retention never deletes what is not its own (issue 13):
# a second recorder for the same host and directory (daemon or --once from
# cron) is refused with exit 3 naming the holder and deletes nothing; a
# recorder for another host beside it works and never touches the daemon's
# files; junk, links and directories named like segments, another host's
# segment renamed like ours and a segment some process holds are left
# alone; a lock dies with its holder (kill -9). No root needed.
# Usage: sh tests/integration/recorder_locks.sh BUILD_DIR
# run.sh: alone (segment names follow the clock, one per second: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
d=$dir/d
quick="--netstat none --no-processes"
# background processes die with the test, whatever its exit path
bg=""
trap 'st=$?; for p in $bg; do kill "$p" 2>/dev/null; done; (exit $st); sst_on_exit' EXIT

# The issue's reproduction: a daemon records; a cron --once for the same
# host with a tiny --max-bytes used to delete the daemon's open segment.
"$RECORDER" -q -o "$d" -i 0.2 --count 20 --host web $quick &
pid=$!
bg="$bg $pid"
wait_for test -s "$d/.sockscope-web.lock" --timeout 5 || fail "daemon made no lock file"
sleep 1.2
open_seg=$(ls "$d"/sockscope-web-*.zst) || fail "daemon has no segment"
"$RECORDER" -o "$d" --once --max-bytes 1K -v --host web $quick > "$dir/out" 2> "$dir/err"
rc=$?
[ $rc -eq 3 ] || fail "--once beside a daemon of the same host exited $rc, want 3: $(cat "$dir/err")"
grep -q "another sockscope-recorder (pid $pid) is recording host 'web' into '$d'" "$dir/err" ||
	fail "refusal does not name the holder: $(cat "$dir/err")"
grep -q 'retention\|recording to' "$dir/err" && fail "refused run still acted: $(cat "$dir/err")"
[ -e "$open_seg" ] || fail "the daemon's open segment was deleted"
# a second daemon likewise
"$RECORDER" -q -o "$d" -i 1 --host web $quick 2> "$dir/err"
rc=$?
[ $rc -eq 3 ] || fail "second daemon exited $rc, want 3: $(cat "$dir/err")"

# Another host in the same directory works beside it, and its retention
# (even at --max-bytes 1) touches only its own segments.
for i in 1 2 3; do
	"$RECORDER" -q -o "$d" --once --host db --max-bytes 1 $quick 2> "$dir/err" ||
		fail "--once --host db beside the daemon: $(cat "$dir/err")"
	sleep 1.05   # a new name each second
done
[ "$(ls "$d"/sockscope-db-*.zst | wc -l)" -eq 1 ] || fail "db's own retention: $(ls "$d")"
[ -e "$open_seg" ] || fail "another host's retention deleted the daemon's segment"
wait $pid || fail "daemon exited $?"
"$SOCKSCOPE" verify "$open_seg" | grep -q 'good=20 bad=0 junk=0 frame=complete' ||
	fail "daemon's segment: $("$SOCKSCOPE" verify "$open_seg" 2>&1)"

# Things named like web's segments that are not web's closed segments.
printf 'not a segment\n' > "$d/sockscope-web-20000101T000000Z.zst"
: > "$d/sockscope-web-20000101T000001Z.zst"
printf 'keep me\n' > "$dir/outside"
ln -s "$dir/outside" "$d/sockscope-web-20000101T000002Z.zst"
mkdir "$d/sockscope-web-20000101T000003Z.zst"
cp "$d"/sockscope-db-*.zst "$d/sockscope-web-20000101T000004Z.zst"   # db's, renamed
cp "$open_seg" "$d/sockscope-web-20000101T000005Z.zst"               # web's, held open
cp "$open_seg" "$d/sockscope-web-20000101T000006Z.zst"               # web's, old
touch -d 2000-01-01 "$d"/sockscope-web-2000*.zst "$dir/outside"
# a process holds one (as a recorder holds the segment it writes)
flock -s "$d/sockscope-web-20000101T000005Z.zst" sh -c ': > "$1"; exec sleep 30' sh "$dir/held" &
holder=$!
bg="$bg $holder"
wait_for test -e "$dir/held" --timeout 5 || fail "flock(1) did not take the lock"
"$RECORDER" -o "$d" --once --host web --max-age 1d $quick 2> "$dir/err" ||
	fail "--once --max-age: $(cat "$dir/err")"
kill $holder 2>/dev/null
wait $holder 2>/dev/null
[ ! -e "$d/sockscope-web-20000101T000006Z.zst" ] || fail "web's old closed segment not deleted"
for n in 0 1 4 5; do
	[ -f "$d/sockscope-web-20000101T00000${n}Z.zst" ] || fail "deleted sockscope-web-20000101T00000${n}Z.zst"
	grep -q "left sockscope-web-20000101T00000${n}Z.zst alone" "$dir/err" ||
		fail "not said why sockscope-web-20000101T00000${n}Z.zst was kept: $(cat "$dir/err")"
done
grep -q "T000004Z.zst alone.*another host's" "$dir/err" || fail "renamed db segment: $(cat "$dir/err")"
grep -q "T000005Z.zst alone.*a process holds it" "$dir/err" || fail "held segment: $(cat "$dir/err")"
[ -L "$d/sockscope-web-20000101T000002Z.zst" ] || fail "deleted a symlink"
[ -d "$d/sockscope-web-20000101T000003Z.zst" ] || fail "deleted a directory"
[ "$(cat "$dir/outside")" = "keep me" ] || fail "the link's target changed"
[ -e "$open_seg" ] || fail "a young segment went under --max-age"
[ "$(ls "$d"/sockscope-db-*.zst | wc -l)" -eq 1 ] || fail "web's retention touched db's segments"

# The lock dies with its holder: after kill -9 the next run is not refused.
"$RECORDER" -q -o "$d" -i 0.1 --host web $quick &
pid=$!
bg="$bg $pid"
wait_for sh -c "grep -qx $pid '$d/.sockscope-web.lock'" --timeout 5 || fail "daemon's pid not in the lock file"
kill -KILL $pid
wait $pid 2>/dev/null
"$RECORDER" -q -o "$d" --once --host web $quick 2> "$dir/err" || fail "after kill -9: $(cat "$dir/err")"
pass "second recorder refused (exit 3, pid named), other host works beside it, junk/links/dirs/" \
	"renamed/held segments kept, lock freed by kill -9"
