# import_files — `sockscope import` on files as people have them: a directory
# mixing good, compressed, bad and empty files; re-imports (idempotence);
# stdin; times from --at, file names, mtime (warned) and cron `date` lines;
# bad lines reported as file:line and counted. No root needed.
# Usage: sh tests/integration/import_files.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
S=$SOCKSCOPE

q() { "$S" query -d "$1" "$2"; }
# socket rows of a net-tools fixture made with -W (nothing truncated)
nrows() { grep -cE '^(tcp|udp|raw)' "$1"; }

# --- a directory with good, compressed, bad and empty files -------------------
mkdir -p "$dir/in/sub"
cp "$data/netstat/netstat_naW.txt" "$dir/in/a-netstat.txt"
gzip -c "$data/netstat/netstat_nawp.txt" > "$dir/in/sub/b.gz"
zstd -q -c "$data/netstat/netstat_anpW.txt" > "$dir/in/sub/c.zst"
printf 'hello, this is not a socket dump\n' > "$dir/in/notes.txt"
head -c 3000 /dev/urandom > "$dir/in/random.bin"
: > "$dir/in/empty.txt"
ln -s "$dir/in/a-netstat.txt" "$dir/in/link.txt"   # not followed inside directories

"$S" import --no-progress -d "$dir/t.db" "$dir/in" > "$dir/out" 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "mixed directory: exit $rc, expected 1: $(cat "$dir/err")"
grep -q 'notes.txt: skipped: not a format sockscope knows' "$dir/err" || fail "bad file not reported: $(cat "$dir/err")"
grep -q 'random.bin: skipped' "$dir/err" || fail "binary file not reported"
grep -q 'empty.txt: skipped: empty' "$dir/err" || fail "empty file not reported"
grep -q '^imported 3 sources (0 already imported, 3 skipped)' "$dir/err" || fail "summary: $(tail -1 "$dir/err")"
[ "$(q "$dir/t.db" 'select count(*) from sources')" = 3 ] || fail "sources"
[ "$(q "$dir/t.db" "select group_concat(format, ',') from (select format from sources order by path)")" = netstat,netstat,netstat ] ||
	fail "formats: $(q "$dir/t.db" 'select path, format from sources')"
want=$(nrows "$data/netstat/netstat_nawp.txt")
got=$(q "$dir/t.db" "select sockets from sources where path like '%b.gz'")
[ "$got" = "$want" ] || fail "gzip input: $got sockets, expected $want"
want=$(nrows "$data/netstat/netstat_anpW.txt")
got=$(q "$dir/t.db" "select count(*) from sockets join snapshots s on s.id = snapshot_id join sources o on o.id = s.source_id where o.path like '%c.zst'")
[ "$got" = "$want" ] || fail "zstd input: $got sockets, expected $want"
# the -p column survives: a program name with spaces
[ "$(q "$dir/t.db" "select count(*) from sockets where program = 'my server app'")" -ge 1 ] ||
	fail "program with spaces lost: $(q "$dir/t.db" 'select distinct program from sockets')"
# sha256 is sha256sum of the file as stored
sum=$(sha256sum "$dir/in/sub/c.zst" | cut -d' ' -f1)
[ "$(q "$dir/t.db" "select sha256 from sources where path like '%c.zst'")" = "$sum" ] || fail "sha256 differs from sha256sum"
[ "$(q "$dir/t.db" "select count(*) from snapshots where host = 'unknown'")" = 3 ] || fail "host default"

# --- idempotence: the same paths again change nothing --------------------------
before=$(q "$dir/t.db" 'select count(*) from sockets')
"$S" import --no-progress -d "$dir/t.db" "$dir/in" > /dev/null 2> "$dir/err2"
grep -q '^imported 0 sources (3 already imported, 3 skipped)' "$dir/err2" || fail "re-import: $(tail -1 "$dir/err2")"
[ "$(q "$dir/t.db" 'select count(*) from sockets')" = "$before" ] || fail "re-import changed the sockets"
# the same content through stdin is recognised too
"$S" import --no-progress -d "$dir/t.db" - < "$dir/in/a-netstat.txt" 2> "$dir/err3" ||
	fail "stdin re-import: exit $?: $(cat "$dir/err3")"
