/* Unit tests for analyzer/ingest/spancode (schema 6's codes of a span's
 * row) and for the view `spans` that decodes them (schema/006_narrow_spans.sql):
 * every state, protocol, family and timer, and IPv4 numbers at the edges,
 * come back as the names and text schema 5 stored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "sockrow.h"
#include "spancode.h"
#include "tcpstate.h"

static const char *const protos[] = {"tcp", "udp", "raw"};
static const int ipprotos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW};

/* Every state name the database stores: the TCP names, UNCONN, UNKNOWN. */
static const char *state_name(int code)
{
	if (code == SPANCODE_UNCONN)
		return "UNCONN";
	if (code == 0)
		return "UNKNOWN";
	return code < ST_NEW_SYN_RECV ? tcpstate_db_name(IPPROTO_TCP, code) : NULL;
}

static void test_kind_roundtrip(void **state)
{
	(void)state;
	for (int st = 0; st <= SPANCODE_UNCONN; st++) {
		const char *name = state_name(st);

		if (!name)
			continue;
		for (int p = 0; p < 3; p++) {
			for (int fam = 4; fam <= 6; fam += 2) {
				int k = spancode_kind(protos[p], fam, name);

				assert_true(k >= 0 && k < 128); /* one byte in the file */
				assert_int_equal(spancode_state(k), st);
				assert_int_equal(spancode_proto(k), ipprotos[p]);
				assert_int_equal(spancode_family(k), fam);
			}
		}
	}
	assert_int_equal(spancode_kind("sctp", 4, "LISTEN"), -EINVAL);
	assert_int_equal(spancode_kind("tcp", 4, "SYN_REC"), -EINVAL); /* a prefix */
	assert_int_equal(spancode_kind("tcp", 4, "ESTAB"), -EINVAL);   /* ss's spelling */
	assert_int_equal(spancode_kind("tcp", 4, "NEW_SYN_RECV"), -EINVAL);
}

