# import_processes — a segment's processes section (a row per socket inode)
# becomes a row per process: the first line of a pid names it, its other
# lines count sockets and are only checked (a bad escape on any line is a
# bad line, skipped, wherever the pid was first seen); "\-" is a program
# named "-", "-" none. No root needed.
# Usage: sh tests/integration/import_processes.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to write the segment"

PYTHONPATH=$(dirname "$0")/../tools python3 - "$dir/p.seg" <<'PY' || fail "writing the segment"
import sys
from segfmt import crc32c

procs = (b"inode\tpid\tprogram\tcomm\n"
         b"11\t100\tnginx\tnginx\n"
         b"12\t100\tnginx\tnginx\n"
         b"13\t100\tngi\\xnx\tnginx\n"          # an unknown escape, pid known: bad
         b"14\t100\ta\\tb\t-\n"                 # pid known: counted, names ignored
         b"15\t200\t\\-\tcomm\\\\x\n"           # "-" named; comm "comm\x"
         b"16\t200\t-\t-\n"
         b"17\t100\tnginx\tng\rinx\n"           # a raw CR, pid known: bad
         b"18\t300\tlone\\\tx\n"                # a lone backslash, new pid: bad
         b"19\t300\t-\t-\n")                    # so 300 has no name
out = (b"SOCKSCOPE 1\nhost: web1\ntime: 2026-11-25T14:10:00.000000Z\nseq: 1\n"
       b"interval: 1.000000\nreason: start\n\nSECTION processes\nDATA %d\n" % len(procs) + procs)
out += b"END 1 %08x\n" % crc32c(out)
open(sys.argv[1], "wb").write(out)
PY
"$S" import -d "$dir/db" "$dir/p.seg" > "$dir/out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "import exit $rc, expected 1 (bad lines): $(cat "$dir/out")"
grep -q " 3 bad lines" "$dir/out" || fail "expected 3 bad lines: $(cat "$dir/out")"
"$S" query -d "$dir/db" "SELECT pid, coalesce(program, 'NULL'), coalesce(comm, 'NULL'), sockets
	FROM processes ORDER BY pid" > "$dir/got" || fail "query processes"
# query's TSV escapes the backslash
printf '100\tnginx\tnginx\t3\n200\t-\tcomm\\\\x\t2\n300\tNULL\tNULL\t1\n' > "$dir/want"
golden "$dir/want" "$dir/got" "processes: a row per pid, names from its first line"
pass "a row per process; a pid's later lines counted and checked (3 bad lines: unknown escape, raw CR, lone backslash)"