grep -q 'already imported (same content)' "$dir/err3" || fail "stdin duplicate not recognised: $(cat "$dir/err3")"
[ "$(q "$dir/t.db" 'select count(*) from sources')" = 3 ] || fail "stdin duplicate stored"

# a directory that holds the database itself: its files are not input
mkdir -p "$dir/here"
cp "$data/netstat/netstat_naW.txt" "$dir/here/"
(cd "$dir/here" && "$S" import -q --no-progress --at 2026-11-25T00:00:00Z . 2> "$dir/err" &&
	"$S" import -q --no-progress --at 2026-11-25T00:00:00Z . 2>> "$dir/err") ||
	fail "import . with the database in it: $(cat "$dir/err")"
! grep -q 'sockscope.db[^ ]*: ' "$dir/err" || fail "the database was read as input: $(cat "$dir/err")"

# --- times: --at, file name, mtime (warned), stdin (warned) -------------------
cp "$data/netstat/netstat_nuw.txt" "$dir/plain.txt"
touch -d '2026-01-02T03:04:05Z' "$dir/plain.txt"
"$S" import --no-progress -d "$dir/m.db" "$dir/plain.txt" 2> "$dir/err" || fail "plain import: $(cat "$dir/err")"
grep -q "warning: no date line, --at or time in the file name: using the file's modification time 2026-01-02T03:04:05Z" "$dir/err" ||
	fail "mtime warning missing: $(cat "$dir/err")"
[ "$(q "$dir/m.db" 'select utc(time) || " " || time_from from snapshots')" = "2026-01-02T03:04:05.000000Z mtime" ] ||
	fail "mtime time: $(q "$dir/m.db" 'select utc(time), time_from from snapshots')"
cp "$data/netstat/netstat_naW.txt" "$dir/netstat-20261125-1354.txt"
"$S" import -q -d "$dir/m.db" "$dir/netstat-20261125-1354.txt" 2> "$dir/err" || fail "file name import"
[ "$(q "$dir/m.db" "select utc(time) || ' ' || time_from from snapshots where time_from = 'filename'")" = "2026-11-25T13:54:00.000000Z filename" ] ||
	fail "file name time: $(q "$dir/m.db" 'select utc(time), time_from from snapshots')"
! grep -q warning "$dir/err" || fail "warned with a time in the file name"
"$S" import --no-progress -d "$dir/m.db" --host web1 --at 2026-11-25T10:00:00Z - < "$data/netstat/netstat_anpW.txt" 2> "$dir/err" ||
	fail "stdin --at: $(cat "$dir/err")"
[ "$(q "$dir/m.db" "select host || ' ' || utc(time) from snapshots where time_from = 'at'")" = "web1 2026-11-25T10:00:00.000000Z" ] ||
	fail "--at: $(q "$dir/m.db" 'select host, utc(time), time_from from snapshots')"

