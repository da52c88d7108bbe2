/* Unit tests for analyzer/filter: times (absolute, relative), states of
 * every platform, protocols, ports, and the SQL conditions they become,
 * run against a small database with known rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "db.h"
#include "filter.h"
#include "store.h"
#include "tcpstate.h"

#define T0 ((usec_t)1795614840 * USEC_PER_SEC)   /* 2026-11-25T13:54:00Z */

static void test_time(void **state)
{
	usec_t t;

	(void)state;
	assert_int_equal(filter_time_parse("now", T0, &t), 0);
	assert_true(t == T0);
	assert_int_equal(filter_time_parse("-2h", T0, &t), 0);
	assert_true(t == T0 - 7200 * USEC_PER_SEC);
	assert_int_equal(filter_time_parse("-1h30m", T0, &t), 0);
	assert_true(t == T0 - 5400 * USEC_PER_SEC);
	assert_int_equal(filter_time_parse("-1d", T0, &t), 0);
	assert_true(t == T0 - 86400 * USEC_PER_SEC);
	assert_int_equal(filter_time_parse("-90s", T0, &t), 0);
	assert_true(t == T0 - 90 * USEC_PER_SEC);
	assert_int_equal(filter_time_parse("2026-11-25T14:54:00+01:00", 0, &t), 0);
	assert_true(t == T0);
	assert_int_equal(filter_time_parse("@1795614840", 0, &t), 0);
	assert_true(t == T0);
	assert_int_equal(filter_time_parse("-", T0, &t), -EINVAL);
	assert_int_equal(filter_time_parse("-2x", T0, &t), -EINVAL);
	/* relative times read durations as every option does (duration.h) */
	assert_int_equal(filter_time_parse("-1.5h", T0, &t), 0);
	assert_true(t == T0 - 5400 * USEC_PER_SEC);
	assert_int_equal(filter_time_parse("-1w500ms", T0, &t), 0);
	assert_true(t == T0 - 604800 * USEC_PER_SEC - 500000);
	assert_int_equal(filter_time_parse("-2h ", T0, &t), -EINVAL);
	assert_int_equal(filter_time_parse("--2h", T0, &t), -EINVAL);
	/* the period a text names: --at and --until take its end */
	assert_int_equal(filter_time_span("2026-11-25T20:51:03Z"), 1000000);
	assert_int_equal(filter_time_span("2026-11-25 20:51:03+01:00"), 1000000);
	assert_int_equal(filter_time_span("2026-11-25T20:51:03.354Z"), 1000);
	assert_int_equal(filter_time_span("2026-11-25T20:51:03,5"), 100000);
	assert_int_equal(filter_time_span("2026-11-25T20:51:03.354675Z"), 1);
	assert_int_equal(filter_time_span("2026-11-25T20:51:03.123456789Z"), 1);
	assert_int_equal(filter_time_span("2026-11-25T20:51Z"), 60000000);
	assert_int_equal(filter_time_span("2026-11-25T20:51+01:00"), 60000000);
	assert_int_equal(filter_time_span("2026-11-25"), 86400000000);
	assert_int_equal(filter_time_span("@1795614840"), 1000000);
	assert_int_equal(filter_time_span("@1795614840.25"), 10000);
	assert_int_equal(filter_time_span("now"), 1);
	assert_int_equal(filter_time_span("-2h"), 1);
	assert_int_equal(filter_time_parse("-h", T0, &t), -EINVAL);
	assert_int_equal(filter_time_parse("-99999d", T0, &t), -EINVAL);
	assert_int_equal(filter_time_parse("yesterday", T0, &t), -EINVAL);
}

static void test_words(void **state)
{
	uint32_t m = 0;
	unsigned p = 0;
	int32_t port;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(filter_states_parse("SYN_REC,ESTAB,LISTENING,UNCONN,time-wait", &m, &bad), 0);
	assert_int_equal(m, 1u << ST_SYN_RECV | 1u << ST_ESTABLISHED | 1u << ST_LISTEN |
				    1u << ST_CLOSE | 1u << ST_TIME_WAIT);
	assert_int_equal(filter_states_parse("LISTEN,BOGUS", &m, &bad), -EINVAL);
	assert_string_equal(bad, "BOGUS");
	assert_int_equal(filter_states_parse("LISTEN,", &m, &bad), 0);
	assert_int_equal(filter_protos_parse("tcp,udp", &p), 0);
	assert_int_equal(p, FILTER_TCP | FILTER_UDP);
	assert_int_equal(filter_protos_parse("tcp6", &p), -EINVAL);
	assert_int_equal(filter_port_parse("80", &port), 0);
	assert_int_equal(port, 80);
	assert_int_equal(filter_port_parse("65536", &port), -EINVAL);
	assert_int_equal(filter_port_parse("http", &port), -EINVAL);
	assert_int_equal(filter_port_parse("-1", &port), -EINVAL);
	assert_int_equal(filter_port_parse("", &port), -EINVAL);
}

