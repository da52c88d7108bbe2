# db_fixture — a database made by a release before spans (tests/data/db,
# schema version 3: one row per socket per snapshot) is refused, by a
# report and by an import, with how to re-import, exit 2, and left as it
# was; its source imported into a new database answers as the old database
# did then: summary and top --by subnet byte for byte, the cron log's gap
# reported (issue 17).
# Usage: sh tests/integration/db_fixture.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

# a copy: an import (or a migration) may write to it
cp "$data/db/schema3.db" "$dir/old.db" || fail "cannot copy the fixture"
chmod u+w "$dir/old.db"
for cmd in "summary" "top --by subnet" "import --no-progress $data/db/cron-gap.log"; do
	# shellcheck disable=SC2086  # cmd is words
	"$S" $cmd -d "$dir/old.db" > "$dir/out" 2> "$dir/err"
	rc=$?
	[ $rc -eq 2 ] || fail "$cmd on a schema-3 database: exit $rc, expected 2: $(cat "$dir/err")"
	grep -q "old.db: schema version 3 stores one row per socket per snapshot;.*import its sources into a new database (sockscope import -d NEW.db" "$dir/err" ||
		fail "$cmd on a schema-3 database: unclear error: $(cat "$dir/err")"
done
# left as it was (the import may have switched it to WAL: the header only)
if command -v python3 > /dev/null 2>&1; then
	left=$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("PRAGMA user_version").fetchone()[0], db.execute("SELECT count(*) FROM sockets").fetchone()[0],
      db.execute("SELECT count(*) FROM sources").fetchone()[0])' "$dir/old.db") || fail "reading the old database"
	[ "$left" = "3 106 1" ] || fail "the schema-3 database was changed: version, rows, sources: $left"
fi

# the same source imported afresh answers as the old database did
"$S" import -q -d "$dir/new.db" --host fixture "$data/db/cron-gap.log" > "$dir/imp" 2>&1 ||
	fail "import cron-gap.log: $(cat "$dir/imp")"
"$S" summary -d "$dir/new.db" > "$dir/summary" || fail "summary of the re-import"
golden "$data/db/schema3.summary" "$dir/summary" "summary of cron-gap.log imported afresh"
"$S" top -d "$dir/new.db" --by subnet > "$dir/top" || fail "top of the re-import"
golden "$data/db/schema3.top-subnet" "$dir/top" "top --by subnet of cron-gap.log imported afresh"
grep -q '^gaps .*12s between snapshots' "$dir/summary" || fail "the cron log's gap is not reported: $(grep gaps "$dir/summary")"
# the gap ends the spans: two chains, and every socket of the first two
# dumps that is still there after the gap starts a new span
[ "$("$S" query -d "$dir/new.db" 'SELECT count(DISTINCT chain) FROM snapshots')" = 2 ] ||
	fail "the gap did not end the chain: $("$S" query -d "$dir/new.db" 'SELECT id, chain, k FROM snapshots')"
[ "$("$S" query -d "$dir/new.db" 'SELECT count(*) FROM spans s JOIN snapshots a ON a.chain = s.chain AND a.k = s.k_first JOIN snapshots b ON b.chain = s.chain AND b.k = s.k_last WHERE b.time - a.time > 2000000')" = 0 ] ||
	fail "a span crosses the gap"

pass "a schema-3 database is refused by reports and import (exit 2, how to re-import) and left as it was; its source re-imported answers as it did; the cron log's gap ends the spans"
