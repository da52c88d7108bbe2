# spans_segment — a recording imported as spans gives back each snapshot's
# socket rows exactly as the segment holds them (every column but the
# timer's, which a span keeps from its last snapshot), also when a snapshot
# in the middle is torn (it is skipped and the spans around it do not bridge
# it) and when the segment ends in a torn snapshot (issue 17).
# Usage: sh tests/integration/spans_segment.sh BUILD_DIR
# run.sh: once (one of the longest scripts: run under ASan/UBSan only, to keep make test within its budget)

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
command -v zstd > /dev/null 2>&1 || skip "needs zstd (apt-get install zstd)"
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3)"
# the format 1 copy of samples/incident: its snapshots are plain text to damage
REC=${TEST_DATA_DIR:-tests/data}/format1/sockscope-victim-20261125T205045Z-v1.zst
[ -f "$REC" ] || fail "no format 1 recording: $REC"

# seq 12's sockets section damaged (a byte of its first row: the CRC no
# longer holds), and the last snapshot cut short
zstd -qdc "$REC" > "$dir/raw" || fail "zstd -d"
python3 - "$dir/raw" "$dir/torn" <<'EOT' || fail "cannot damage the copy"
import sys
raw = open(sys.argv[1], "rb").read()
starts = [i for i in range(len(raw)) if raw.startswith(b"SOCKSCOPE 1\n", i) and (i == 0 or raw[i - 1] == 10)]
s12 = starts[11]
row = raw.index(b"\ntcp\t", raw.index(b"\nSECTION sockets", s12)) + 1
raw = raw[:row] + b"udp" + raw[row + 3:]
cut = starts[-1] + (len(raw) - starts[-1]) // 2
open(sys.argv[2], "wb").write(raw[:cut])
EOT
zstd -q -c "$dir/torn" > "$dir/torn.zst" || fail "zstd"
"$S" import -q --no-progress -d "$dir/t.db" "$dir/torn.zst" > "$dir/imp" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "import of a torn segment: exit $rc, expected 1: $(cat "$dir/imp")"
n=$("$S" query -d "$dir/t.db" "SELECT count(*) || ' ' || group_concat(seq) FROM (SELECT seq FROM snapshots WHERE seq IN (11, 12, 13, 38, 39) ORDER BY seq)")
[ "$n" = "3 11,13,38" ] || fail "kept snapshots around the torn ones: $n, want 11, 13, 38"
[ "$("$S" query -d "$dir/t.db" "SELECT count(DISTINCT chain) FROM snapshots")" = 2 ] ||
	fail "the torn seq 12 did not end the chain: $("$S" query -d "$dir/t.db" 'SELECT seq, chain, k FROM snapshots')"

# every kept snapshot: the view's rows are the segment's, as a multiset
for seq in $("$S" query -d "$dir/t.db" "SELECT seq FROM snapshots ORDER BY seq"); do
	"$S" dump --section sockets --seq "$seq" "$REC" | tail -n +2 | cut -f1-11,15,16 | sort > "$dir/want"
	"$S" query -d "$dir/t.db" "SELECT k.proto, k.family, k.state, k.laddr, k.lport, k.raddr, k.rport,
		k.rxq, k.txq, k.uid, k.inode, coalesce(k.pid, '-'), coalesce(k.program, '-')
		FROM snapshots s JOIN sockets k ON k.snapshot_id = s.id WHERE s.seq = $seq" | sort > "$dir/got"
	cmp -s "$dir/want" "$dir/got" ||
		fail "seq $seq: the rows from spans differ from the segment's: $(diff "$dir/want" "$dir/got" | head -4)"
done
# a recorder snapshot is recognised by its key, never by content: no digest
# (docs/SCHEMA.md §7)
n=$("$S" query -d "$dir/t.db" "SELECT count(*) FROM snapshots WHERE seq IS NULL OR digest IS NOT NULL")
[ "$n" = 0 ] || fail "$n segment snapshots without seq or with a digest"
kept=$("$S" query -d "$dir/t.db" "SELECT count(*) FROM snapshots")
spans=$("$S" query -d "$dir/t.db" "SELECT count(*) FROM spans")
pass "$kept snapshots of a segment with a torn one in the middle and at the end: each one's rows come back from $spans spans exactly; the torn seq 12 ends the chain"
