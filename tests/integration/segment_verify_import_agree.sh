# segment_verify_import_agree — `sockscope verify` and `sockscope import`
# judge a damaged segment alike (common/segread.c decides for both): the
# same damaged files (torn mid-snapshot, a flipped byte under the checksum,
# a zstd frame cut inside a block or between blocks, garbage appended, a
# second frame, plain text torn) give the same verdict (exit status 0 or 1)
# and the same number of intact snapshots.
# Usage: sh tests/integration/segment_verify_import_agree.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
seg=samples/incident/sockscope-victim-20261125T205045Z.zst
command -v zstd > /dev/null 2>&1 || skip "needs zstd(1) (apt-get install zstd) to build damaged segments"
command -v python3 > /dev/null 2>&1 || skip "needs python3 to flip bytes"
[ -f "$seg" ] || fail "missing $seg"

d=$dir/cases; mkdir "$d"
zstd -dqc "$seg" > "$d/plain.txt" || fail "zstd -d"
size=$(wc -c < "$seg")
tsize=$(wc -c < "$d/plain.txt")
cp "$seg" "$d/intact.zst"
# cuts of the compressed file: inside blocks and (by luck) between them
for off in 1000 50000 123457 250000 400000 555555 700001 $((size - 1)); do
	head -c "$off" "$seg" > "$d/cut$off.zst"
done
# a frame cut exactly after a flushed block: the recorder's own state
# while it writes (the first block boundary python finds from the frame)
python3 - "$seg" "$d/open.zst" <<'PY' || fail "block boundary"
import sys
b = open(sys.argv[1], 'rb').read()
# frame header: magic, descriptor (window/FCS flags), window byte, FCS
fhd = b[4]
single = (fhd >> 5) & 1
fcs = [0, 2, 4, 8][fhd >> 6] if (fhd >> 6) or not single else (1 if single else 0)
if (fhd >> 6) == 0 and single:
    fcs = 1
did = [0, 1, 2, 4][fhd & 3]
pos = 4 + 1 + (0 if single else 1) + did + fcs
ends = []
while pos + 3 <= len(b):
    h = int.from_bytes(b[pos:pos + 3], 'little')
    last, typ, size = h & 1, (h >> 1) & 3, h >> 3
    pos += 3 + (1 if typ == 1 else size)
    ends.append(pos)
    if last:
        break
open(sys.argv[2], 'wb').write(b[:ends[len(ends) // 2]])
PY
# torn mid-snapshot (text cut, then compressed whole), and as plain text
head -c $((tsize * 2 / 3)) "$d/plain.txt" > "$d/torn.txt"
zstd -qc "$d/torn.txt" > "$d/torn.zst"
# one byte flipped inside a snapshot's sockets rows: its checksum fails
python3 - "$d/plain.txt" "$d/crc.txt" <<'PY' || fail "flip"
import sys
t = open(sys.argv[1], 'rb').read()
i = t.index(b'\n', len(t) // 2) + 5
open(sys.argv[2], 'wb').write(t[:i] + bytes([t[i] ^ 0x20]) + t[i + 1:])
PY
zstd -qc "$d/crc.txt" > "$d/crc.zst"
# garbage after the frame, and a second (valid) frame after a first
{ cat "$seg"; printf 'GARBAGE\001\002\003 appended by a broken copy'; } > "$d/garbage.zst"
{ head -c 100000 "$d/plain.txt"; } | zstd -qc > "$d/a.zst"
cat "$seg" "$d/a.zst" > "$d/twoframes.zst"

n=0
for f in "$d"/*.zst "$d"/*.txt; do
	n=$((n + 1))
	"$S" verify "$f" > "$dir/v.out" 2> "$dir/v.err"; vrc=$?
	good=$(sed -n 's/.* good=\([0-9]*\) .*/\1/p' "$dir/v.out")
	rm -f "$dir/db"
	"$S" import -q -d "$dir/db" "$f" > /dev/null 2> "$dir/i.err"; irc=$?
	snaps=$("$S" query -d "$dir/db" "SELECT count(*) FROM snapshots") || fail "query"
	dups=$(sed -n 's/.*; \([0-9]*\) snapshots* already imported.*/\1/p' "$dir/i.err")
	case $vrc$irc in 00|11) ;; *)
		fail "$(basename "$f"): verify exit $vrc, import exit $irc: $(cat "$dir/v.out" "$dir/v.err" "$dir/i.err")" ;;
	esac
	[ "${good:-x}" = $((snaps + ${dups:-0})) ] ||
		fail "$(basename "$f"): verify good=$good, import $snaps snapshots (+${dups:-0} duplicates): $(cat "$dir/v.out" "$dir/i.err")"
done
[ $n -ge 16 ] || fail "only $n cases"
pass "$n damaged and intact segments: verify and import agree on the verdict and the intact snapshots"
