# import_query_readonly — `sockscope query` runs the user's SQL and must
# only read: no change to the database, and no new file either (VACUUM INTO
# and ATTACH create one even when they then fail). Each is refused with a
# clear error, exit 1, and no file appears. Reads still work.
# Usage: sh tests/integration/import_query_readonly.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

"$S" import -q -d "$dir/t.db" --at 2026-11-25T00:00:00Z "$data/netstat/netstat_naW.txt" 2> /dev/null ||
	fail "import: exit $?"
n=$("$S" query -d "$dir/t.db" 'select count(*) from sockets')
cd "$dir" || fail "cd"
for sql in "VACUUM INTO '$dir/vac.db'" "vacuum into 'vac2.db'" "ATTACH '$dir/att.db' AS a" \
	"attach 'file:att2.db?mode=rwc' as a" "ATTACH 'att3.db' AS a; CREATE TABLE a.t(x)" \
	"delete from sockets" "create table x(a)" "create temp table x(a)" "drop table raw" \
	"insert into sources select * from sources" "update snapshots set host = 'x'" \
	"vacuum" "reindex" "analyze"; do
	"$S" query -d "$dir/t.db" "$sql" > "$dir/out" 2> "$dir/err"
	rc=$?
	[ $rc -eq 1 ] || fail "'$sql': exit $rc, expected 1"
	grep -q '^sockscope query: .*query only reads' "$dir/err" || fail "'$sql': unclear error: $(cat "$dir/err")"
done
for f in vac.db vac2.db att.db att2.db att3.db; do
	[ ! -e "$dir/$f" ] || fail "$f was created"
done
[ "$("$S" query -d "$dir/t.db" 'select count(*) from sockets')" = "$n" ] || fail "the database changed"
# reads: selects, functions, recursive CTEs, pragmas that read
[ "$("$S" query -d "$dir/t.db" "with recursive c(x) as (select 1 union all select x + 1 from c where x < 3) select sum(x) from c")" = 6 ] ||
	fail "recursive CTE"
"$S" query -d "$dir/t.db" 'pragma table_info(sockets)' | grep -q raddr || fail "pragma table_info"
"$S" query -d "$dir/t.db" "select subnet(raddr, 24) from sockets limit 1" > /dev/null || fail "subnet()"
[ "$("$S" query -d "$dir/t.db" "begin; select count(*) from sockets; commit")" = "$n" ] ||
	fail "a read transaction"
pass "VACUUM INTO, ATTACH, writes and schema changes refused with no file created; reads work"
