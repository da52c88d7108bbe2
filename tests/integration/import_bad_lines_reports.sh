# import_bad_lines_reports — every report that reads dumps itself (-f FILE,
# operands, -) says bad lines as import does: the report is printed, each
# bad line named FILE:LINE on stderr, exit status 1; a clean dump exits 0.
# Reports that need a database import the dumps into one in memory first
# (ports, programs, top --at): the same rule. No root needed.
# Usage: sh tests/integration/import_bad_lines_reports.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

good=$data/netstat/netstat_naW.txt
{ head -4 "$good"; echo 'tcp 0 0 999.1.1.1:80 198.51.100.4:5 ESTABLISHED'; tail -n +5 "$good"; } > "$dir/bad.txt"
cp "$good" "$dir/good.txt"

for r in top timeline spikes summary ports programs blocklist "top --at 2030-01-01T00:00:00Z"; do
	for how in file operand stdin; do
		case $how in
		file) "$S" $r -f "$dir/bad.txt" > "$dir/out" 2> "$dir/err"; rc=$?; where=$dir/bad.txt ;;
		operand) "$S" $r "$dir/bad.txt" > "$dir/out" 2> "$dir/err"; rc=$?; where=$dir/bad.txt ;;
		stdin) "$S" $r - < "$dir/bad.txt" > "$dir/out" 2> "$dir/err"; rc=$?; where=- ;;
		esac
		[ $rc -eq 1 ] || fail "$r ($how) on a dump with a bad line: exit $rc, expected 1: $(cat "$dir/err")"
		grep -q "^$where:5: " "$dir/err" || fail "$r ($how): bad line not named $where:5: $(cat "$dir/err")"
		# the report is still printed (blocklist may rightly recommend nothing)
		case $r in blocklist) ;; *) [ -s "$dir/out" ] || fail "$r ($how): no report printed" ;; esac
		# the same dump without the bad line: exit 0
		case $how in
		file) "$S" $r -f "$dir/good.txt" > "$dir/out2" 2> "$dir/err" ;;
		operand) "$S" $r "$dir/good.txt" > "$dir/out2" 2> "$dir/err" ;;
		stdin) "$S" $r - < "$dir/good.txt" > "$dir/out2" 2> "$dir/err" ;;
		esac
		rc=$?
		[ $rc -eq 0 ] || fail "$r ($how) on a clean dump: exit $rc: $(cat "$dir/err")"
	done
done
# a file that cannot be read at all among good ones: as import, exit 1
printf 'not a dump\n' > "$dir/notes.txt"
"$S" summary -f "$dir/good.txt" -f "$dir/notes.txt" > "$dir/out" 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "summary with a skipped file: exit $rc"
grep -q 'notes.txt: skipped' "$dir/err" || fail "skipped file not named: $(cat "$dir/err")"
# a database report is unaffected
"$S" import -q -d "$dir/t.db" --at 2026-11-25T00:00:00Z "$dir/bad.txt" 2> /dev/null
"$S" summary -d "$dir/t.db" > /dev/null 2> "$dir/err" || fail "summary -d after an import with bad lines: exit $?"
pass "top, timeline, spikes, summary, ports, programs, blocklist, top --at: bad lines exit 1 from -f, operands and stdin, report printed"