# --- a cron log: one snapshot per date line, every date spelling ---------------
{
	echo 'Wed Nov 25 13:54:00 UTC 2026'; cat "$data/netstat/netstat_nuw.txt"
	echo 'Wed, 25 Nov 2026 13:55:00 +0000'; cat "$data/netstat/netstat_naW.txt"
	echo '2026-11-25T14:56:00+01:00'; cat "$data/netstat/netstat_nuw.txt"
	echo '1795615020'; cat "$data/netstat/netstat_naW.txt"
} > "$dir/cron.log"
"$S" import --no-progress -d "$dir/c.db" "$dir/cron.log" 2> "$dir/err" || fail "cron log: $(cat "$dir/err")"
got=$(q "$dir/c.db" "select group_concat(utc(time) || '=' || sockets, ' ') from (select * from snapshots order by time)")
a=$(nrows "$data/netstat/netstat_nuw.txt"); b=$(nrows "$data/netstat/netstat_naW.txt")
want="2026-11-25T13:54:00.000000Z=$a 2026-11-25T13:55:00.000000Z=$b 2026-11-25T13:56:00.000000Z=$a 2026-11-25T13:57:00.000000Z=$b"
[ "$got" = "$want" ] || fail "cron split: got '$got', expected '$want'"
[ "$(q "$dir/c.db" "select count(distinct time_from) || time_from from snapshots")" = 1dateline ] || fail "cron time_from"
[ "$(q "$dir/c.db" "select group_concat(line, ',') from snapshots")" = "2,$((3 + $(wc -l < "$data/netstat/netstat_nuw.txt"))),$((4 + $(wc -l < "$data/netstat/netstat_nuw.txt") + $(wc -l < "$data/netstat/netstat_naW.txt"))),$((5 + 2 * $(wc -l < "$data/netstat/netstat_nuw.txt") + $(wc -l < "$data/netstat/netstat_naW.txt")))" ] ||
	fail "provenance lines: $(q "$dir/c.db" 'select line from snapshots')"

# a zone name that cannot be converted still splits, says so and counts
{ echo 'Wed Nov 25 15:58:00 CET 2026'; cat "$data/netstat/netstat_nuw.txt"
  echo; echo 'Wed Nov 25 15:59:00 CET 2026'; cat "$data/netstat/netstat_nuw.txt"; } > "$dir/cet.log"
"$S" import --no-progress -d "$dir/cet.db" "$dir/cet.log" 2> "$dir/err" && fail "unknown zone: exit 0"
grep -q "cet.log:1: a date line in UTC or with a numeric zone" "$dir/err" || fail "unknown zone not reported: $(cat "$dir/err")"
[ "$(q "$dir/cet.db" "select group_concat(time_from || '=' || sockets, ' ') from snapshots")" = "dateline-nozone=$a dateline-nozone=$a" ] ||
	fail "unknown zone split: $(q "$dir/cet.db" 'select time_from, sockets from snapshots')"

# --- bad lines: named by file and line, all counted, the first 20 shown -------
{
	head -4 "$data/netstat/netstat_naW.txt"
	i=0; while [ $i -lt 25 ]; do echo 'tcp 0 0 999.1.1.1:80 1.2.3.4:5 ESTABLISHED'; i=$((i + 1)); done
	tail -n +5 "$data/netstat/netstat_naW.txt"
} > "$dir/badlines.txt"
"$S" import --no-progress -d "$dir/b.db" --at 2026-11-25T00:00:00Z "$dir/badlines.txt" 2> "$dir/err"
rc=$?
[ $rc -eq 1 ] || fail "bad lines: exit $rc"
grep -q "^$dir/badlines.txt:5: " "$dir/err" || fail "no file:line message: $(head -3 "$dir/err")"
[ "$(grep -c "^$dir/badlines.txt:[0-9]*: " "$dir/err")" = 20 ] || fail "not exactly 20 shown"
grep -q 'further errors are counted' "$dir/err" || fail "no note about further errors"
[ "$(q "$dir/b.db" 'select bad_lines from sources')" = 25 ] || fail "bad lines not all counted"
[ "$(q "$dir/b.db" 'select sockets from sources')" = "$b" ] || fail "good rows of a file with bad lines lost"
q "$dir/b.db" 'select first_error from sources' | grep -q "badlines.txt:5: " || fail "first_error"

# --- exit 0 when everything was imported; sources lists them ------------------
"$S" import -q -d "$dir/ok.db" --at 2026-11-25T00:00:00Z "$data/netstat/netstat_naW.txt" 2> "$dir/err" ||
	fail "clean import exit $?: $(cat "$dir/err")"
"$S" sources -d "$dir/ok.db" | awk -F'\t' 'NR == 2 && $3 == "netstat" && $4 == 1 { ok = 1 } END { exit !ok }' ||
	fail "sources: $("$S" sources -d "$dir/ok.db")"
