#!/bin/sh
# spans_narrow — schema 6 stores a span's row narrow (spans_packed: codes
# for state, protocol, family and timer, an IPv4 local address as a number,
# no text for an IPv4 peer) behind the view `spans` with the old columns.
# A schema-5 database made by the release before (tests/data/db/schema5.db:
# a segment, a cron log with a gap, names-mode, -e -p -o, -w, BSD -T and
# Windows dumps) is refused by a report until an import migrates it; then
# every report, netstat replay, `sources`, the `sockets`, `spans`,
# `processes` (rows per process now) and `counters` views print byte for
# byte what the release printed
# (tests/data/db/schema5.reports), and its spans_packed and process_spans
# rows are those a fresh import of the same sources stores (issue 17).
# Schema 7 drops the unique index snapshots_recorded (a recorder snapshot
# is still stored once: a lookup at import, checked here on the migrated
# database with a segment whose bytes differ but whose snapshots do not)
# and process_stage with its trigger (the import builds process_spans'
# rows: those of the fresh import are compared with the migrated ones),
# and keeps each chain's rowid range of spans (span_chains) instead of an
# index on spans_packed(chain, k_first).
# Usage: sh tests/integration/spans_narrow.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=$(cd "${TEST_DATA_DIR:-tests/data}" && pwd)
tools=$(cd "$(dirname "$0")/../tools" && pwd)
S=$SOCKSCOPE
top=$(cd "$(dirname "$0")/../.." && pwd)

cd "$dir" || fail "cd"

# --- refused read-only, migrated by an import; every report as the release
# printed it --------------------------------------------------------------------
fixture_migrated schema5.db 5 7 "$data" "$tools"
[ "$("$S" query -d schema5.db "SELECT count(*) FROM sqlite_schema WHERE name = 'snapshots_recorded'")" = 0 ] ||
	fail "schema 7 keeps the index snapshots_recorded"

# --- narrow: the codes, not the text ---------------------------------------------
q() { "$S" query -d schema5.db "$1"; }
[ "$(q "SELECT count(*) FROM spans_packed WHERE raddr IS NOT NULL AND instr(raddr, ':') = 0")" = 0 ] ||
	fail "an IPv4 peer's text is stored"
[ "$(q "SELECT count(*) FROM spans_packed WHERE typeof(kind) <> 'integer' OR typeof(timer) NOT IN ('integer', 'null')")" = 0 ] ||
	fail "kind or timer is not a number"
[ "$(q "SELECT count(*) FROM spans_packed WHERE typeof(laddr) = 'text' AND instr(laddr, ':') = 0")" = 0 ] ||
	fail "an IPv4 local address is stored as text"
[ "$(q "SELECT count(*) FROM spans_packed WHERE raddr IS NULL AND rhost IS NULL AND rnet NOT BETWEEN -2147483648 AND 2147483647")" = 0 ] &&
	[ "$(q "SELECT count(*) FROM spans_packed WHERE raddr IS NULL AND rhost IS NULL AND rnet < 0")" -gt 0 ] ||
	fail "an IPv4 peer's rnet is not stored signed"
# the codes the fixture holds: 8 states, 3 protocols, both families
[ "$(q "SELECT count(DISTINCT state) || ' ' || count(DISTINCT proto) || ' ' || count(DISTINCT family) FROM spans")" = "8 3 2" ] ||
	fail "the fixture no longer covers the codes: $(q "SELECT group_concat(DISTINCT state) FROM spans")"

# --- the migration's rows are a fresh import's -----------------------------------
fixture_sources fresh.db "$data" "$top"
fixture_like_fresh schema5.db fresh.db
[ "$(q "SELECT count(*) FROM sqlite_schema WHERE name IN ('process_stage', 'process_stage_keep')")" = 0 ] ||
	fail "schema 7 keeps process_stage or its trigger"

# --- a recorder snapshot once: the same snapshots in other bytes -----------------
recorded_once schema5.db "$data"

pass "a schema-5 database migrated: $(wc -l < fresh.db.spans) spans and $(wc -l < fresh.db.processes) process rows as a fresh import stores them, every report byte for byte as before; state, protocol, family and timer stored as codes, no IPv4 peer text; a recorder snapshot stored once without snapshots_recorded"
