# import_variants — the dumps people saved without -n, with extra or other
# columns, on every platform (issue 15): each fixture is imported with
# format detection (no --format) and must give exactly its sockets, 0 bad
# lines, the right format, and the sources.names mark when it holds names.
# Prints the per-platform table of rows imported. No root needed.
# Usage: sh tests/integration/import_variants.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

# platform|file|format|sockets|named rows
cases='Linux net-tools 2.10 -a|names/netstat_a.txt|netstat|26|26
Linux net-tools 2.10 -aW|names/netstat_aW.txt|netstat|26|26
Linux net-tools 2.10 -ae|names/netstat_ae.txt|netstat|26|26
Linux net-tools 2.10 -tap|names/netstat_tap.txt|netstat|21|21
Linux net-tools 2.10 -l|names/netstat_l.txt|netstat|13|13
Linux net-tools 2.10 -au|names/netstat_au.txt|netstat|5|5
Linux iproute2 ss -a|names/ss_a.txt|ss|26|23
Linux iproute2 ss -tap|names/ss_tap.txt|ss|21|18
Linux iproute2 ss -tua|names/ss_tua.txt|ss|26|23
FreeBSD 14 -a|bsd/freebsd_netstat_a.txt|bsd|15|15
FreeBSD 14 -anA|bsd/freebsd_netstat_anA.txt|bsd|6|0
FreeBSD 14 -anT|bsd/freebsd_netstat_anT.txt|bsd|4|0
FreeBSD 14 -anx|bsd/freebsd_netstat_anx.txt|bsd|3|0
macOS 14 -anA|bsd/macos_netstat_anA.txt|bsd|5|0
macOS 14 -a|bsd/macos_netstat_a.txt|bsd|9|9
NetBSD 10 -an|bsd/netbsd_netstat_an.txt|bsd|8|0
NetBSD 10 -a|bsd/netbsd_netstat_a.txt|bsd|4|4
NetBSD 10 -anA|bsd/netbsd_netstat_anA.txt|bsd|4|0
Windows -a|windows/netstat_a.txt|windows|14|11
RHEL 5 net-tools 1.60 -an|quirks/netstat_an_rhel5.txt|netstat|10|0
net-tools -naeop, empty PID|quirks/netstat_naeop_empty.txt|netstat|6|0'

printf '%-30s %-28s %-8s %8s %6s %6s\n' platform file format sockets bad names
echo "$cases" | while IFS='|' read -r plat file fmt want wnamed; do
	db=$dir/$(echo "$file" | tr / _).db
	"$S" import -q --no-progress -d "$db" --at 2026-11-25T13:54:00Z "$data/$file" \
		> /dev/null 2> "$dir/err" || fail "$file: exit $?: $(cat "$dir/err")"
	got=$("$S" query -d "$db" "select format || '|' || sockets || '|' || bad_lines || '|' || names from sources")
	printf '%-30s %-28s %-8s %8s %6s %6s\n' "$plat" "$file" $(echo "$got" | tr '|' ' ')
	[ "$got" = "$fmt|$want|0|$wnamed" ] ||
		fail "$file: format|sockets|bad|names = $got, expected $fmt|$want|0|$wnamed"
	# a named host never becomes an address
	n=$("$S" query -d "$db" "select count(*) from sockets where (rhost is not null and raddr is not null) or (lhost is not null and laddr is not null)")
	[ "$n" = 0 ] || fail "$file: $n rows with both a host name and an address"
done || exit 1
# old net-tools: IPv6 sockets in "tcp"/"udp" rows are IPv6 sockets
db=$dir/quirks_netstat_an_rhel5.txt.db
[ "$("$S" query -d "$db" "select group_concat(family, '') from sockets")" = 4446666646 ] ||
	fail "RHEL 5 families: $("$S" query -d "$db" "select proto, family, laddr from sockets")"
db=$dir/quirks_netstat_naeop_empty.txt.db
[ "$("$S" query -d "$db" "select group_concat(coalesce(pid, '-') || '/' || coalesce(program, '-'), ' ') from sockets")" = \
  "812/sshd -/- 1401/- -/- 812/sshd -/-" ] ||
	fail "empty PID/Program: $("$S" query -d "$db" "select pid, program from sockets")"
# a dump's snapshot is recognised by its content: every one has its digest
# (docs/SCHEMA.md §7; NULL IS NULL would make any two alike)
n=$("$S" query -d "$db" "select count(*) from snapshots where digest is null or seq is not null")
[ "$n" = 0 ] || fail "$n dump snapshots without a digest"

# a header column no parser knows is skipped and named once per file, not
# reported per line; the names-mode warning comes once per file too
{
	printf 'Active Internet connections (including servers)\n'
	printf 'Proto Recv-Q Send-Q Local Address          Foreign Address        Log-ID (state)\n'
	for p in 50001 50002 50003; do
		printf 'tcp4       0      0 192.0.2.10.22          198.51.100.20.%s    0x1f   ESTABLISHED\n' $p
	done
} > "$dir/extra-col.txt"
"$S" import --no-progress -d "$dir/x.db" --at 2026-11-25T13:54:00Z "$dir/extra-col.txt" \
	"$data/names/netstat_a.txt" > /dev/null 2> "$dir/err" || fail "extra column: $(cat "$dir/err")"
[ "$(grep -c 'columns this parser does not know were skipped: Log-ID$' "$dir/err")" = 1 ] ||
	fail "unknown column not named once: $(cat "$dir/err")"
[ "$(grep -c 'rows name hosts or services instead of numbers' "$dir/err")" = 1 ] ||
	fail "names warning not once: $(cat "$dir/err")"
[ "$("$S" query -d "$dir/x.db" "select sum(sockets) || '/' || sum(bad_lines) from sources")" = 29/0 ] ||
	fail "extra column rows: $("$S" query -d "$dir/x.db" "select path, sockets, bad_lines from sources")"
pass "every variant imports with its exact socket count and no bad line"
