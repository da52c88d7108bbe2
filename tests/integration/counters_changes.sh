# counters_changes — kernel counters are stored where they change (schema 5)
# and the `counters` view gives every counter of every snapshot exactly as
# the segments said it: counters that change every snapshot, rarely or
# never, a reset within a boot, a reboot, a snapshot without counters, a
# counter that appears and vanishes mid-chain, a name said twice, a torn
# snapshot, a missed seq, a late snapshot, a new source, a second host,
# int64's extremes (tests/tools/counter_segments.py knows what it wrote).
# A schema-4 database made by the release before (tests/data/db/schema4.db)
# is migrated by the next import: its counters, summary and spikes answer
# byte for byte as they did, and its counter_changes are a fresh import's.
# Usage: sh tests/integration/counters_changes.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
tools=$(dirname "$0")/../tools
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to write the segments"

python3 "$tools/counter_segments.py" "$dir/seg" "$dir/expected" || fail "counter_segments.py"
cmp -s "$dir/expected" "$data/db/schema4.counters" ||
	fail "counter_segments.py no longer writes what tests/data/db/schema4.db was made from"
Q="SELECT s.host, coalesce(s.boot_id, ''), s.seq, c.name, c.value FROM counters c
   JOIN snapshots s ON s.id = c.snapshot_id ORDER BY 1, 2, 3, 4"
CH="SELECT c.chain, n.name, c.k, coalesce(c.value, 'absent') FROM counter_changes c
    JOIN counter_names n ON n.id = c.name_id ORDER BY 1, 2, 3"

# --- a fresh import ------------------------------------------------------------
"$S" import -q -d "$dir/new.db" "$dir"/seg/*.seg > "$dir/imp" 2>&1
[ $? -eq 1 ] || fail "import: exit $?, expected 1 (one torn snapshot): $(cat "$dir/imp")"
grep -q "seq 10) skipped: checksum mismatch" "$dir/imp" || fail "the torn snapshot was not reported: $(cat "$dir/imp")"
"$S" query -d "$dir/new.db" "$Q" > "$dir/got" || fail "query counters"
golden "$dir/expected" "$dir/got" "every counter of every snapshot through the view"
rows=$(wc -l < "$dir/got")
changes=$("$S" query -d "$dir/new.db" "SELECT count(*) FROM counter_changes")
[ "$changes" -gt 0 ] && [ $((changes * 2)) -lt "$rows" ] ||
	fail "$changes rows stored for $rows counter values: not stored where they change"
# a reset, the vanishing counter and the snapshot without counters are rows
[ "$("$S" query -d "$dir/new.db" "SELECT count(*) FROM counter_changes WHERE value IS NULL")" -gt 0 ] ||
	fail "no row says a counter is absent"
"$S" summary -d "$dir/new.db" > "$dir/summary" || fail "summary"
golden "$data/db/schema4.summary" "$dir/summary" "summary of a fresh import"
# summary sums the rises from the changes alone unless a time window is
# asked; a window holding every snapshot takes the per-snapshot way: the
# same counters section (resets, reboots, absences, two hosts)
"$S" summary -d "$dir/new.db" --since 2000-01-01T00:00:00Z > "$dir/summary.window" ||
	fail "summary --since"
grep '^counters ' "$dir/summary" > "$dir/c.changes"
grep '^counters ' "$dir/summary.window" > "$dir/c.window"
[ -s "$dir/c.changes" ] || fail "summary printed no counters section"
golden "$dir/c.window" "$dir/c.changes" "summary's counters from the changes and per snapshot"
"$S" spikes -d "$dir/new.db" > "$dir/spikes" || fail "spikes"
golden "$data/db/schema4.spikes" "$dir/spikes" "spikes of a fresh import"
"$S" query -d "$dir/new.db" "$CH" > "$dir/changes.new" || fail "query counter_changes"

# re-imported: nothing changes
"$S" import -q -d "$dir/new.db" "$dir"/seg/*.seg > "$dir/imp2" 2>&1 || fail "re-import: $(cat "$dir/imp2")"
"$S" query -d "$dir/new.db" "$CH" > "$dir/changes.again" || fail "query counter_changes"
cmp -s "$dir/changes.new" "$dir/changes.again" || fail "a re-import changed counter_changes"

# --- a schema-4 database, migrated ------------------------------------------------
cp "$data/db/schema4.db" "$dir/old.db" || fail "cannot copy the fixture"
chmod u+w "$dir/old.db"
# the old table's rows in the order it gave them without ORDER BY (its key)
python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT * FROM counters"):
    print("\t".join(map(str, r)))' "$dir/old.db" > "$dir/unordered.want" || fail "reading the fixture"
"$S" summary -d "$dir/old.db" > /dev/null 2> "$dir/err"
[ $? -eq 2 ] && grep -q "schema version 4, this sockscope needs" "$dir/err" ||
	fail "a report on the schema-4 database did not ask for a migration: $(cat "$dir/err")"
"$S" import -q -d "$dir/old.db" "$dir/seg/a-2.seg" > "$dir/imp3" 2>&1 ||
	fail "import into the schema-4 database: $(cat "$dir/imp3")"
grep -q "already imported" "$dir/imp3" || fail "the fixture's source was not recognised: $(cat "$dir/imp3")"
[ "$("$S" query -d "$dir/old.db" "PRAGMA user_version")" -ge 5 ] || fail "not migrated"
"$S" query -d "$dir/old.db" "$Q" > "$dir/got.old" || fail "query counters of the migrated database"
golden "$data/db/schema4.counters" "$dir/got.old" "the migrated database's counters"
"$S" query -d "$dir/old.db" "SELECT * FROM counters" > "$dir/unordered" || fail "query counters"
golden "$dir/unordered.want" "$dir/unordered" "the view's rows without ORDER BY (by snapshot, then name)"
"$S" query -d "$dir/old.db" "$CH" > "$dir/changes.old" || fail "query counter_changes"
cmp -s "$dir/changes.new" "$dir/changes.old" ||
	fail "the migration stored other rows than an import: $(diff "$dir/changes.new" "$dir/changes.old" | head -5)"
"$S" summary -d "$dir/old.db" > "$dir/summary.old" || fail "summary of the migrated database"
golden "$data/db/schema4.summary" "$dir/summary.old" "summary of the migrated database"
"$S" spikes -d "$dir/old.db" > "$dir/spikes.old" || fail "spikes of the migrated database"
golden "$data/db/schema4.spikes" "$dir/spikes.old" "spikes of the migrated database"

pass "$rows counter values in $changes rows, every one recovered (resets, reboot, gaps, absent, torn, twice, extremes); re-import idempotent; a schema-4 database migrated answers as before"
