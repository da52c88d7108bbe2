# import_db_error_not_tried — a database error mid-import (here: the file
# size limit, RLIMIT_FSIZE, reached while the second file is written, with
# SIGXFSZ ignored so the write fails with EFBIG as on a full disk) stops
# the import: the failing source is rolled back, what came before stays,
# the files never tried are counted ("database error: ...; N files not
# tried"), and the exit status is 2. Then, with room again, the same
# import finishes the job. No root needed.
# Usage: sh tests/integration/import_db_error_not_tried.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

# in name order: a small dump, a big recording (fails), then 3 more files
# (two in a subdirectory) and one more operand
mkdir -p "$dir/in/sub"
cp "$data/netstat/netstat_naW.txt" "$dir/in/a.txt"
cp samples/incident/*.zst "$dir/in/b.zst" 2> /dev/null ||
	cp "${SAMPLES_DIR:-samples}"/incident/*.zst "$dir/in/b.zst" || fail "no sample recording"
cp "$data/ss/ss_tan.txt" "$dir/in/c.txt"
cp "$data/ss/ss_nap.txt" "$dir/in/sub/d.txt"
cp "$data/ss/ss_uan.txt" "$dir/in/sub/e.txt"
cp "$data/bsd/freebsd_netstat_an.txt" "$dir/f.txt"

# 832 KB (1664 blocks of 512 bytes, as sh's ulimit counts): a new
# database with the small dump fits (its WAL holds every migration's pages
# until the first checkpoint: over 640 KB from schema 7 on; 704 KB to 1 MB
# work), the recording's 3643 spans (48650 sockets) do not
(trap '' XFSZ; ulimit -f 1664 && exec "$S" import --no-progress -d "$dir/t.db" \
	--at 2026-11-25T00:00:00Z "$dir/in" "$dir/f.txt") > "$dir/out" 2> "$dir/err"
rc=$?
[ $rc -eq 2 ] || fail "exit $rc after a database error, expected 2: $(cat "$dir/err")"
grep -q "^$dir/in/b.zst: database error: " "$dir/err" || fail "failing file not named: $(cat "$dir/err")"
grep -q "^sockscope import: database error: .*; 4 files not tried$" "$dir/err" ||
	fail "files not tried not counted: $(cat "$dir/err")"
grep -q "^imported 1 source " "$dir/err" || fail "summary: $(cat "$dir/err")"
for f in c.txt d.txt e.txt f.txt; do
	! grep -q "/$f" "$dir/err" || fail "$f was tried after the database error: $(cat "$dir/err")"
done
[ "$("$S" query -d "$dir/t.db" 'select count(*) || " " || sum(sockets) from sources')" = "1 28" ] ||
	fail "before the error: $("$S" query -d "$dir/t.db" 'select path, sockets from sources')"

# with room again: the rest is imported, the first file recognised
"$S" import --no-progress -d "$dir/t.db" --at 2026-11-25T00:00:00Z "$dir/in" "$dir/f.txt" 2> "$dir/err" ||
	fail "second import: exit $?: $(cat "$dir/err")"
grep -q '^imported 5 sources (1 already imported, 0 skipped)' "$dir/err" || fail "second import: $(cat "$dir/err")"
! grep -q 'not tried' "$dir/err" || fail "not tried without an error"
pass "a database error stops the import, names the file, counts 4 files not tried, exit 2; the rest imports later"
