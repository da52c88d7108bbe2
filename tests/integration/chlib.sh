# chlib.sh — local ClickHouse servers for the fleet tests and benchmark,
# sourced after lib.sh: two servers on 127.0.0.1 forming the 2-shard cluster
# "fleet", run as the clickhouse user from a private temp dir, killed on exit.
#   ch_need; ch_cluster_start   -> CH_URL1, CH_URL2, CH_USER, CH_PASS
#   ch_kill9 N; ch_start N       (kill -9 / restart server N)

CH_SERVER=${CH_SERVER:-/usr/sbin/clickhouse-server}
CH_PIDS=""

ch_need() {
	[ -x "$CH_SERVER" ] || skip "clickhouse-server not installed (apt-get install clickhouse-server clickhouse-client)"
	command -v curl >/dev/null 2>&1 || skip "needs curl"
	if [ "$(id -u)" = 0 ]; then
		id clickhouse >/dev/null 2>&1 || skip "no clickhouse user (the package creates it)"
		command -v setpriv >/dev/null 2>&1 || skip "needs setpriv (util-linux)"
		# setpriv execs the server: its pid is the server's, for kill -9
		CH_RUN="setpriv --reuid=clickhouse --regid=clickhouse --init-groups --"
	elif [ "$(id -un)" = clickhouse ]; then
		CH_RUN=""
	else
		skip "needs root (to run servers as the clickhouse user) or to be that user"
	fi
}

# a free TCP port on 127.0.0.1 (bounded tries)
ch_port() {
	i=0
	while [ $i -lt 50 ]; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))
		ss -ltn 2>/dev/null | grep -q ":$p " || { echo $p; return 0; }
		i=$((i + 1))
	done
	return 1
}

ch_config() { # N
	d=$SST_TMP/ch$1
	mkdir -p "$d/data" "$d/tmp" "$d/uf"
	cat > "$d/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$d/log</log><errorlog>$d/err.log</errorlog><console>0</console></logger>
  <http_port>$(eval echo \$CH_HTTP$1)</http_port>
  <tcp_port>$(eval echo \$CH_TCP$1)</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/uf/</user_files_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>104857600</mark_cache_size>
  <uncompressed_cache_size>104857600</uncompressed_cache_size>
  <remote_servers><fleet>
    <shard><replica><host>127.0.0.1</host><port>$CH_TCP1</port></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>$CH_TCP2</port></replica></shard>
  </fleet></remote_servers>
</yandex>
XML
	cat > "$d/users.xml" <<XML
<yandex>
 <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
 <users>
  <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
  <$CH_USER><password>$CH_PASS</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></$CH_USER>
 </users>
 <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

ch_start() { # N: starts server N, waits (bounded) for /ping
	$CH_RUN "$CH_SERVER" --config-file="$SST_TMP/ch$1/config.xml" >"$SST_TMP/ch$1/out" 2>&1 &
	eval CH_PID$1=$!
	CH_PIDS="$CH_PIDS $!"
	port=$(eval echo \$CH_HTTP$1)
	i=0
	while [ $i -lt 150 ]; do
		curl -s "http://127.0.0.1:$port/ping" 2>/dev/null | grep -q Ok && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$SST_TMP/ch$1/err.log" "$SST_TMP/ch$1/out" >&2 2>/dev/null
	fail "clickhouse-server $1 did not start on port $port"
}

ch_kill9() { # N
	pid=$(eval echo \$CH_PID$1)
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	i=0
	port=$(eval echo \$CH_HTTP$1)
	while [ $i -lt 50 ] && curl -s "http://127.0.0.1:$port/ping" >/dev/null 2>&1; do
		sleep 0.1; i=$((i + 1))
	done
}

ch_on_exit() {
	rc=$?
	for p in $CH_PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $CH_PIDS; do wait "$p" 2>/dev/null; done
	(exit $rc)
	sst_on_exit
}

ch_cluster_start() {
	sst_tmpdir
	chmod 755 "$SST_TMP"
	CH_USER=shipper
	CH_PASS=pw$$x
	CH_HTTP1=$(ch_port) && CH_TCP1=$(ch_port) && CH_HTTP2=$(ch_port) && CH_TCP2=$(ch_port) ||
		fail "no free ports"
	ch_config 1
	ch_config 2
	[ -z "$CH_RUN" ] || chown -R clickhouse "$SST_TMP/ch1" "$SST_TMP/ch2"
	trap 'ch_on_exit' EXIT
	ch_start 1
	ch_start 2
	CH_URL1=http://127.0.0.1:$CH_HTTP1
	CH_URL2=http://127.0.0.1:$CH_HTTP2
}

# chq URL SQL: prints the answer (TSV); fails the test on an error. URL may
# carry settings: $CH_URL1/?insert_distributed_sync=1
chq() {
	chq_out=$(curl -sS -H "X-ClickHouse-User: $CH_USER" -H "X-ClickHouse-Key: $CH_PASS" \
		-w '\n%{http_code}' "$1" --data-binary "$2") || { fail "query failed: $2" >&2; }
	case $chq_out in
	*"
200") printf '%s\n' "${chq_out%
200}" | sed '/^$/d' ;;
	*) printf 'FAIL: %s: query failed: %s: %s\n' "$SST_TEST" "$2" "$chq_out" >&2; exit 1 ;;
	esac
}
