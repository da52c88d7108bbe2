#!/bin/sh
# make demo: record this machine three times, show what a snapshot holds,
# import it with saved foreign dumps into a database and ask it.
#   sh samples/demo.sh BUILD_DIR
set -eu
BUILD=${1:-build}
REC=$BUILD/sockscope-recorder
SOCKSCOPE=$BUILD/sockscope
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

bold() { if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

bold "== Recording three snapshots of this machine, one per second"
echo "\$ $REC -o $dir -i 1 --count 3 -v"
"$REC" -o "$dir" -i 1 --count 3 -v
seg=$(ls "$dir"/*.zst)
echo
bold "== The segment ($(stat -c %s "$seg") bytes for 3 snapshots), verified"
"$SOCKSCOPE" verify "$seg"
"$SOCKSCOPE" dump --list "$seg" | cut -f1-4
echo
bold "== What the article's 'netstat -na' showed at the last snapshot"
"$SOCKSCOPE" dump --section 'netstat -na' --seq 3 "$seg" | head -15
echo
bold "== Sockets by state (from the sockets section, sock_diag)"
"$SOCKSCOPE" dump --section sockets --seq 3 "$seg" | awk -F'\t' 'NR > 1 { n[$1 " " $3]++ } END { for (k in n) printf "%6d  %s\n", n[k], k }' | sort -rn
echo
bold "== 'netstat -n -p | grep SYN_REC | wc -l', at each snapshot"
for s in 1 2 3; do printf 'seq %s: %s\n' "$s" "$("$SOCKSCOPE" dump --section 'netstat -n -p' --seq "$s" "$seg" | grep -c SYN_REC || true)"; done
echo
bold "== SYN flood counters at the last snapshot"
"$SOCKSCOPE" dump --section counters --seq 3 "$seg" | grep -E '^TcpExt\.(SyncookiesSent|SyncookiesFailed|ListenOverflows|ListenDrops|TCPReqQFullDrop|TCPReqQFullDoCookies)	'
echo
bold "== Imported into SQLite, with a saved Windows and an ss dump"
db=$dir/demo.db
"$SOCKSCOPE" import -q -d "$db" "$seg"
"$SOCKSCOPE" import -q -d "$db" --host winbox --at 2026-11-25T13:54:00Z tests/data/windows/netstat_ano.txt
"$SOCKSCOPE" import -q -d "$db" --host linuxbox --at 2026-11-25T13:55:00Z tests/data/ss/ss_tanp.txt
"$SOCKSCOPE" sources -d "$db" | cut -f1,3-6,8
echo
bold "== Sockets per host and state (sockscope query)"
"$SOCKSCOPE" query -d "$db" --header "SELECT s.host, k.state, count(*) AS n FROM sockets k JOIN snapshots s ON s.id = k.snapshot_id GROUP BY 1, 2 ORDER BY 1, 3 DESC"
echo
bold "== The review's first page (sockscope summary)"
"$SOCKSCOPE" summary -d "$db"
echo
bold "== Who: the busiest remote subnets (sockscope top --by subnet)"
"$SOCKSCOPE" top -d "$db" --by subnet -n 5
echo
bold "== What 'netstat -na' printed on winbox at 14:00 (replayed)"
"$SOCKSCOPE" netstat -q -d "$db" --host winbox --at 2026-11-25T14:00:00Z -- -na | head -8
echo
bold "== Explore further"
explore() { printf '  %-44s %s\n' "$1" "$2"; }
explore "$REC --help" "all recorder options (man docs/sockscope-recorder.8)"
explore "$REC -o /tmp/rec -i 1" "record every second until Ctrl-C"
explore "zstdcat /tmp/rec/*.zst | less" "every snapshot is plain text (docs/FORMAT.md)"
explore "build/sockscope import -d my.db DIR" "import recordings and saved netstat/ss dumps (man docs/sockscope.1)"
explore "build/sockscope spikes -d my.db" "when SYN_RECV or the cookie counters rose (docs/REPORTS.md)"
explore "netstat -ntu | build/sockscope top -" "the article's per-host count, correct for IPv6"
explore "build/sockscope query -d my.db SQL" "ask the database (docs/SCHEMA.md)"
explore "make test" "unit + network-namespace tests (SYN flood included)"
