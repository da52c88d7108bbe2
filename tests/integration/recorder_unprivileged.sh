# recorder_unprivileged — the recorder run as nobody: it says (once in the
# log, in every snapshot's errors section) that other users' processes
# cannot be identified instead of a silent '-'; and in a directory it
# cannot write, --count/--once exit 1 with "N of M snapshots lost" (or
# cannot lock the directory), never 0 with nothing recorded.
# Usage: sh tests/integration/recorder_unprivileged.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
[ "$(id -u)" = 0 ] || skip "needs root to run the recorder as nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"
if command -v setpriv >/dev/null 2>&1; then
	as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
elif command -v runuser >/dev/null 2>&1; then
	as_nobody() { runuser -u nobody -- "$@"; }
else
	skip "needs setpriv or runuser to drop to nobody"
fi
sst_tmpdir; dir=$SST_TMP
chmod 755 "$dir"
as_nobody true || skip "cannot switch to nobody here"

# Other users' processes: said, not silently '-'. This script (root) holds
# a socket-free process at least; pid 1 and kernel threads are root's.
mkdir "$dir/rec" && chown nobody "$dir/rec" && chmod 750 "$dir/rec"
as_nobody "$RECORDER" -o "$dir/rec" -i 0.1 --count 3 --netstat none 2> "$dir/err" ||
	fail "unprivileged run exited $?: $(cat "$dir/err")"
[ "$(grep -c 'not all processes could be identified' "$dir/err")" -eq 1 ] ||
	fail "want the log line once: $(cat "$dir/err")"
[ "$("$SOCKSCOPE" dump --section errors "$dir"/rec/*.zst |
	grep -c '^processes	not all processes could be identified: .*CAP_SYS_PTRACE')" -eq 3 ] ||
	fail "errors section: $("$SOCKSCOPE" dump --section errors "$dir"/rec/*.zst)"
# as root, no such line
"$RECORDER" -q -o "$dir/root" --once --netstat none 2> "$dir/err" || fail "root run"
"$SOCKSCOPE" dump --section errors "$dir"/root/*.zst | grep -q 'not all processes' &&
	fail "root was told it cannot see every process"

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
pass "unprivileged: 'not all processes could be identified' logged once and in every errors" \
	"section; unwritable directory: exit 1, '3 of 3 snapshots lost'"
