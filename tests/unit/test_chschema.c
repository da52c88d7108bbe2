/* Unit tests for analyzer/fleet/chschema: the DDL for one server and for a
 * cluster, the TTL option, and that the inserts' column lists are the
 * tables' columns in order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "chschema.h"

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void test_one_server(void **state)
{
	struct chschema_opts o = {"sockscope", NULL, 0};
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(chschema_ddl(&o, &b), 0);
	assert_non_null(strstr(b.data, "CREATE DATABASE IF NOT EXISTS sockscope;"));
	assert_int_equal(count(b.data, "ENGINE = MergeTree"), CHSCHEMA_NTABLES);
	assert_int_equal(count(b.data, "PARTITION BY day"), CHSCHEMA_NTABLES);
	assert_int_equal(count(b.data, "Distributed"), 0);
	assert_int_equal(count(b.data, "TTL"), 0);
	assert_int_equal(count(b.data, "_local"), 0);
	assert_int_equal(count(b.data, "LowCardinality"), 0);   /* 18.16 */
	assert_non_null(strstr(b.data, "CREATE TABLE IF NOT EXISTS sockscope.spans (\n\thost String,"));
	assert_non_null(strstr(b.data, "ORDER BY (host, time);"));
	buf_fini(&b);
}

static void test_cluster_ttl(void **state)
{
	struct chschema_opts o = {"db1", "fleet", 30};
	struct buf b = BUF_INIT, s = BUF_INIT;

	(void)state;
	assert_int_equal(chschema_ddl(&o, &b), 0);
	assert_int_equal(count(b.data, "ENGINE = MergeTree"), CHSCHEMA_NTABLES);
	assert_int_equal(count(b.data, "ENGINE = Distributed(fleet, db1, "), CHSCHEMA_NTABLES);
	assert_non_null(strstr(b.data, "Distributed(fleet, db1, spans_local, cityHash64(host))"));
	assert_int_equal(count(b.data, "INTERVAL 30 DAY"), CHSCHEMA_NTABLES);
	assert_int_equal(count(b.data, "ON CLUSTER"), 0);   /* needs ZooKeeper on 18.16 */
	/* statement by statement: the database, then local + distributed per table */
	assert_int_equal(chschema_stmt(&o, 0, &s), 1);
	assert_string_equal(s.data, "CREATE DATABASE IF NOT EXISTS db1");
	assert_int_equal(chschema_stmt(&o, 2 * CHSCHEMA_NTABLES, &s), 1);
	assert_int_equal(chschema_stmt(&o, 2 * CHSCHEMA_NTABLES + 1, &s), 0);
	buf_fini(&b);
	buf_fini(&s);
}

static void test_collist(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(chschema_collist(CHSCHEMA_COUNTERS, &b), 0);
	assert_string_equal(b.data, "host, time, name, value, batch");
	for (int t = 0; t < CHSCHEMA_NTABLES; t++) {
		const struct chschema_table_def *d = &chschema_tables[t];

		assert_string_equal(d->cols[0].name, "host");
		assert_string_equal(d->cols[d->ncols - 1].name, "batch");
	}
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_server),
		cmocka_unit_test(test_cluster_ttl),
		cmocka_unit_test(test_collist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
