# recorder_basic — no root needed: --help/--version/bad arguments (echoed
# 64 bytes at most, control bytes as \xNN), a symlinked -o refused, one
# snapshot with --once (modes 0750/0640, zstdcat-readable, verifies), the
# drift-free sub-second schedule, and SIGTERM closing the zstd frame.
# Usage: sh tests/integration/recorder_basic.sh BUILD_DIR
# run.sh: alone (it checks the recorder's sub-second schedule: run with nothing beside it)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP

"$RECORDER" --help | grep -q -- '--burst-interval' || fail "--help lacks --burst-interval"
"$RECORDER" --version | grep -q '^sockscope-recorder [0-9]' || fail "--version"
"$RECORDER" 2>/dev/null; [ $? -eq 2 ] || fail "no -o must exit 2"
"$RECORDER" -o "$dir/x" -i abc 2>/dev/null; [ $? -eq 2 ] || fail "-i abc must exit 2"
# one duration grammar with the analyzer (common/duration.c): strtod's
# exponents, signs, spaces and hex are not durations
for d in 1e1 +5 ' 5' 0x10 inf 5sec; do
	"$RECORDER" -o "$dir/x" -i "$d" --help 2>/dev/null; [ $? -eq 2 ] || fail "-i '$d' must exit 2"
done
"$RECORDER" -o "$dir/x" --netstat '-r' 2>/dev/null; [ $? -eq 2 ] || fail "--netstat -r must exit 2"
[ ! -e "$dir/x" ] || [ -d "$dir/x" ] || fail "bad args created something odd"

# an invalid argument is echoed at most 64 bytes, control bytes visible
big=$(head -c 10240 /dev/zero | tr '\0' a)
esc=$(printf 'x\033[2Jy')
for args in "-i|$big" "--host|$big" "--netstat|-r$big" "|$big" "|--$big" "-i|$esc" "|$esc" \
	"--host|$esc" "|--$esc"; do
	opt=${args%%|*}
	val=${args#*|}
	if [ -n "$opt" ]; then
		"$RECORDER" -o "$dir/x" "$opt" "$val" 2> "$dir/argerr"
	else
		"$RECORDER" -o "$dir/x" "$val" 2> "$dir/argerr"
	fi
	rc=$?
	what="$opt $(printf '%s' "$val" | head -c 20 | od -An -c | tr -s ' ')"
	[ $rc -eq 2 ] || fail "$what: exit $rc, want 2"
	[ "$(wc -c < "$dir/argerr")" -le 300 ] || fail "$what: $(wc -c < "$dir/argerr") bytes of error echo"
	LC_ALL=C grep -q "$(printf '\033')" "$dir/argerr" && fail "$what: a raw ESC reached the terminal"
	case $val in
	*aaaa) grep -q "'\.\.\. ([0-9]* bytes, the first 64 shown)" "$dir/argerr" ||
		fail "$what: $(cat "$dir/argerr")" ;;
	*) grep -q 'x\\x1b\[2Jy' "$dir/argerr" || fail "$what: ESC not shown as \\x1b: $(cat "$dir/argerr")" ;;
	esac
done

# a symlinked -o is refused, and says why (O_NOFOLLOW), with or without '/'
mkdir "$dir/real"
ln -s "$dir/real" "$dir/link"
for o in "$dir/link" "$dir/link/"; do
	"$RECORDER" -q -o "$o" --once 2> "$dir/linkerr"
	rc=$?
	[ $rc -eq 1 ] || fail "-o $o (a symlink): exit $rc, want 1"
	grep -q "is a symbolic link: refused.*O_NOFOLLOW" "$dir/linkerr" || fail "-o $o: $(cat "$dir/linkerr")"
done
[ -z "$(ls "$dir/real")" ] || fail "wrote through the link: $(ls "$dir/real")"

# --once
"$RECORDER" -q -o "$dir/once" --once --host 'web 1/x' || fail "--once failed"
[ "$(stat -c %a "$dir/once")" = 750 ] || fail "directory mode $(stat -c %a "$dir/once"), want 750"
set -- "$dir"/once/sockscope-web_1_x-*.zst
[ -f "$1" ] || fail "no segment named after the sanitized host: $(ls "$dir/once")"
seg=$1
[ "$(stat -c %a "$seg")" = 640 ] || fail "segment mode $(stat -c %a "$seg"), want 640"
"$SOCKSCOPE" verify "$seg" | grep -q 'good=1 bad=0 junk=0 frame=complete' ||
	fail "verify: $("$SOCKSCOPE" verify "$seg" 2>&1)"
