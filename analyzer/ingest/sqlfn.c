/* sqlfn — the SQL functions of every connection: address grouping and
 * filtering with the reports' semantics, and time conversion. */
#include <string.h>

#include "addr.h"
#include "sqlfn.h"
#include "utctime.h"

/* Text argument i as a folded address; 0 or -1 (NULL, not text, bad). */
static int arg_addr(sqlite3_value **argv, int i, struct addr *a)
{
	const unsigned char *s;
	int n;

	if (sqlite3_value_type(argv[i]) != SQLITE_TEXT)
		return -1;
	s = sqlite3_value_text(argv[i]);
	n = sqlite3_value_bytes(argv[i]);
	if (!s || addr_parse((const char *)s, (size_t)n, a) < 0)
		return -1;
	addr_fold(a);
	return 0;
}

/* subnet(addr, prefix [, prefix6]): the network of addr as canonical CIDR
 * text. With one prefix it applies to both families (clamped to /32 for
 * IPv4); with two, the second is for IPv6. */
static void fn_subnet(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct cidr c;
	char out[CIDR_STRLEN];
	sqlite3_int64 p;
	size_t n;
	int i;

	if (arg_addr(argv, 0, &c.addr) < 0)
		return;   /* NULL */
	i = argc == 3 && c.addr.family == 10 ? 2 : 1;
	if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
		return;
	p = sqlite3_value_int64(argv[i]);
	if (p < 0) {
		sqlite3_result_error(ctx, "subnet(): prefix must be >= 0", -1);
		return;
	}
	if (p > (sqlite3_int64)addr_maxprefix(&c.addr))
		p = addr_maxprefix(&c.addr);
	c.prefix = (uint8_t)p;
	addr_mask(&c.addr, c.prefix);
	n = cidr_format(&c, out, sizeof out);
	sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
}

/* in_cidr(addr, cidr): 1 inside, 0 outside or other family, NULL when an
 * argument is NULL or does not parse. The CIDR is parsed once per
 * statement (auxdata), as it is nearly always a constant. */
static void fn_in_cidr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct cidr *c = sqlite3_get_auxdata(ctx, 1);
	struct addr a;

	(void)argc;
	if (!c) {
		const unsigned char *s;

		if (sqlite3_value_type(argv[1]) != SQLITE_TEXT)
			return;
		s = sqlite3_value_text(argv[1]);
		c = sqlite3_malloc(sizeof *c);
		if (!c) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		if (!s || cidr_parse((const char *)s, (size_t)sqlite3_value_bytes(argv[1]), c) < 0) {
			sqlite3_free(c);
			return;
		}
		sqlite3_set_auxdata(ctx, 1, c, sqlite3_free);
		/* set_auxdata may have freed it already when it cannot keep it */
		c = sqlite3_get_auxdata(ctx, 1);
		if (!c) {
			sqlite3_result_error(ctx, "in_cidr(): cannot keep the parsed CIDR", -1);
			return;
		}
	}
	if (arg_addr(argv, 0, &a) < 0)
		return;
	sqlite3_result_int(ctx, cidr_contains(c, &a));
}

static void fn_ip_family(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct addr a;

	(void)argc;
	if (arg_addr(argv, 0, &a) < 0)
		return;
	sqlite3_result_int(ctx, a.family == 10 ? 6 : 4);
}

static void fn_utc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char out[64];
	size_t n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER)
		return;   /* NULL, or text that is not a time in µs */
	n = utctime_format(sqlite3_value_int64(argv[0]), 6, out, sizeof out);
	sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
}

static void fn_us(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s;
	usec_t t;

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_TEXT)
		return;
	s = sqlite3_value_text(argv[0]);
	if (!s || utctime_parse((const char *)s, (size_t)sqlite3_value_bytes(argv[0]), &t) < 0)
		return;
	sqlite3_result_int64(ctx, t);
}

int sqlfn_register(sqlite3 *db)
{
	static const struct {
		const char *name;
		int nargs;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{"subnet", 2, fn_subnet},       {"subnet", 3, fn_subnet},
		{"in_cidr", 2, fn_in_cidr},     {"ip_family", 1, fn_ip_family},
		{"utc", 1, fn_utc},             {"us", 1, fn_us},
	};
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		int rc = sqlite3_create_function(db, fns[i].name, fns[i].nargs, flags, NULL,
						 fns[i].fn, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}
