# report_ports — `sockscope ports` and `sockscope programs` on
# tests/data/reports/listeners.txt (a netstat -tanpu dump, every number
# countable by eye): listeners with their programs and addresses (v4 and v6
# on one port), who connected to each, UDP bound and connected; per program
# its sockets, listening ports, connections and peers.
# Usage: sh tests/integration/report_ports.sh BUILD_DIR

. "$(dirname "$0")/lib.sh"
tools_dir "$1"
sst_tmpdir; dir=$SST_TMP
data=${TEST_DATA_DIR:-tests/data}
f=$data/reports/listeners.txt
S=$SOCKSCOPE

"$S" ports -o csv -f "$f" > "$dir/ports" 2> "$dir/err" || fail "ports: $(cat "$dir/err")"
cat > "$dir/want" <<'EOT'
proto,port,programs,listen,conns,peers,states,snapshots
tcp,80,nginx: master,"0.0.0.0,::",4,3,"ESTABLISHED 2, SYN_RECV 2",1/1
tcp,22,sshd,0.0.0.0,1,1,ESTABLISHED 1,1/1
udp,53,named,0.0.0.0,1,1,ESTABLISHED 1,1/1
EOT
diff "$dir/want" "$dir/ports" > "$dir/d" || fail "ports: $(cat "$dir/d")"

"$S" programs -o csv -f "$f" > "$dir/progs" 2> "$dir/err" || fail "programs: $(cat "$dir/err")"
cat > "$dir/want" <<'EOT'
program,sockets,listening,conns,peers,snapshots
-,2,,2,1,1/1
named,2,udp/53,1,1,1/1
nginx: master,2,tcp/80,0,0,1/1
nginx: worker,2,,2,2,1/1
curl,1,,1,1,1/1
sshd,1,tcp/22,0,0,1/1
sshd: admin,1,,1,1,1/1
EOT
diff "$dir/want" "$dir/progs" > "$dir/d" || fail "programs: $(cat "$dir/d")"

# filters apply: only port 22's sockets
"$S" ports -o csv --port 22 -f "$f" | tail -n +2 > "$dir/p22"
[ "$(cat "$dir/p22")" = "tcp,22,sshd,0.0.0.0,1,1,ESTABLISHED 1,1/1" ] || fail "--port 22: $(cat "$dir/p22")"
"$S" programs -o csv --proto udp -f "$f" | tail -n +2 > "$dir/pu"
[ "$(cat "$dir/pu")" = "named,2,udp/53,1,1,1/1" ] || fail "--proto udp: $(cat "$dir/pu")"
# the tables, as golden
"$S" ports -f "$f" > "$dir/ports.txt" || fail "ports table"
golden "$data/reports/golden/ports.txt" "$dir/ports.txt" "the ports table"
"$S" programs -f "$f" > "$dir/progs.txt" || fail "programs table"
golden "$data/reports/golden/programs.txt" "$dir/progs.txt" "the programs table"
pass "ports and programs: listeners, addresses, connections, peers, filters; golden tables"
