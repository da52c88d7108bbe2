# recorder_unprivileged — the recorder run as nobody: it says (once in the
# log, in every snapshot's errors section) that other users' processes
# cannot be identified instead of a silent '-'; and in a directory it
# cannot write, --count/--once exit 1 with "N of M snapshots lost" (or
# cannot lock the directory), never 0 with nothing recorded, while a daemon
# keeps retrying and records once it can.
# Usage: sh tests/integration/recorder_unprivileged.sh BUILD_DIR
# run.sh: alone (a daemon is given fixed sleeps to act: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
[ "$(id -u)" = 0 ] || skip "needs root to run the recorder as nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"
# setpriv execs its command: `as_nobody X &` leaves X's own pid in $!
# (runuser would stay in between, and a signal would not reach X).
command -v setpriv >/dev/null 2>&1 || skip "needs setpriv (util-linux) to drop to nobody"
nobody_gid=$(id -g nobody)
as_nobody() { setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups "$@"; }
sst_tmpdir; dir=$SST_TMP
chmod 755 "$dir"
as_nobody true || skip "cannot switch to nobody here"
# background processes die with the test, whatever its exit path
bg=""
trap 'st=$?; for p in $bg; do kill "$p" 2>/dev/null; done; (exit $st); sst_on_exit' EXIT

# Other users' processes: said, not silently '-'. This script (root) holds
# a socket-free process at least; pid 1 and kernel threads are root's.
mkdir "$dir/rec" && chown nobody "$dir/rec" && chmod 750 "$dir/rec"
as_nobody "$RECORDER" -o "$dir/rec" -i 0.1 --count 3 --netstat none 2> "$dir/err" ||
	fail "unprivileged run exited $?: $(cat "$dir/err")"
[ "$(grep -c 'not all processes could be identified' "$dir/err")" -eq 1 ] ||
	fail "want the log line once: $(cat "$dir/err")"
"$SOCKSCOPE" dump --section errors "$dir"/rec/*.zst > "$dir/rec.errors" 2>&1 ||
	fail "dump of nobody's segment exited $?: $(cat "$dir/rec.errors")"
[ "$(grep -c '^processes	not all processes could be identified: .*CAP_SYS_PTRACE' "$dir/rec.errors")" -eq 3 ] ||
	fail "errors section: $(cat "$dir/rec.errors")"
# as root, no such line
"$RECORDER" -q -o "$dir/root" --once --netstat none 2> "$dir/err" || fail "root run"
# (the dump checked first: an empty output of a failed dump would pass)
"$SOCKSCOPE" dump --section errors "$dir"/root/*.zst > "$dir/root.errors" 2>&1 ||
	fail "dump of root's segment exited $?: $(cat "$dir/root.errors")"
grep -q 'not all processes' "$dir/root.errors" && fail "root was told it cannot see every process"

# A directory nobody cannot write: nothing can even be locked.
mkdir "$dir/ro" && chmod 755 "$dir/ro"
as_nobody "$RECORDER" -o "$dir/ro" -i 0.05 --count 3 --netstat none 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "unwritable directory: exit $rc, want 1: $(cat "$dir/err")"
grep -q "cannot lock '$dir/ro'/.sockscope-.*: Permission denied" "$dir/err" ||
	fail "unwritable directory: $(cat "$dir/err")"
# Its lock file readable (say, left by root): the lock is taken, every
# snapshot is lost, and the exit status and the last line say so.
: > "$dir/ro/.sockscope-x.lock" && chmod 644 "$dir/ro/.sockscope-x.lock"
as_nobody "$RECORDER" -o "$dir/ro" -i 0.05 --count 3 --host x --netstat none 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "--count 3 unwritable: exit $rc, want 1: $(cat "$dir/err")"
grep -q '^sockscope-recorder: 3 of 3 snapshots lost (last error: Permission denied)$' "$dir/err" ||
	fail "--count 3 unwritable: $(cat "$dir/err")"
[ "$(grep -c 'cannot create a segment' "$dir/err")" -eq 1 ] || fail "failure not said once: $(cat "$dir/err")"
as_nobody "$RECORDER" -q -o "$dir/ro" --once --host x --netstat none 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "--once unwritable: exit $rc, want 1"
grep -q '1 of 1 snapshots lost' "$dir/err" || fail "--once unwritable: $(cat "$dir/err")"
[ -z "$(ls "$dir/ro" | grep zst)" ] || fail "something was written: $(ls -a "$dir/ro")"
# The daemon (no --count) keeps running and retrying instead: it records
# as soon as the directory can be locked and written...
mkdir "$dir/later" && chmod 755 "$dir/later"
setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups \
	"$RECORDER" -o "$dir/later" -i 0.1 --host x --netstat none --no-processes 2> "$dir/err" &
pid=$!
bg="$bg $pid"
sleep 1
kill -0 $pid 2>/dev/null || fail "daemon gave up on an unwritable directory: $(cat "$dir/err")"
grep -q "cannot lock .*Permission denied" "$dir/err" || fail "daemon: $(cat "$dir/err")"
grep -q "nothing is recorded until the lock can be taken" "$dir/err" || fail "daemon: $(cat "$dir/err")"
chown nobody "$dir/later"
wait_for sh -c 'ls "$1"/sockscope-x-*.zst' sh "$dir/later" --timeout 5 >/dev/null 2>&1 ||
	fail "daemon did not start recording once it could: $(cat "$dir/err")"
grep -qx "$pid" "$dir/later/.sockscope-x.lock" || fail "lock file does not hold the daemon's pid"
kill -TERM $pid
wait $pid || fail "daemon exit status $? after SIGTERM"
grep -q "directory lock taken: recording starts with snapshot [0-9]" "$dir/err" || fail "$(cat "$dir/err")"
grep -q "^sockscope-recorder: [0-9]* of [0-9]* snapshots lost (last error: Permission denied)" "$dir/err" ||
	fail "daemon did not count what it lost: $(cat "$dir/err")"
"$SOCKSCOPE" verify "$dir"/later/sockscope-x-*.zst | grep -q 'bad=0 junk=0 frame=complete' ||
	fail "daemon's segment after waiting"
# ... unless another recorder takes the lock meanwhile: then it stops (3).
mkdir "$dir/race" && chmod 755 "$dir/race"
setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups \
	"$RECORDER" -q -o "$dir/race" -i 0.1 --host x --netstat none --no-processes 2> "$dir/err" &
pid=$!
bg="$bg $pid"
sleep 0.5
# locked before it appears (rename keeps the lock): the daemon cannot win
: > "$dir/lock" && chmod 644 "$dir/lock"
flock "$dir/lock" sh -c 'echo $$ > "$1"; mv "$1" "$2"; exec sleep 3' sh "$dir/lock" \
	"$dir/race/.sockscope-x.lock" &
holder=$!
bg="$bg $holder"
wait_for sh -c '! kill -0 "$1" 2>/dev/null' sh $pid --timeout 5 || fail "daemon did not stop"
wait $pid
rc=$?
wait $holder
[ $rc -eq 3 ] || fail "daemon beside a recorder that took the lock: exit $rc, want 3: $(cat "$dir/err")"
grep -q "another sockscope-recorder (pid [0-9]*) is recording host 'x'" "$dir/err" || fail "$(cat "$dir/err")"
pass "unprivileged: 'not all processes could be identified' logged once and in every errors" \
	"section; unwritable directory: exit 1, '3 of 3 snapshots lost'; the daemon waits for it"
