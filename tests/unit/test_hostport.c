/* Unit tests for analyzer/hostport (endpoint spellings) and analyzer/dump's
 * shared helpers (tokens, unknown rows). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "hostport.h"

static void expect_ok(const char *s, enum hostport_style st, int fam, const char *addr, int family,
		      unsigned port)
{
	struct addr a;
	uint16_t p = 9999;
	char txt[ADDR_STRLEN];

	if (hostport_parse(s, strlen(s), st, fam, &a, &p) != 0)
		fail_msg("%s: refused", s);
	addr_format(&a, txt, sizeof txt);
	assert_string_equal(txt, addr);
	assert_int_equal(a.family, family);
	assert_int_equal(p, port);
}

static void expect_bad(const char *s, enum hostport_style st)
{
	struct addr a;
	uint16_t p;

	if (hostport_parse(s, strlen(s), st, 0, &a, &p) != -EINVAL)
		fail_msg("%s: accepted", s);
}

static void test_colon(void **state)
{
	(void)state;
	expect_ok("1.2.3.4:80", HOSTPORT_COLON, 0, "1.2.3.4", AF_INET, 80);
	expect_ok("0.0.0.0:*", HOSTPORT_COLON, 0, "0.0.0.0", AF_INET, 0);
	expect_ok("*:*", HOSTPORT_COLON, 0, "0.0.0.0", AF_INET, 0);
	expect_ok("*:22", HOSTPORT_COLON, AF_INET6, "::", AF_INET6, 22);
	expect_ok(":::80", HOSTPORT_COLON, 0, "::", AF_INET6, 80);
	expect_ok("::ffff:198.51.100.7:8080", HOSTPORT_COLON, 0, "::ffff:198.51.100.7", AF_INET6,
		  8080);
	expect_ok("2001:db8::1:443", HOSTPORT_COLON, 0, "2001:db8::1", AF_INET6, 443);
	expect_ok("[::1]:22", HOSTPORT_COLON, 0, "::1", AF_INET6, 22);
	expect_ok("[::ffff:1.2.3.4]:80", HOSTPORT_COLON, 0, "::ffff:1.2.3.4", AF_INET6, 80);
	expect_ok("[fe80::1]%eth0:22", HOSTPORT_COLON, 0, "fe80::1", AF_INET6, 22);
	expect_ok("[fe80::1%12]:49669", HOSTPORT_COLON, 0, "fe80::1", AF_INET6, 49669);
	expect_ok("fe80::1%veth0:22", HOSTPORT_COLON, 0, "fe80::1", AF_INET6, 22);
	expect_ok("0.0.0.0%lo:53", HOSTPORT_COLON, 0, "0.0.0.0", AF_INET, 53);
	expect_ok("[::]:0", HOSTPORT_COLON, 0, "::", AF_INET6, 0);
	expect_bad("", HOSTPORT_COLON);
	expect_bad("1.2.3.4", HOSTPORT_COLON);
	expect_bad(":80", HOSTPORT_COLON);
	expect_bad("1.2.3.4:65536", HOSTPORT_COLON);
	expect_bad("1.2.3.4:http", HOSTPORT_COLON);
	expect_bad("host.example:80", HOSTPORT_COLON);
	expect_bad("[::1:22", HOSTPORT_COLON);
	expect_bad("[::1]22", HOSTPORT_COLON);
	expect_bad("[::1]:", HOSTPORT_COLON);
	expect_bad("[fe80::1]%:22", HOSTPORT_COLON);
	expect_bad("fe80::1%:22", HOSTPORT_COLON);
	/* net-tools truncates long IPv6 without -W: must not parse as something */
	expect_bad("2001:db8:aaaa:bbbb:cc:443", HOSTPORT_COLON);
}

static void test_dot(void **state)
{
	(void)state;
	expect_ok("10.0.0.1.443", HOSTPORT_DOT, 0, "10.0.0.1", AF_INET, 443);
	expect_ok("*.80", HOSTPORT_DOT, AF_INET6, "::", AF_INET6, 80);
	expect_ok("*.*", HOSTPORT_DOT, 0, "0.0.0.0", AF_INET, 0);
	expect_ok("::1.22", HOSTPORT_DOT, 0, "::1", AF_INET6, 22);
	expect_ok("fe80::1%lo0.631", HOSTPORT_DOT, 0, "fe80::1", AF_INET6, 631);
	expect_ok("2001:db8::5.51234", HOSTPORT_DOT, 0, "2001:db8::5", AF_INET6, 51234);
	expect_bad("10.0.0.1", HOSTPORT_DOT);   /* "10.0.0" is not an address */
	expect_bad("*.", HOSTPORT_DOT);
	expect_bad(".80", HOSTPORT_DOT);
}

static void test_split(void **state)
{
	struct token t[3];
	const char *l = "  tcp \t 0   0 1.2.3.4:5  ";

	(void)state;
	assert_int_equal(token_split(l, strlen(l), t, 3), 4);
	assert_int_equal(t[0].len, 3);
	assert_memory_equal(t[0].s, "tcp", 3);
	assert_true(token_is(&t[0], "TCP"));
	assert_false(token_is(&t[0], "tc"));
	assert_int_equal(t[2].len, 1);
	assert_int_equal(token_split("", 0, t, 3), 0);
	assert_int_equal(token_split(" \t ", 3, t, 3), 0);
}

static void test_row_init(void **state)
{
	struct sock_row r;

	(void)state;
	memset(&r, 0xa5, sizeof r);
	textfmt_row_init(&r);
	assert_int_equal(r.unknown, SOCKROW_UNKNOWN_ALL);
	assert_int_equal(r.pid, 0);
	assert_null(r.program);
	assert_int_equal(r.family, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colon),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_row_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
