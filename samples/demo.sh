#!/bin/sh
# make demo: record this machine three times, import that and the sample
# incident (samples/incident, a real SYN flood recorded in a network
# namespace) into a demo database, and walk through the review: summary,
# the SYN_RECV timeline, the spikes, the top attacker subnets and the nft
# block-list with its evidence; then the whole review as one HTML page
# (sockscope report), whose path it prints. No network needed, root or not.
#   sh samples/demo.sh BUILD_DIR
set -eu
BUILD=${1:-build}
REC=$BUILD/sockscope-recorder
S=$BUILD/sockscope
DB=$BUILD/demo.db
dir=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

bold() { if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() { printf '$ %s\n' "$*"; "$@"; }

bold "== 1. Three snapshots of this machine, one a second"
run "$REC" -o "$dir/rec" -i 1 --count 3 -v
seg=$(ls "$dir"/rec/*.zst)
run "$S" verify "$seg"

bold "== 2. Into a database, with the sample incident (samples/README.md)"
rm -f "$DB" "$DB-wal" "$DB-shm"
run "$S" import -q -d "$DB" "$seg" samples/incident
run "$S" sources -d "$DB"

bold "== 3. This machine, now: the busiest peers and the listeners"
host=$(uname -n)
run "$S" top -d "$DB" --host "$host" -n 5
run "$S" ports -d "$DB" --host "$host"

bold "== 4. The incident: the review's first page"
run "$S" summary -d "$DB" --host victim

bold "== 5. When: SYN_RECV per second, and the spikes"
run "$S" timeline -d "$DB" --host victim --state SYN_RECV,ESTABLISHED --bucket 1s
run "$S" spikes -d "$DB" --host victim

bold "== 6. Who: the subnets holding SYN_RECV at the peak, the peers holding connections"
run "$S" top -d "$DB" --host victim --by subnet --state SYN_RECV -n 5
run "$S" top -d "$DB" --host victim --state ESTABLISHED -n 5

bold "== 7. What to block: nft, with the evidence (stderr) and the spoofed flood called so"
run "$S" blocklist -d "$DB" --host victim --format nft --ttl 1d --explain

bold "== 8. All of it as one page to share: self-contained HTML, no script"
run "$S" report -d "$DB" --host victim -o "$BUILD/incident-report.html"
echo "The report: $BUILD/incident-report.html (open it in a browser; it fetches nothing)"

bold "== Explore further"
cat <<EOF
  $S summary -d $DB --host victim
  $S top -d $DB --host victim --by subnet --state SYN_RECV --at 2026-11-25T20:50:53Z
  $S netstat -d $DB --host victim --at 2026-11-25T20:50:53Z -- -ntu | head
  $S blocklist -d $DB --host victim --format iptables --explain
  $S query -d $DB "SELECT state, count(*) FROM sockets GROUP BY 1"
  man -l docs/sockscope.1        # every command; docs/BLOCKLIST.md, docs/REPORTS.md
EOF
