# demo — `make demo`'s script (samples/demo.sh) runs through: it records
# this machine, imports the sample incident and shows the review, ending with
# the nft block-list of exactly the sample's attackers, the spoofed flood
# called so, and the commands to explore further.
# Usage: sh tests/integration/demo.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
TMPDIR=$dir sh samples/demo.sh "$BUILD" > "$dir/out" 2>&1 || fail "samples/demo.sh failed: $(tail -20 "$dir/out")"
for want in '^== 1\. Three snapshots of this machine' ': good=3 bad=0 junk=0 frame=complete$' \
	'^spikes  *SYN_RECV on victim  *2026-11-25T20:50:50Z \.\. 2026-11-25T20:50:59Z' \
	'^198\.51\.100\.0/24  *1024 ' \
	'^block 198\.51\.100\.0/24, score ' '^spoofed: a SYN flood of up to 2,000 SYN_RECV' \
	'elements = { 198\.51\.100\.0/24, 203\.0\.113\.0/24, 198\.18\.0\.5/32, 198\.18\.0\.6/32, 198\.18\.7\.9/32 }' \
	'^The report: .*/incident-report\.html ' '^== Explore further'; do
	grep -q -- "$want" "$dir/out" || fail "the demo's output lacks /$want/"
done
html=$(sed -n 's/^The report: \(.*\.html\) .*/\1/p' "$dir/out")
[ -s "$html" ] && grep -q '198\.51\.100\.0/24' "$html" || fail "the demo's report $html is missing or empty"
[ -z "$(ls "$dir")" ] || [ "$(ls "$dir")" = out ] || fail "the demo left files in TMPDIR: $(ls "$dir")"
pass "make demo's script: recorded this machine, reviewed the sample incident, the nft list of its 5 attackers"
