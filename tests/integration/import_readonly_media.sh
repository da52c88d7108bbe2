# import_readonly_media — a database on read-only media (a CD, a read-only
# bind mount, a directory the analyst cannot write): every read-only command
# works, though a WAL database's -shm and -wal cannot be created there (the
# database is read as it is: immutable). Two cases: a directory that an
# unprivileged user (nobody, via setpriv; or the user running the test)
# cannot write, and, as root, a read-only bind mount (said loudly in the
# PASS line when it cannot run).
# Usage: sh tests/integration/import_readonly_media.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE
[ -d samples/incident ] || fail "run from the repository root (samples/incident)"

# the sample recording and a dump, closed: WAL mode, no -wal or -shm beside it
mkdir -p "$dir/rw"
"$S" import -q --no-progress -d "$dir/rw/r.db" samples/incident "$data/netstat/netstat_naW.txt" \
	--at 2026-11-25T20:40:00Z 2> "$dir/import.err" || fail "import: exit $?: $(cat "$dir/import.err")"
[ "$("$S" query -d "$dir/rw/r.db" 'pragma journal_mode')" = wal ] || fail "not a WAL database"
rm -f "$dir/rw/r.db-wal" "$dir/rw/r.db-shm"

# ro_commands DB [RUNNER...]: every read-only command against DB, run by
# RUNNER (e.g. setpriv ...); the first that fails or prints nothing fails
ro_commands() {
	db=$1; shift
	while IFS='|' read -r name args; do
		# shellcheck disable=SC2086
		"$@" "$S" $name -d "$db" $args > "$dir/out" 2> "$dir/err" ||
			fail "$name $args on read-only media: exit $?: $(cat "$dir/err")"
		[ -s "$dir/out" ] || fail "$name $args on read-only media printed nothing: $(cat "$dir/err")"
	done <<EOT
summary|
top|
top|--by subnet --at 2026-11-25T20:51:00Z
timeline|
spikes|
ports|
programs|
blocklist|--format nft
sources|
query|select count(*) from sockets
netstat|--host victim --at 2026-11-25T20:50:53Z -- -na
EOT
	for f in "$db-wal" "$db-shm"; do
		[ ! -e "$f" ] || fail "$f appeared"
	done
}

# --- a directory the analyst cannot write -------------------------------------
mkdir -p "$dir/cd"
cp "$dir/rw/r.db" "$dir/cd/r.db"
chmod 755 "$dir"
chmod 444 "$dir/cd/r.db"
chmod 555 "$dir/cd"
if [ "$(id -u)" = 0 ]; then
	command -v setpriv > /dev/null 2>&1 || fail "setpriv (util-linux) is needed to run as nobody"
	as="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	$as sh -c ": > '$dir/cd/probe'" 2> /dev/null && fail "nobody can write the directory"
	who=nobody
else
	as=""
	who=$(id -un)
fi
# shellcheck disable=SC2086
ro_commands "$dir/cd/r.db" $as
chmod 755 "$dir/cd"

# --- a read-only bind mount (root) ---------------------------------------------
mount_note="bind mount: skipped (not root)"
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$dir/ro"
	if mount --bind "$dir/rw" "$dir/ro" 2> "$dir/merr"; then
		# the mount is gone whatever the exit path
		trap 'umount "$dir/ro" 2> /dev/null; rm -rf "$dir"' EXIT
		if mount -o remount,bind,ro "$dir/ro" 2>> "$dir/merr"; then
			(: > "$dir/ro/probe") 2> /dev/null && fail "the read-only mount is writable"
			ro_commands "$dir/ro/r.db"
			mount_note="read-only bind mount as root"
		else
			mount_note="bind mount: skipped (remount,ro: $(cat "$dir/merr"))"
		fi
		umount "$dir/ro" || fail "umount"
	else
		mount_note="bind mount: skipped (mount --bind: $(cat "$dir/merr"))"
	fi
fi
[ "${mount_note#*skipped}" = "$mount_note" ] || note "$mount_note"
pass "every read-only command on a directory $who cannot write; $mount_note"
