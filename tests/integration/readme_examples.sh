# readme_examples — every command in the README's ```sh blocks runs and
# succeeds (against BUILD_DIR's binaries), so the README stays true.
# Usage: sh tests/integration/readme_examples.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
sst_tmpdir; dir=$SST_TMP
rm -rf /tmp/sockscope-readme
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' README.md |
	sed "s|build/|$BUILD/|g" > "$dir/cmds"
[ -s "$dir/cmds" ] || fail "no \`\`\`sh block in README.md"
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	sh -c "set -e; $cmd" > "$dir/out" 2>&1 || fail "README command $n failed: $cmd
$(cat "$dir/out")"
	[ -s "$dir/out" ] || case $cmd in *recorder*) ;; *) fail "README command $n printed nothing: $cmd" ;; esac
done < "$dir/cmds"
rm -rf /tmp/sockscope-readme
pass "$n README commands ran"
