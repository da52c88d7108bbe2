#!/bin/sh
# Every report of a database, one after the other, to stdout: what
# tests/data/db/schema5.reports holds for schema5.db (made by the release
# before schema 6) and what the migrated copy must print byte for byte.
# Usage: sh tests/tools/db_reports.sh SOCKSCOPE DB
set -u
S=$1 DB=$2
run() {
	echo "### $*"
	"$S" "$@" 2>&1
	echo "### exit $?"
}
for h in victim fixture names dumps; do
	run summary -d "$DB" --host "$h"
	run top -d "$DB" --host "$h" --by ip
	run top -d "$DB" --host "$h" --by subnet
	run top -d "$DB" --host "$h" --by port
	run top -d "$DB" --host "$h" --by program
	run top -d "$DB" --host "$h" --by state
	run timeline -d "$DB" --host "$h"
	run spikes -d "$DB" --host "$h"
	run ports -d "$DB" --host "$h"
	run programs -d "$DB" --host "$h"
	run blocklist -d "$DB" --host "$h"
	for a in -na -ntu -plan -aultnp -naeo; do
		run netstat -d "$DB" --host "$h" --at 2027-01-01T00:00:00Z -- "$a"
	done
done
run summary -d "$DB"
run blocklist -d "$DB"
run sources -d "$DB"
run query -d "$DB" --header "SELECT * FROM sockets ORDER BY snapshot_id, proto, family, state, laddr, lport, raddr, rport, rxq, txq, inode, pid, program, lhost, rhost, timer, expires_ms"
run query -d "$DB" --header "SELECT * FROM spans ORDER BY chain, k_first, ord, lport, rport, raddr, rhost, state, k_last"
run query -d "$DB" --header "SELECT * FROM processes"
run query -d "$DB" --header "SELECT * FROM processes WHERE snapshot_id = 2"
run query -d "$DB" --header "SELECT * FROM snapshot_states ORDER BY 1, 2, 3"
run query -d "$DB" --header "SELECT * FROM counters"
run query -d "$DB" --header "SELECT id, host, time, seq, chain, k, sockets, digest FROM snapshots ORDER BY id"
