# readme_tour — the README's "60-second tour" is true: every `$ sockscope`
# command in its console block runs against samples/incident and prints
# exactly what the README shows (the import's speed aside).
# Usage: sh tests/integration/readme_tour.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
root=$(pwd)
[ -d "$root/samples/incident" ] || fail "run from the repository root (samples/incident)"
awk '/^## A 60-second tour/ { on = 1 } on && /^```console$/ { blk = 1; next }
	blk && /^```$/ { exit } blk' README.md > "$dir/want"
[ -s "$dir/want" ] || fail "no console block in the README's tour"
grep '^\$ sockscope ' "$dir/want" | sed 's/^\$ //' > "$dir/cmds"
n=$(wc -l < "$dir/cmds")
[ "$n" -ge 5 ] || fail "only $n commands in the tour"
ln -s "$root/samples" "$dir/samples" || fail "link samples"
: > "$dir/got"
while IFS= read -r cmd; do
	printf '$ %s\n' "$cmd" >> "$dir/got"
	(cd "$dir" && PATH=$BUILD:$PATH sh -c "$cmd" >> "$dir/got" 2>&1) ||
		fail "README tour command failed: $cmd"
done < "$dir/cmds"
speed='s/in [0-9.]* s ([0-9]* sockets\/s)/in N s (N sockets\/s)/'
sed "$speed" "$dir/want" > "$dir/want.n"
sed "$speed" "$dir/got" > "$dir/got.n"
diff -u "$dir/want.n" "$dir/got.n" > "$dir/diff" ||
	fail "the README's tour no longer shows what sockscope prints:
$(head -40 "$dir/diff")"
pass "$n tour commands print exactly what the README shows"
