# import_twice — the same evidence imported twice counts once. A dump's
# snapshot is a copy of one already imported when the host, the time and the
# rows (every field, in order: the parsed content, so compression, CRLF and
# trailing blank lines do not matter) are the same; a dump timed only by its
# file's mtime or the import's clock is a copy of any snapshot so timed with
# the same host and rows. Other rows at the same host and time are kept and
# flagged (a warning naming the file and time, counted in the summary).
# Usage: sh tests/integration/import_twice.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
q() { "$S" query -d "$1" "$2"; }
a=$data/netstat/netstat_nuw.txt
b=$data/netstat/netstat_naW.txt
c=$data/netstat/netstat_anpW.txt

# cronlog N: a cron log of N snapshots a minute apart, a and b in turn
cronlog() {
	i=0
	while [ $i -lt "$1" ]; do
		printf '2026-11-25T13:%02d:00Z\n' $((40 + i))
		if [ $((i % 2)) = 0 ]; then cat "$a"; else cat "$b"; fi
		i=$((i + 1))
	done
}

# --- a cron log, then the same log grown: 4 + 11 is 11 snapshots --------------
cronlog 4 > "$dir/cron.log"
"$S" import --no-progress -d "$dir/c.db" "$dir/cron.log" 2> "$dir/err" || fail "cron log: $(cat "$dir/err")"
cronlog 11 > "$dir/cron.log"
"$S" import --no-progress -d "$dir/c.db" "$dir/cron.log" 2> "$dir/err" || fail "grown cron log: exit $?: $(cat "$dir/err")"
[ "$(q "$dir/c.db" 'select count(*) from snapshots')" = 11 ] ||
	fail "cron log then its grown version: $(q "$dir/c.db" 'select count(*) from snapshots') snapshots, expected 11"
grep -q "^$dir/cron.log: netstat, 7 snapshots, [0-9]* sockets, 4 already imported$" "$dir/err" ||
	fail "per-file line: $(cat "$dir/err")"
grep -q '^imported 1 source (0 already imported, 0 skipped): 7 snapshots, .* into .*c.db; 4 snapshots already imported$' "$dir/err" ||
	fail "summary: $(cat "$dir/err")"
# every socket row belongs to a snapshot, and the sources' counts are the rows
[ "$(q "$dir/c.db" 'select sum(sockets) from snapshots')" = "$(q "$dir/c.db" 'select count(*) from sockets')" ] ||
	fail "rows of the copies were left behind"
[ "$(q "$dir/c.db" 'select sum(sockets) from sources')" = "$(q "$dir/c.db" 'select count(*) from sockets')" ] ||
	fail "sources count the copies' rows: $(q "$dir/c.db" 'select path, snapshots, sockets from sources')"
# a report divides by 11 snapshots
"$S" summary -d "$dir/c.db" 2> /dev/null | grep -q '11 snapshots' || fail "summary: $("$S" summary -d "$dir/c.db" | head -5)"

# --- one dump as plain, .gz, .zst, CRLF and with trailing blank lines: 1 copy -
mkdir -p "$dir/same"
cp "$b" "$dir/same/plain.txt"
gzip -c "$b" > "$dir/same/plain.txt.gz"
zstd -q -c "$b" > "$dir/same/plain.txt.zst"
sed 's/$/\r/' "$b" > "$dir/same/crlf.txt"
{ cat "$b"; echo; echo; } > "$dir/same/trailing.txt"
printf '%s' "$(cat "$b")" > "$dir/same/no-newline.txt"
# with a time given (--at) ...
"$S" import --no-progress -d "$dir/at.db" --at 2026-11-25T14:00:00Z "$dir/same" 2> "$dir/err" ||
	fail "copies with --at: exit $?: $(cat "$dir/err")"
[ "$(q "$dir/at.db" 'select count(*) || " " || sum(sockets) from snapshots')" = "1 $(grep -cE '^(tcp|udp|raw)' "$b")" ] ||
	fail "copies with --at: $(q "$dir/at.db" 'select count(*), sum(sockets) from snapshots')"
