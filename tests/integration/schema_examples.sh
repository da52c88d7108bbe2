# schema_examples — every ```sql block of docs/SCHEMA.md runs without error
# through `sockscope query` on a database holding a real recording and
# foreign dumps, so the documented queries stay true to the schema.
# Usage: sh tests/integration/schema_examples.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
"$RECORDER" -q -o "$dir/rec" -i 0.2 --count 3 --host web1 || fail "recorder"
"$SOCKSCOPE" import -q -d "$dir/t.db" "$dir/rec" || fail "import segment"
"$SOCKSCOPE" import -q -d "$dir/t.db" --host web2 --at 2026-11-25T13:54:00Z \
	"$data/ss/ss_tanp.txt" "$data/windows/netstat_ano.txt" || fail "import dumps"
awk -v d="$dir" '/^```sql$/ { n++; on = 1; f = sprintf("%s/q%02d.sql", d, n); next }
	/^```/ { on = 0 } on { print > f }' docs/SCHEMA.md
n=0
for q in "$dir"/q*.sql; do
	[ -f "$q" ] || fail "no sql block in docs/SCHEMA.md"
	n=$((n + 1))
	"$SOCKSCOPE" query -d "$dir/t.db" "$(cat "$q")" > "$dir/out" 2>&1 ||
		fail "SCHEMA.md query $n failed: $(cat "$dir/out")
$(cat "$q")"
done
pass "$n SCHEMA.md queries ran"