zstdcat "$seg" | head -1 | grep -qx 'SOCKSCOPE 2' || fail "zstdcat does not show the magic line"
zstdcat "$seg" | grep -qx 'frame: key' || fail "the first snapshot of a segment is not a keyframe"
# --format 1: complete snapshots, plain text under zstdcat
"$RECORDER" -q -o "$dir/v1" --once --format 1 || fail "--format 1"
zstdcat "$dir"/v1/*.zst | head -1 | grep -qx 'SOCKSCOPE 1' || fail "--format 1 is not format 1"
zstdcat "$dir"/v1/*.zst | grep -q '^Active Internet connections' || fail "--format 1: renderings not plain"
# the directory imports as it is: the recorder's lock file beside the
# segment is no input
[ -f "$dir/once/.sockscope-web_1_x.lock" ] || fail "no lock file: $(ls -a "$dir/once")"
"$SOCKSCOPE" import -d "$dir/once.db" "$dir/once" > "$dir/imp" 2>&1 ||
	fail "importing the recorder's directory: $(cat "$dir/imp")"
grep -q '^imported 1 source (0 already imported, 0 skipped)' "$dir/imp" || fail "import: $(cat "$dir/imp")"
for s in sockets processes counters proc/net/tcp proc/net/udp 'netstat -na' 'netstat -aultnp' \
	'netstat -n -p' 'netstat -ntu' 'netstat -anp'; do
	zstdcat "$seg" | grep -qx "SECTION $s" || fail "section '$s' missing"
done
zstdcat "$seg" | grep -q '^reason: once$' || fail "reason once missing"
zstdcat "$seg" | grep -q '^host: web 1/x$' || fail "header host"
"$SOCKSCOPE" dump --section counters "$seg" | grep -q '^TcpExt\.SyncookiesSent	[0-9]' || fail "counters lack SyncookiesSent"
"$SOCKSCOPE" dump --section sockets "$seg" | head -1 | grep -q '^proto	family	state	laddr' || fail "sockets header"
# --netstat none: core sections only
"$RECORDER" -q -o "$dir/core" --once --netstat none || fail "--netstat none"
zstdcat "$dir"/core/*.zst | grep -q '^SECTION netstat' && fail "--netstat none still rendered"

# --exec-netstat: the real binary's complete output, run without a shell
if [ -x /usr/bin/netstat ]; then
	"$RECORDER" -q -o "$dir/exec" --once --exec-netstat --netstat '-na,-ntu' || fail "--exec-netstat"
	seg=$(ls "$dir"/exec/*.zst)
	"$SOCKSCOPE" dump --section 'netstat-exec -na' "$seg" > "$dir/exec-na"
	head -1 "$dir/exec-na" | grep -qx 'Active Internet connections (servers and established)' ||
		fail "--exec-netstat -na: $(head -2 "$dir/exec-na")"
	grep -q '^Active UNIX domain sockets' "$dir/exec-na" || fail "--exec-netstat lacks the UNIX part"
	"$SOCKSCOPE" dump --section 'netstat-exec -ntu' "$seg" | head -1 | grep -qx 'Active Internet connections (w/o servers)' ||
		fail "--exec-netstat -ntu"
	zstdcat "$seg" | grep -q '^SECTION netstat -na$' && fail "--exec-netstat also rendered"
else
	note "no /usr/bin/netstat: --exec-netstat not checked"
fi

# schedule: 0.2 s, 8 snapshots, on a fixed grid (±40 ms), seq 1..8
"$RECORDER" -q -o "$dir/sched" -i 0.2 --count 8 --netstat none --no-processes --fsync || fail "schedule run"
"$SOCKSCOPE" dump --list "$dir"/sched/*.zst > "$dir/list" || fail "list"
[ "$(wc -l < "$dir/list")" -eq 8 ] || fail "want 8 snapshots, got $(wc -l < "$dir/list")"
awk -F'\t' '
	{ split($2, a, "T"); split(a[2], b, ":"); t = b[1] * 3600 + b[2] * 60 + b[3] + 0
	  if (NR == 1) t0 = t
	  if ($1 != NR) { print "seq " $1 " at line " NR; bad = 1 }
	  d = t - (t0 + (NR - 1) * 0.2); if (d < 0) d = -d
	  if (d > 0.04) { printf "snapshot %d off the grid by %.3f s\n", NR, d; bad = 1 } }
	END { exit bad }' "$dir/list" || fail "schedule not drift-free: $(cat "$dir/list")"
head -1 "$dir/list" | grep -q '	start	' || fail "first snapshot reason is not start"

# failing sources: recording goes on, each failure is said once, and every
# snapshot's errors section lists it
mkdir -p "$dir/fakeproc/net"
"$RECORDER" -o "$dir/fail" -i 0.1 --count 5 --proc "$dir/fakeproc" 2> "$dir/fail.err" ||
	fail "recorder stopped on failing sources: $(cat "$dir/fail.err")"
[ "$(grep -c 'net/snmp' "$dir/fail.err")" -eq 1 ] || fail "failure not said exactly once: $(cat "$dir/fail.err")"
"$SOCKSCOPE" verify "$dir"/fail/*.zst | grep -q 'good=5 bad=0' || fail "snapshots lost to failing sources"
[ "$("$SOCKSCOPE" dump --section errors "$dir"/fail/*.zst | grep -c 'net/snmp')" -eq 5 ] ||
	fail "errors section does not list the failure in every snapshot"
"$SOCKSCOPE" dump --section sockets --seq 5 "$dir"/fail/*.zst | grep -q '^proto	' || fail "sock_diag rows missing"

# SIGTERM: finishes and closes the frame
"$RECORDER" -q -o "$dir/term" -i 0.1 --netstat none &
pid=$!
sleep 1
kill -TERM $pid
wait $pid || fail "recorder exit status $? after SIGTERM"
"$SOCKSCOPE" verify "$dir"/term/*.zst | grep -q 'bad=0 junk=0 frame=complete' ||
	fail "after SIGTERM: $("$SOCKSCOPE" verify "$dir"/term/*.zst 2>&1)"
pass "help, --once, modes, schedule, SIGTERM"