grep -q '; 5 snapshots already imported$' "$dir/err" || fail "copies with --at: summary: $(tail -1 "$dir/err")"
# ... and timed by each file's own mtime (all different), and stdin (now)
i=1
for f in "$dir"/same/*; do
	touch -d "2026-11-2${i}T10:00:00Z" "$f"
	i=$((i + 1))
done
"$S" import --no-progress -d "$dir/m.db" "$dir/same" 2> "$dir/err" || fail "copies by mtime: exit $?: $(cat "$dir/err")"
{ cat "$dir/same/crlf.txt"; printf '\r\n'; } | "$S" import --no-progress -d "$dir/m.db" - 2>> "$dir/err" ||
	fail "stdin copy: exit $?"
[ "$(q "$dir/m.db" 'select count(*) from snapshots')" = 1 ] ||
	fail "copies by mtime: $(q "$dir/m.db" 'select utc(time), time_from, sockets from snapshots')"
[ "$(q "$dir/m.db" 'select count(*) from sources')" = 7 ] || fail "each file is still a source"

# --- not copies: another host, another explicit time, other rows ----------------
"$S" import -q -d "$dir/n.db" --host web1 --at 2026-11-25T14:00:00Z "$b" 2> /dev/null
# (other bytes each time: the same file is skipped whole, whatever --host says)
{ cat "$b"; echo; } | "$S" import -q -d "$dir/n.db" --host web2 --at 2026-11-25T14:00:00Z - 2> /dev/null
{ cat "$b"; echo; echo; } | "$S" import -q -d "$dir/n.db" --host web1 --at 2026-11-25T14:01:00Z - 2> /dev/null
# an idle host's dumps at two times stay two snapshots
[ "$(q "$dir/n.db" 'select count(*) from snapshots')" = 3 ] ||
	fail "distinct host or time merged: $(q "$dir/n.db" 'select host, utc(time) from snapshots')"

# --- other rows at the same host and time: kept and flagged --------------------
{ echo '2026-11-25T13:41:00Z'; cat "$c"; } > "$dir/changed.log"
"$S" import --no-progress -q -d "$dir/c.db" "$dir/changed.log" 2> "$dir/err"
rc=$?
[ $rc -eq 0 ] || fail "changed content: exit $rc: $(cat "$dir/err")"
grep -q "^$dir/changed.log: warning: the snapshot at 2026-11-25T13:41:00Z (line 2, host unknown) differs from snapshot [0-9]* of $dir/cron.log at the same host and time: both kept$" "$dir/err" ||
	fail "changed content not flagged (even with -q): $(cat "$dir/err")"
grep -q '; 1 snapshot kept that differs from one already imported at the same host and time$' "$dir/err" ||
	fail "changed content not counted in the summary: $(tail -1 "$dir/err")"
[ "$(q "$dir/c.db" "select count(*) from snapshots where time = (select time from snapshots where line = 2 and source_id = (select max(id) from sources))")" = 2 ] ||
	fail "changed content not kept"
# a changed snapshot imported again is a copy of itself, not flagged again
{ echo; cat "$dir/changed.log"; } > "$dir/changed2.log"
"$S" import --no-progress -d "$dir/c.db" "$dir/changed2.log" 2> "$dir/err" || fail "changed again: exit $?"
! grep -q 'differs' "$dir/err" || fail "a copy of the changed snapshot was flagged: $(cat "$dir/err")"
[ "$(q "$dir/c.db" 'select count(*) from snapshots')" = 12 ] || fail "copy of the changed snapshot kept"

# --- a dump with host names (no -n), twice: its names are counted once, and
# two copies that differ only in a host name are two snapshots ---------------
n=$data/names/netstat_a.txt
cp "$n" "$dir/names.txt"; gzip -c "$n" > "$dir/names.txt.gz"
sed '0,/localhost/s//localhost2/' "$n" > "$dir/renamed.txt"
touch -d @1700000000 "$dir/names.txt" "$dir/names.txt.gz" "$dir/renamed.txt"
"$S" import -q -d "$dir/names.db" --host h "$dir/names.txt" "$dir/names.txt.gz" 2> "$dir/err" ||
	fail "names twice: exit $?: $(cat "$dir/err")"
[ "$(q "$dir/names.db" 'select group_concat(names) from sources')" = "26,0" ] ||
	fail "a copy's named rows counted again: $(q "$dir/names.db" 'select group_concat(names) from sources')"
"$S" import -q -d "$dir/names.db" --host h "$dir/renamed.txt" 2> "$dir/err" ||
	fail "renamed: exit $?: $(cat "$dir/err")"
[ "$(q "$dir/names.db" 'select count(*) from snapshots')" = 2 ] ||
	fail "rows differing only in a host name taken for a copy"

pass "cron log + grown = 11, 6 encodings of a dump = 1 (by --at, by mtime, stdin), host/time kept apart, changed content kept and flagged, named rows compared and counted once"
