# db_fixture — a database made by a released sockscope (tests/data/db,
# schema version 3) is still read and answers as it did then: summary and
# top --by subnet, byte for byte; re-importing its source into a new
# database gives the same answers. The ground for issue 17's migration.
# Usage: sh tests/integration/db_fixture.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

# a copy: an import (or a migration) may write to it
cp "$data/db/schema3.db" "$dir/old.db" || fail "cannot copy the fixture"
chmod u+w "$dir/old.db"
"$S" summary -d "$dir/old.db" > "$dir/summary" 2> "$dir/err" || fail "summary of the schema-3 fixture: $(cat "$dir/err")"
golden "$data/db/schema3.summary" "$dir/summary" "summary of the schema-3 fixture"
"$S" top -d "$dir/old.db" --by subnet > "$dir/top" 2> "$dir/err" || fail "top of the schema-3 fixture: $(cat "$dir/err")"
golden "$data/db/schema3.top-subnet" "$dir/top" "top --by subnet of the schema-3 fixture"

# the same source imported afresh answers the same
"$S" import -q -d "$dir/new.db" --host fixture "$data/db/cron-gap.log" > "$dir/imp" 2>&1 ||
	fail "import cron-gap.log: $(cat "$dir/imp")"
"$S" summary -d "$dir/new.db" > "$dir/summary2" || fail "summary of the re-import"
golden "$data/db/schema3.summary" "$dir/summary2" "summary of cron-gap.log imported afresh"
"$S" top -d "$dir/new.db" --by subnet > "$dir/top2" || fail "top of the re-import"
golden "$data/db/schema3.top-subnet" "$dir/top2" "top --by subnet of cron-gap.log imported afresh"
# the gap of the cron log is reported
grep -q '^gaps .*12s between snapshots' "$dir/summary2" || fail "the cron log's gap is not reported: $(grep gaps "$dir/summary2")"

pass "a schema-3 database (tests/data/db/schema3.db) reads as it did; its source re-imported answers the same; the cron log's gap is reported"
