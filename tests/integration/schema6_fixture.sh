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

cp "$data/db/schema6.db" "$dir/schema6.db" || fail "cannot copy the fixture"
chmod u+w "$dir/schema6.db"
cd "$dir" || fail "cd"
q() { "$S" query -d schema6.db "$1"; }

# --- refused read-only, migrated by an import ------------------------------------
"$S" summary -d schema6.db > out 2> err
[ $? -eq 2 ] && grep -q "schema version 6, this sockscope needs 7" err ||
	fail "a report on the schema-6 database did not ask for a migration: $(cat err)"
"$S" import -q -d schema6.db --host fixture "$data/db/cron-gap.log" > imp 2>&1 ||
	fail "import into the schema-6 database: $(cat imp)"
grep -q "already imported" imp || fail "the fixture's source was not recognised: $(cat imp)"
[ "$(q "PRAGMA user_version")" = 7 ] || fail "not migrated to 7"
[ "$(q "SELECT count(*) FROM sqlite_schema WHERE name IN ('snapshots_recorded',
	'process_stage', 'process_stage_keep', 'spans_packed_chain')")" = 0 ] ||
	fail "schema 7 keeps what it drops: $(q "SELECT group_concat(name) FROM sqlite_schema WHERE name IN ('snapshots_recorded', 'process_stage', 'process_stage_keep', 'spans_packed_chain')")"

# --- every report as the release printed it --------------------------------------
sh "$tools/db_reports.sh" "$S" schema6.db > reports
golden "$data/db/schema6.reports" reports "every report, replay and view of the migrated database"

# --- the migration's rows are a fresh import's -----------------------------------
fixture_sources fresh.db "$data" "$top"
# same_rows NAME SQL: the rows of SQL, migrated and fresh, are the same
same_rows() {
	"$S" query -d fresh.db "$2" > "fresh.$1" || fail "query the fresh import's $1"
	"$S" query -d schema6.db "$2" > "migrated.$1" || fail "query the migrated $1"
	[ -s "fresh.$1" ] || fail "the fresh import has no $1"
	cmp -s "fresh.$1" "migrated.$1" ||
		fail "the migration holds other $1 than a fresh import: $(diff "fresh.$1" "migrated.$1" | head -4)"
}
same_rows spans "SELECT quote(chain), k_first, k_last, copies, ord, kind, lport, rport, rnet,
   quote(laddr), quote(raddr), quote(rxq), quote(txq), quote(uid), quote(inode), quote(timer),
   quote(expires_ms), quote(retrans), quote(pid), quote(program), quote(max_retrans),
   quote(lhost), quote(rhost) FROM spans_packed ORDER BY chain, k_first, ord, rowid"
same_rows processes "SELECT chain, pid, k_first, k_last, quote(program), quote(comm), sockets
   FROM process_spans ORDER BY chain, pid, k_first"
C="SELECT chain, lo, hi FROM span_chains ORDER BY chain"
W="SELECT chain, min(rowid), max(rowid) FROM spans_packed GROUP BY chain ORDER BY chain"
"$S" query -d schema6.db "$C" > got.ranges && "$S" query -d schema6.db "$W" > want.ranges ||
	fail "query span_chains"
[ -s got.ranges ] && cmp -s got.ranges want.ranges ||
	fail "span_chains is not each chain's rowid range: $(diff got.ranges want.ranges | head -4)"

# --- a recorder snapshot the release stored, recognised without its index --------
recorded_once schema6.db "$data"

pass "a schema-6 database migrated to 7: $(wc -l < fresh.spans) spans and $(wc -l < fresh.processes) process rows as a fresh import stores them, every report byte for byte as the release printed; span_chains each chain's rowid range; a recorder snapshot the release stored recognised"
