# import_concurrent — several imports started at once into a database that
# does not exist yet: each must succeed (creation and migration are safe
# under concurrency: BEGIN IMMEDIATE, busy timeout, the schema version read
# again inside the transaction), the totals must be right, and the same
# content offered by two of them at once is imported once. Bounded rounds.
# Usage: sh tests/integration/import_concurrent.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
N=4
ROUNDS=${IMPORT_CONCURRENT_ROUNDS:-10}

# four different dumps, and one shared by all four imports
set -- "$data/netstat/netstat_naW.txt" "$data/ss/ss_tan.txt" "$data/ss/ss_nap.txt" \
	"$data/bsd/freebsd_netstat_an.txt"
shared=$data/netstat/netstat_anpW.txt
want_sockets=0
for f in "$@" "$shared"; do
	rm -f "$dir/one.db"*
	"$S" import -q --no-progress -d "$dir/one.db" --at 2026-11-25T00:00:00Z "$f" 2> /dev/null ||
		fail "$f alone: exit $?"
	want_sockets=$((want_sockets + $("$S" query -d "$dir/one.db" 'select sockets from sources')))
done

round=1
while [ $round -le "$ROUNDS" ]; do
	rm -f "$dir/c.db"*
	i=1
	for f in "$@"; do
		"$S" import -q --no-progress -d "$dir/c.db" --at "2026-11-25T0$i:00:00Z" "$f" "$shared" \
			> /dev/null 2> "$dir/err$i" &
		eval "pid$i=\$!"
		i=$((i + 1))
	done
	i=1
	while [ $i -le $N ]; do
		eval "wait \$pid$i"
		rc=$?
		[ $rc -eq 0 ] || fail "round $round: import $i of $N exited $rc: $(cat "$dir/err$i")"
		i=$((i + 1))
	done
	got=$("$S" query -d "$dir/c.db" 'select count(*) || " " || sum(sockets) || " " || sum(snapshots) from sources')
	[ "$got" = "5 $want_sockets 5" ] ||
		fail "round $round: sources, sockets, snapshots = '$got', expected '5 $want_sockets 5'"
	[ "$("$S" query -d "$dir/c.db" 'select count(*) from sockets')" = "$want_sockets" ] ||
		fail "round $round: socket rows differ from the sources' counts"
	[ "$(cat "$dir"/err* | grep -c 'already imported (same content)')" -le $((N - 1)) ] ||
		fail "round $round: $(cat "$dir"/err*)"
	round=$((round + 1))
done
# --- an import waits for another one's long transaction (not 10 s) ----------
hold=12
if command -v sqlite3 > /dev/null 2>&1; then
	# another writer holds the write lock for $hold s, longer than a
	# reader's 10 s busy timeout
	rm -f "$dir/w.db"*
	"$S" import -q -d "$dir/w.db" --at 2026-11-25T00:00:00Z "$1" 2> /dev/null || fail "w.db"
	printf 'BEGIN IMMEDIATE;\nDELETE FROM sources WHERE 0;\n.shell sleep %s\nCOMMIT;\n' $hold |
		timeout 60 sqlite3 "$dir/w.db" > /dev/null 2>&1 &
	holder=$!
	sleep 1
	t0=$(now_ms)
	timeout 120 "$S" import -q -d "$dir/w.db" --at 2026-11-25T00:00:00Z "$2" 2> "$dir/err" ||
		fail "an import behind a ${hold} s transaction: exit $?: $(cat "$dir/err")"
	waited=$(( $(now_ms) - t0 ))
	wait $holder
	[ $waited -ge $(( (hold - 2) * 1000 )) ] || fail "the lock was not held (waited ${waited} ms)"
	[ "$("$S" query -d "$dir/w.db" 'select count(*) from sources')" = 2 ] || fail "the waiting import stored nothing"
	waitnote="an import waited ${waited} ms for another writer"
else
	waitnote="no sqlite3 shell: the long wait was not tried"
	note "$waitnote"
fi
pass "$ROUNDS rounds of $N concurrent imports into a new database: all succeed, totals right, shared content once; $waitnote"