/* A database of two snapshots of two hosts with known rows. */
static sqlite3 *fixture_db(void)
{
	static const struct {
		int snap, proto, family, state;
		const char *la;
		int lp;
		const char *ra;
		int rp;
		const char *prog;
	} rows[] = {
		{0, IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.2", 80, "198.51.100.7", 40000, "nginx"},
		{0, IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.2", 8080, "198.51.100.8", 80, "java"},
		{0, IPPROTO_TCP, AF_INET, ST_SYN_RECV, "192.0.2.2", 180, "10.0.0.80", 1234, NULL},
		{0, IPPROTO_TCP, AF_INET6, ST_NEW_SYN_RECV, "::ffff:192.0.2.2", 80, "::ffff:203.0.113.9", 5555, NULL},
		{0, IPPROTO_UDP, AF_INET6, ST_CLOSE, "::", 53, "::", 0, "named"},
		{0, IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 80, "::", 0, "nginx"},
		{1, IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::1", 443, "2001:db8:1::9", 50000, "nginx"},
		{1, IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "192.0.2.3", 80, "198.51.100.7", 40001, NULL},
	};
	const char *hosts[] = {"web1", "web2"};
	char err[256];
	sqlite3 *db;
	struct store *s;
	int64_t src, snap[2];

	assert_int_equal(db_open(NULL, DB_MEMORY, &db, err, sizeof err), 0);
	assert_int_equal(store_new(db, &s, err, sizeof err), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_source_add(s, &(struct store_source){"x", "h", "ss", 1}, &src), 0);
	for (int i = 0; i < 2; i++) {
		struct store_snapshot sn = {src, hosts[i], T0 + i * 60 * USEC_PER_SEC, "at", -1,
					    NULL, NULL, NULL, -1, -1, 1};
		int n = 0;

		assert_int_equal(store_snapshot_add(s, &sn, &snap[i]), 0);
		for (size_t j = 0; j < sizeof rows / sizeof rows[0]; j++) {
			struct sock_row r;

			if (rows[j].snap != i)
				continue;
			memset(&r, 0, sizeof r);
			r.proto = (uint8_t)rows[j].proto;
			r.family = (uint8_t)rows[j].family;
			r.state = (uint8_t)rows[j].state;
			assert_int_equal(addr_parse(rows[j].la, strlen(rows[j].la), &r.local), 0);
			assert_int_equal(addr_parse(rows[j].ra, strlen(rows[j].ra), &r.remote), 0);
			r.lport = (uint16_t)rows[j].lp;
			r.rport = (uint16_t)rows[j].rp;
			r.program = rows[j].prog;
			r.pid = rows[j].prog ? 1 : 0;
			assert_int_equal(store_socket(s, snap[i], &r), 0);
			n++;
		}
		assert_int_equal(store_snapshot_finish(s, snap[i], (uint64_t)n), 0);
	}
	assert_int_equal(store_commit(s), 0);
	store_free(s);
	return db;
}

/* Rows of the fixture that f keeps. */
static long count(sqlite3 *db, const struct filter *f)
{
	struct filter_params p = {0};
	struct buf sql;
	sqlite3_stmt *st;
	long n;

	buf_init(&sql);
	assert_int_equal(buf_puts(&sql, "SELECT count(*) FROM snapshots s JOIN sockets k ON"
				       " k.snapshot_id = s.id WHERE 1"), 0);
	assert_int_equal(filter_sql_snapshots(f, &sql, &p), 0);
	assert_int_equal(filter_sql_sockets(f, &sql, &p), 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(filter_bind(st, &p), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	buf_fini(&sql);
	return n;
}

static void test_sql(void **state)
{
	sqlite3 *db = fixture_db();
	struct filter f;
	const char *bad;

	(void)state;
	filter_init(&f);
	assert_int_equal(count(db, &f), 8);
	/* --port 80 is the port field: not 8080, not 180, not 10.0.0.80 */
	f.port = 80;
	assert_int_equal(count(db, &f), 5);
	filter_init(&f);
	f.lport = 80;
	assert_int_equal(count(db, &f), 4);
	filter_init(&f);
	f.rport = 80;
	assert_int_equal(count(db, &f), 1);
	/* the article's SYN_REC, and a request socket stored as SYN_RECV */
	filter_init(&f);
	assert_int_equal(filter_states_parse("SYN_REC", &f.states, &bad), 0);
	assert_int_equal(count(db, &f), 2);
	/* UNCONN and CLOSE are one state */
	filter_init(&f);
	assert_int_equal(filter_states_parse("UNCONN", &f.states, &bad), 0);
	assert_int_equal(count(db, &f), 1);
	filter_init(&f);
	f.protos = FILTER_UDP;
	assert_int_equal(count(db, &f), 1);
	/* the peer's family: the mapped IPv6 peer counts as IPv4 */
	filter_init(&f);
	f.family = 6;
	assert_int_equal(count(db, &f), 3);
	f.family = 4;
	assert_int_equal(count(db, &f), 5);
	filter_init(&f);
	f.host = "web2";
	assert_int_equal(count(db, &f), 2);
	filter_init(&f);
	f.have_since = true;
	f.since = T0 + 1;
	assert_int_equal(count(db, &f), 2);
	f.have_since = false;
	f.have_until = true;
	f.until = T0;
	assert_int_equal(count(db, &f), 6);
	filter_init(&f);
	f.program = "nginx";
	assert_int_equal(count(db, &f), 3);
	/* hostile text is a value, never SQL */
	f.program = "x' OR '1'='1";
	assert_int_equal(count(db, &f), 0);
	f.host = "web1'; DROP TABLE sockets; --";
	assert_int_equal(count(db, &f), 0);
	filter_init(&f);
	assert_int_equal(count(db, &f), 8);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_sql),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
