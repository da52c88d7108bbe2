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

cp "$data/db/schema5.db" "$dir/schema5.db" || fail "cannot copy the fixture"
chmod u+w "$dir/schema5.db"
cd "$dir" || fail "cd"

# --- refused read-only, migrated by an import ------------------------------------
"$S" summary -d schema5.db > out 2> err
[ $? -eq 2 ] && grep -q "schema version 5, this sockscope needs 7" err ||
	fail "a report on the schema-5 database did not ask for a migration: $(cat err)"
"$S" import -q -d schema5.db --host fixture "$data/db/cron-gap.log" > imp 2>&1 ||
	fail "import into the schema-5 database: $(cat imp)"
grep -q "already imported" imp || fail "the fixture's source was not recognised: $(cat imp)"
[ "$("$S" query -d schema5.db "PRAGMA user_version")" = 7 ] || fail "not migrated to 7"
[ "$("$S" query -d schema5.db "SELECT count(*) FROM sqlite_schema WHERE name = 'snapshots_recorded'")" = 0 ] ||
	fail "schema 7 keeps the index snapshots_recorded"

# --- every report as the release printed it --------------------------------------
sh "$tools/db_reports.sh" "$S" schema5.db > reports
golden "$data/db/schema5.reports" reports "every report, replay and view of the migrated database"

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
P="SELECT quote(chain), k_first, k_last, copies, ord, kind, lport, rport, rnet, quote(laddr),
   quote(raddr), quote(rxq), quote(txq), quote(uid), quote(inode), quote(timer),
   quote(expires_ms), quote(retrans), quote(pid), quote(program), quote(max_retrans),
   quote(lhost), quote(rhost) FROM spans_packed ORDER BY chain, k_first, ord, rowid"
"$S" query -d fresh.db "$P" > fresh.rows || fail "query the fresh import"
"$S" query -d schema5.db "$P" > migrated.rows || fail "query the migrated database"
[ -s fresh.rows ] || fail "the fresh import stored no spans"
cmp -s fresh.rows migrated.rows ||
	fail "the migration stored other rows than a fresh import: $(diff fresh.rows migrated.rows | head -4)"
R="SELECT chain, pid, k_first, k_last, quote(program), quote(comm), sockets FROM process_spans"
"$S" query -d fresh.db "$R" > fresh.procs || fail "query the fresh import's processes"
"$S" query -d schema5.db "$R" > migrated.procs || fail "query the migrated processes"
[ -s fresh.procs ] && cmp -s fresh.procs migrated.procs ||
	fail "the migration's process_spans differ from a fresh import's: $(diff fresh.procs migrated.procs | head -4)"
[ "$(q "SELECT count(*) FROM sqlite_schema WHERE name IN ('process_stage', 'process_stage_keep')")" = 0 ] ||
	fail "schema 7 keeps process_stage or its trigger"
# each chain's rowid range, migrated and imported, and no index on chain
C="SELECT chain, lo, hi FROM span_chains ORDER BY chain"
W="SELECT chain, min(rowid), max(rowid) FROM spans_packed GROUP BY chain ORDER BY chain"
for db in schema5.db fresh.db; do
	"$S" query -d $db "$C" > got.ranges && "$S" query -d $db "$W" > want.ranges ||
		fail "query $db's span_chains"
	[ -s got.ranges ] && cmp -s got.ranges want.ranges ||
		fail "$db: span_chains is not each chain's rowid range: $(diff got.ranges want.ranges | head -4)"
	[ "$("$S" query -d $db "SELECT count(*) FROM sqlite_schema WHERE name = 'spans_packed_chain'")" = 0 ] ||
		fail "$db keeps the index spans_packed_chain"
done

# --- a recorder snapshot once: the same snapshots in other bytes -----------------
recorded_once schema5.db "$data"

pass "a schema-5 database migrated: $(wc -l < fresh.rows) spans and $(wc -l < fresh.procs) process rows as a fresh import stores them, every report byte for byte as before; state, protocol, family and timer stored as codes, no IPv4 peer text; a recorder snapshot stored once without snapshots_recorded"