# query is read-only
"$S" query -d "$dir/ok.db" 'delete from sockets' 2> /dev/null && fail "query could write"
[ "$(q "$dir/ok.db" 'select count(*) from sockets')" = "$b" ] || fail "query wrote"
# --- every captured or reconstructed dump: detected format and row count -----
while read -r f fmt n; do
	rm -f "$dir/f.db"*
	"$S" import -q --no-progress --at 2026-11-25T00:00:00Z -d "$dir/f.db" "$data/$f" 2> "$dir/err" ||
		fail "$f: exit $?: $(cat "$dir/err")"
	got=$(q "$dir/f.db" "select format || ' ' || sockets || ' ' || bad_lines from sources")
	[ "$got" = "$fmt $n 0" ] || fail "$f: got '$got', expected '$fmt $n 0'"
done <<EOT
windows/netstat_an.txt windows 33
windows/netstat_ano.txt windows 33
windows/netstat_anob.txt windows 33
windows/netstat_ano_de.txt windows 25
windows/netstat_ano_utf16.txt windows 33
bsd/freebsd_netstat_an.txt bsd 24
bsd/macos_netstat_an.txt bsd 24
bsd/openbsd_netstat_an.txt bsd 15
netstat/proc_net_tcp proc 15
netstat/proc_net_tcp6 proc 7
netstat/proc_net_udp proc 2
netstat/proc_net_udp6 proc 2
netstat/netstat_naW.txt netstat 28
netstat/netstat_anpW.txt netstat 28
ss/ss_tan.txt ss 42
ss/ss_Htan.txt ss 42
ss/ss_tanpe_wrap100.txt ss 42
ss/ss_tanp_wrap60.txt ss 42
ss/ss_tuanp.txt ss 50
ss/ss_uan.txt ss 8
ss/ss_nap.txt ss 50
EOT
# the UTF-16 file holds the same sockets as its UTF-8 twin
for v in ano ano_utf16; do
	rm -f "$dir/w.db"*
	"$S" import -q --no-progress --at 2026-11-25T00:00:00Z -d "$dir/w.db" "$data/windows/netstat_$v.txt" 2> /dev/null
	q "$dir/w.db" "select proto, state, laddr, lport, raddr, rport, pid from sockets order by rowid" > "$dir/w-$v"
done
cmp -s "$dir/w-ano" "$dir/w-ano_utf16" || fail "UTF-16LE dump differs from its UTF-8 twin"

# 5 MB of junk after a valid Windows header: bad lines, each named (the
# first few shown), not "0 bad lines"
awk 'BEGIN {
	printf "\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State\r\n"
	printf "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING\r\n"
	for (i = 0; i < 85000; i++)
		printf "%s\r\n", (i % 2 ? "  " : "") "junk " i " x7Gq2pLm9VbNc0Zr4TyWe8Ua1SdFg5HjKl3 ZxCvBnM6"
}' > "$dir/winjunk.txt"
rm -f "$dir/w.db"*
"$S" import --no-progress --max-errors 3 -d "$dir/w.db" "$dir/winjunk.txt" > "$dir/wj.out" 2>&1
grep -q "winjunk.txt:6: expected" "$dir/wj.out" || fail "junk after a Windows header: line 6 not named: $(head -5 "$dir/wj.out")"
[ "$(grep -c "winjunk.txt:[0-9]*: expected" "$dir/wj.out")" = 3 ] || fail "--max-errors 3: $(head -8 "$dir/wj.out")"
grep -q "1 sockets, 85000 bad lines" "$dir/wj.out" || fail "junk after a Windows header: $(tail -2 "$dir/wj.out")"
# localized output, -b owner lines: no bad line
for v in an ano anob ano_de ano_utf16; do
	rm -f "$dir/w.db"*
	"$S" import --no-progress -d "$dir/w.db" "$data/windows/netstat_$v.txt" > "$dir/wj.out" 2>&1
	grep -q " 0 bad lines" "$dir/wj.out" || fail "netstat_$v.txt: $(tail -2 "$dir/wj.out")"
done

pass "mixed dir, idempotence, stdin, times, cron split, bad lines, junk after a Windows header, exit codes"
