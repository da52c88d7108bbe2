#!/bin/sh
# format1_fixture — segments written in format 1 are read forever: a fixed
# version 1 segment (the first three snapshots of samples/incident, kept here
# so that re-recording the sample cannot drop the case) verifies, lists,
# dumps to the same bytes as before format 2 existed, and imports.
# Usage: sh tests/integration/format1_fixture.sh BUILD_DIR
. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir
T=$SST_TMP
SEG=$(cd "$(dirname "$0")/../data/format1" && pwd)/sockscope-victim-v1-head.zst

"$SOCKSCOPE" verify "$SEG" > "$T/v" 2>&1 || fail "verify: $(cat "$T/v")"
grep -q ': good=3 bad=0 junk=0 frame=complete$' "$T/v" || fail "verify: $(cat "$T/v")"
grep -q 'format 2' "$T/v" && fail "a format 1 segment reported as format 2: $(cat "$T/v")"
[ "$("$SOCKSCOPE" dump --list "$SEG" | cut -f1 | tr '\n' ' ')" = "1 2 3 " ] || fail "dump --list"
# the digest of sockscope dump as printed before format 2 was added
sum=$("$SOCKSCOPE" dump "$SEG" | sha256sum | cut -d' ' -f1)
[ "$sum" = 76df6b252f7094c0429293abf5f1fe38e5ccb40860011cc7e2d89ebc3caac231 ] ||
	fail "dump of the format 1 fixture changed: $sum"
"$SOCKSCOPE" import -q -d "$T/f.db" "$SEG" > "$T/imp" 2>&1 || fail "import: $(cat "$T/imp")"
grep -q 'imported 1 source.*: 3 snapshots' "$T/imp" || fail "import: $(cat "$T/imp")"
# the whole incident as recorded in format 1, and samples/incident (the same
# snapshots in format 2, tests/tools/transcode): the same decoded bytes
V1=$(dirname "$SEG")/sockscope-victim-20261125T205045Z-v1.zst
V2=$(cd "$(dirname "$0")/../../samples/incident" && pwd)/sockscope-victim-20261125T205045Z.zst
"$SOCKSCOPE" verify "$V1" 2>&1 | grep -q ': good=39 bad=0 junk=0 frame=complete$' || fail "verify $V1"
"$SOCKSCOPE" dump --raw "$V1" > "$T/v1" || fail "dump $V1"
"$SOCKSCOPE" dump --raw "$V2" > "$T/v2" || fail "dump $V2"
cmp -s "$T/v1" "$T/v2" || fail "samples/incident does not decode to its format 1 recording"
pass "format 1 fixtures: verify, dump as before, import; samples/incident decodes to its format 1 recording"
