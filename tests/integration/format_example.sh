# format_example — docs/FORMAT.md §6's example is a test vector: cut out of
# the document itself, its bytes read by the real reader as one intact
# snapshot (the DATA lengths and the END checksum as documented), its
# sections and rows as shown; the documented CRC-32C matches one computed
# independently here; and one changed byte makes the reader refuse it.
# Usage: sh tests/integration/format_example.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
S=$SOCKSCOPE
doc=${FORMAT_DOC:-docs/FORMAT.md}
command -v python3 > /dev/null 2>&1 || skip "needs python3 (apt-get install python3) to cut the example out"
[ -f "$doc" ] || fail "missing $doc"

# the indented block after "## 6. Example", four spaces removed; the
# documented CRC computed independently (bitwise CRC-32C, FORMAT.md §2.2)
python3 - "$doc" "$dir/example" > "$dir/py.out" <<'PY' || fail "cutting the example: $(cat "$dir/py.out")"
import sys
doc = open(sys.argv[1], encoding='utf-8').read()
sec = doc[doc.index('## 6. Example'):].split('\n')[1:]
blk, started = [], False
for l in sec:
    if l.startswith('    '):
        blk.append(l[4:]); started = True
    elif l == '' and started:
        blk.append('')
    elif started:
        break
while blk and blk[-1] == '':
    blk.pop()
data = ('\n'.join(blk) + '\n').encode()
open(sys.argv[2], 'wb').write(data)
def crc32c(d):
    c = 0xFFFFFFFF
    for x in d:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xFFFFFFFF
assert crc32c(b'123456789') == 0xe3069283
end = data.rindex(b'END ')
print('%08x %s' % (crc32c(data[:end]), data[end:].split()[2].decode()))
PY
read -r computed documented < "$dir/py.out"
[ "$computed" = "$documented" ] || fail "documented CRC $documented, the bytes' CRC-32C is $computed"

"$S" verify "$dir/example" > "$dir/v" 2> "$dir/v.err" || fail "verify: $(cat "$dir/v" "$dir/v.err")"
grep -q ': good=1 bad=0 junk=0 frame=plain$' "$dir/v" || fail "verify: $(cat "$dir/v")"
"$S" dump --list "$dir/example" > "$dir/list" || fail "dump --list"
printf '42\t2026-11-25T14:10:00.250117Z\tweb1\tburst: syn_recv 1873 >= 256\t[sockets][netstat -na]\n' > "$dir/want"
diff "$dir/want" "$dir/list" > "$dir/d" || fail "dump --list: $(cat "$dir/d")"
"$S" dump --section 'netstat -na' "$dir/example" | grep -q '^tcp        0      0 0.0.0.0:80  ' ||
	fail "netstat -na section"
"$S" import -q -d "$dir/db" "$dir/example" 2> "$dir/i.err" || fail "import: $(cat "$dir/i.err")"
row=$("$S" query -d "$dir/db" "SELECT host, seq, proto, state, lport, program, pid FROM sockets JOIN snapshots ON snapshots.id = sockets.snapshot_id") ||
	fail "query"
[ "$row" = "$(printf 'web1\t42\ttcp\tLISTEN\t80\tnginx\t812')" ] || fail "imported row: $row"

# the vector can fail: a changed byte under the checksum is refused
sed 's/LISTEN$/LISTEM/' "$dir/example" > "$dir/bad"
cmp -s "$dir/example" "$dir/bad" && fail "sed changed nothing"
"$S" verify "$dir/bad" > "$dir/v" 2> "$dir/v.err" && fail "a changed byte verified: $(cat "$dir/v")"
grep -q 'good=0 bad=1' "$dir/v" || fail "changed byte: $(cat "$dir/v")"
pass "FORMAT.md's example: CRC $documented real, one intact snapshot with the documented sections and row"
