#!/bin/sh
# schema6_fixture — a database made by the release before schema 7
# (tests/data/db/schema6.db, made at d33849c from the same sources as
# schema5.db: a segment with processes, a cron log with a gap, names-mode,
# -e -p -o, -w, BSD -T and Windows dumps) is refused by a report until an
# import migrates it to schema 7; then every report, netstat replay,
# `sources` and view prints byte for byte what that release printed
# (tests/data/db/schema6.reports); its spans_packed and process_spans rows
# are a fresh import's; span_chains holds each chain's rowid range; the
# index snapshots_recorded, the table process_stage and its trigger, and the
# index spans_packed_chain are gone; and a recorder snapshot the release
# stored is still recognised (issue 17).
# Usage: sh tests/integration/schema6_fixture.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=$(cd "${TEST_DATA_DIR:-tests/data}" && pwd)
tools=$(cd "$(dirname "$0")/../tools" && pwd)
S=$SOCKSCOPE
top=$(cd "$(dirname "$0")/../.." && pwd)

cd "$dir" || fail "cd"
q() { "$S" query -d schema6.db "$1"; }

# --- refused read-only, migrated by an import; every report as the release
# printed it --------------------------------------------------------------------
fixture_migrated schema6.db 6 7 "$data" "$tools"
[ "$(q "SELECT count(*) FROM sqlite_schema WHERE name IN ('snapshots_recorded',
	'process_stage', 'process_stage_keep', 'spans_packed_chain')")" = 0 ] ||
	fail "schema 7 keeps what it drops: $(q "SELECT group_concat(name) FROM sqlite_schema WHERE name IN ('snapshots_recorded', 'process_stage', 'process_stage_keep', 'spans_packed_chain')")"

# --- the migration's rows are a fresh import's -----------------------------------
fixture_sources fresh.db "$data" "$top"
fixture_like_fresh schema6.db fresh.db

# --- a recorder snapshot the release stored, recognised without its index --------
recorded_once schema6.db "$data"

pass "a schema-6 database migrated to 7: $(wc -l < fresh.db.spans) spans and $(wc -l < fresh.db.processes) process rows as a fresh import stores them, every report byte for byte as the release printed; span_chains each chain's rowid range; a recorder snapshot the release stored recognised"