static void test_ipv4(void **state)
{
	static const struct {
		const char *text;
		int ok;
		int64_t v;
	} c[] = {
	    {"0.0.0.0", 1, 0},
	    {"127.0.0.1", 1, 0x7f000001},
	    {"127.255.255.255", 1, INT32_MAX},
	    {"128.0.0.0", 1, INT32_MIN},
	    {"192.0.2.10", 1, (int64_t)0xc000020a - 4294967296},
	    {"255.255.255.255", 1, -1},
	    {"1.2.3", 0, 0},
	    {"1.2.3.4.5", 0, 0},
	    {"256.1.1.1", 0, 0},
	    {"1.2.3.04", 0, 0}, /* not canonical: would not come back */
	    {"1..3.4", 0, 0},
	    {"1.2.3.4 ", 0, 0},
	    {"::1", 0, 0},
	    {"2001:db8::10", 0, 0},
	    {"", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		int64_t v = 12345;
		int ok = spancode_ipv4(c[i].text, strlen(c[i].text), &v);

		assert_int_equal(ok, c[i].ok);
		if (ok)
			assert_int_equal(v, c[i].v);
	}
}

/* Rows of every kind, timer and address written to spans_packed come out
 * of the view `spans` with schema 5's text, and the C macros (report_ports'
 * SQL) say the same. */
/* clang-format off */
static const char q_get[] =
	"SELECT s.proto, s.family, s.state, s.laddr, s.raddr, s.timer, "
	SPANCODE_SQL_PROTO("k") ", " SPANCODE_SQL_FAMILY("k") ", " SPANCODE_SQL_STATE("k") ", "
	SPANCODE_SQL_LADDR("k") ", " SPANCODE_SQL_RADDR("k") ", " SPANCODE_SQL_TIMER("k")
	" FROM spans s JOIN spans_packed k ON k.ord = s.ord WHERE s.ord = ?1";
/* clang-format on */

static void test_view_decodes(void **state)
{
	char path[64], err[256], sql[1024];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins, *get, *q;
	int n = 0;

	(void)state;
	snprintf(path, sizeof path, "/tmp/sst-test-spancode.XXXXXX");
	{
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		close(fd);
		unlink(path);
	}
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), 0);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "INSERT INTO spans_packed (chain, k_first, k_last, ord, kind,"
			       " lport, rport, rnet, laddr, raddr, timer) VALUES (1, 0, 0,"
			       " ?1, ?2, 1, 2, ?3, ?4, ?5, ?6)",
			       -1, &ins, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q_get, -1, &get, NULL), SQLITE_OK);
	for (int st = 0; st <= SPANCODE_UNCONN; st++) {
		const char *name = state_name(st);

		if (!name)
			continue;
		for (int p = 0; p < 3; p++) {
			for (int fam = 4; fam <= 6; fam += 2, n++) {
				int timer = n % 6 - 1; /* -1: not shown, NULL */
				int64_t la;
				const char *lt = n % 3 ? "198.51.100.200" : "2001:db8::7";
				const char *rt = n % 2 ? "203.0.113.9" : "2001:db8::9";
				/* an IPv4 peer's rnet as the import binds it: signed */
				int64_t rnet = n % 2 ? (int32_t)0xcb007109u : 0x20010db800000000;

				sqlite3_bind_int(ins, 1, n);
				sqlite3_bind_int(ins, 2, spancode_kind(protos[p], fam, name));
				sqlite3_bind_int64(ins, 3, rnet);
				if (spancode_ipv4(lt, strlen(lt), &la))
					sqlite3_bind_int64(ins, 4, la);
				else
					sqlite3_bind_text(ins, 4, lt, -1, SQLITE_STATIC);
				if (n % 2)
					sqlite3_bind_null(ins, 5);
				else
					sqlite3_bind_text(ins, 5, rt, -1, SQLITE_STATIC);
				if (timer < 0)
					sqlite3_bind_null(ins, 6);
				else
					sqlite3_bind_int(ins, 6, timer);
				assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
				sqlite3_reset(ins);

				sqlite3_bind_int(get, 1, n);
				assert_int_equal(sqlite3_step(get), SQLITE_ROW);
				assert_string_equal(sqlite3_column_text(get, 0), protos[p]);
				assert_int_equal(sqlite3_column_type(get, 1), SQLITE_INTEGER);
				assert_int_equal(sqlite3_column_int(get, 1), fam);
				assert_string_equal(sqlite3_column_text(get, 2), name);
				assert_string_equal(sqlite3_column_text(get, 3), lt);
				assert_string_equal(sqlite3_column_text(get, 4), rt);
				if (timer < 0)
					assert_int_equal(sqlite3_column_type(get, 5), SQLITE_NULL);
				else
					assert_string_equal(sqlite3_column_text(get, 5),
							    sockrow_timer_name(timer));
				/* the macros' columns, 6 .. 11, are the view's 0 .. 5 */
				for (int i = 0; i < 6; i++) {
					int t = sqlite3_column_type(get, i);

					assert_int_equal(sqlite3_column_type(get, 6 + i), t);
					if (t != SQLITE_NULL)
						assert_string_equal(sqlite3_column_text(get, 6 + i),
								    sqlite3_column_text(get, i));
				}
				sqlite3_reset(get);
			}
		}
	}
	assert_int_equal(n, 13 * 3 * 2);
	/* the view's rnet is unsigned again, as schema 5 stored it */
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT count(*), min(rnet), max(rnet) FROM spans"
					    " WHERE instr(raddr, ':') = 0",
					    -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), n / 2);
	assert_int_equal(sqlite3_column_int64(q, 1), 0xcb007109);
	assert_int_equal(sqlite3_column_int64(q, 2), 0xcb007109);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	sqlite3_finalize(get);
	sqlite3_close(db);
	unlink(path);
	snprintf(sql, sizeof sql, "%s-wal", path);
	unlink(sql);
	snprintf(sql, sizeof sql, "%s-shm", path);
	unlink(sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_roundtrip),
	    cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_view_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
