/* Unit tests for common/addr: parsing, RFC 5952 output, folding, CIDR. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

static struct addr must_parse(const char *s)
{
	struct addr a;

	memset(&a, 0x55, sizeof a);
	if (addr_parse(s, strlen(s), &a) != 0)
		fail_msg("addr_parse(\"%s\") failed", s);
	return a;
}

/* Parses s and checks the canonical text. */
static void check_canon(const char *s, const char *want)
{
	struct addr a = must_parse(s), b;
	char out[ADDR_STRLEN];
	size_t n = addr_format(&a, out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	/* The canonical text parses back to the same bytes. */
	b = must_parse(out);
	assert_memory_equal(&a, &b, sizeof a);
}

static void check_bad(const char *s, size_t len)
{
	struct addr a;

	memset(&a, 0x55, sizeof a);
	if (addr_parse(s, len, &a) != -EINVAL)
		fail_msg("addr_parse(\"%.*s\") accepted", (int)len, s);
	/* Untouched on failure. */
	assert_int_equal(a.family, 0x55);
}

static void test_v4_parse(void **state)
{
	struct addr a;
	(void)state;

	a = must_parse("192.0.2.1");
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.a, "\xc0\x00\x02\x01", 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal(a.a[i], 0);
	check_canon("0.0.0.0", "0.0.0.0");
	check_canon("255.255.255.255", "255.255.255.255");
	check_canon("10.0.0.1", "10.0.0.1");
	check_canon("100.64.0.0", "100.64.0.0");

	/* (ptr,len): only the first len bytes count. */
	assert_int_equal(addr_parse("192.0.2.10xyz", 9, &a), 0);
	assert_memory_equal(a.a, "\xc0\x00\x02\x01", 4);
	assert_int_equal(addr_parse("192.0.2.10", 10, &a), 0);
	assert_int_equal(a.a[3], 10);
}

static void test_v4_bad(void **state)
{
	static const char *const bad[] = {
		"", "1", "1.2", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.256.1.1", "1.1.1.256",
		"1.2.3.4.", ".1.2.3.4", "1..2.3", "01.2.3.4", "1.2.3.04", "00.0.0.0",
		"+1.2.3.4", "-1.2.3.4", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24",
		"0x1.2.3.4", "1.2.3.a", "1000.1.1.1", "1.2.3.4444", "999.1.1.1",
		"1.2.3.4:80", "localhost", "1,2,3,4",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_bad(bad[i], strlen(bad[i]));
	check_bad("1.2.3.4\0", 8);       /* embedded NUL within len */
	check_bad("1.2\0.3.4", 8);
	check_bad(NULL, 0);
}

static void test_v6_parse(void **state)
{
	struct addr a;
	static const uint8_t db8_1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	(void)state;

	a = must_parse("2001:0db8::0001");
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(a.a, db8_1, 16);
	a = must_parse("2001:DB8:0:0:0:0:0:1");
	assert_memory_equal(a.a, db8_1, 16);
	a = must_parse("::");
	for (int i = 0; i < 16; i++)
		assert_int_equal(a.a[i], 0);
	a = must_parse("::ffff:192.0.2.1");
	assert_memory_equal(a.a, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01", 16);
	a = must_parse("1:2:3:4:5:6:7:8");
	assert_memory_equal(a.a, "\0\1\0\2\0\3\0\4\0\5\0\6\0\7\0\x8", 16);
	a = must_parse("1:2:3:4:5:6:7::");
	assert_memory_equal(a.a, "\0\1\0\2\0\3\0\4\0\5\0\6\0\7\0\0", 16);
	a = must_parse("::2:3:4:5:6:7:8");
	assert_memory_equal(a.a, "\0\0\0\2\0\3\0\4\0\5\0\6\0\7\0\x8", 16);
	a = must_parse("1:2:3:4:5:6:1.2.3.4");
	assert_memory_equal(a.a, "\0\1\0\2\0\3\0\4\0\5\0\6\1\2\3\4", 16);
	a = must_parse("1::1.2.3.4");
	assert_memory_equal(a.a, "\0\1\0\0\0\0\0\0\0\0\0\0\1\2\3\4", 16);
	a = must_parse("abcd:EF01:2345:6789:aBcD:ef01:2345:6789");
	assert_memory_equal(a.a, "\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89",
			    16);
	/* (ptr,len) */
	assert_int_equal(addr_parse("fe80::1%eth0", 7, &a), 0);
	assert_memory_equal(a.a, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
}

static void test_v6_bad(void **state)
{
	static const char *const bad[] = {
		":", ":::", "::::", "1::2::3", "gggg::", "::g", "12345::", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8",
		":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1::2:", ":1::", "1:::2", "[::1]",
		"fe80::1%eth0", "::1/128", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5",
		"::256.1.1.1", "::01.2.3.4", "::1.2.3.4:1", "1.2.3.4::", "::ffff:1.2.3.4:",
		"::-1", "::+1", " ::1", "::1 ", "0x1::", "::a.2.3.4", "1:2:3:4:5:6:7:8:",
		"::ffff:1.2.3.4.", "::12345",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_bad(bad[i], strlen(bad[i]));
	check_bad("::1\0", 4);
	check_bad("::\0001", 4);
	/* Longest possible canonical text plus one character. */
	check_bad("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550",
		  strlen("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550"));
}

static void test_v6_format_rfc5952(void **state)
{
	(void)state;
	check_canon("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");   /* first of equal runs */
	check_canon("2001:0db8::0001", "2001:db8::1");              /* no leading zeros */
	check_canon("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* lone zero kept */
	check_canon("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::");    /* longest run wins */
	check_canon("2001:DB8::AbCd", "2001:db8::abcd");            /* lowercase */
	check_canon("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	check_canon("0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1");
	check_canon("::", "::");
	check_canon("0:0:0:0:0:0:0:0", "::");
	check_canon("::1", "::1");
	check_canon("0:0:0:0:0:0:0:1", "::1");
	check_canon("1::", "1::");
	check_canon("fe80::1", "fe80::1");
	check_canon("FE80:0000:0000:0000:0000:0000:0000:0001", "fe80::1");
	check_canon("1:0:0:2:0:0:0:3", "1:0:0:2::3");
	check_canon("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0");
	check_canon("0:1:0:0:0:0:0:0", "0:1::");
	check_canon("0:0:1:0:0:0:0:0", "0:0:1::");
	check_canon("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	check_canon("::1.2.3.4", "::102:304");              /* compat form is not special */
	check_canon("::ffff:0:1.2.3.4", "::ffff:0:102:304"); /* nor is the translated one */
	check_canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	check_canon("::ffff:255.255.255.255", "::ffff:255.255.255.255");
	check_canon("2001:db8::0:1", "2001:db8::1");
}

static void test_format_small_buffer(void **state)
{
	struct addr a = must_parse("2001:db8::1"), unset;
	char out[5];
	(void)state;

	assert_int_equal(addr_format(&a, out, sizeof out), 11);
	assert_string_equal(out, "2001");
	assert_int_equal(addr_format(&a, NULL, 0), 11);
	memset(&unset, 0, sizeof unset);
	assert_int_equal(addr_format(&unset, out, sizeof out), 0);
	assert_string_equal(out, "");
}

static void test_fold(void **state)
{
	struct addr a = must_parse("::ffff:192.0.2.1"), b = must_parse("192.0.2.1"), c;
	char out[ADDR_STRLEN];
	(void)state;

	assert_true(addr_is_v4mapped(&a));
	assert_false(addr_is_v4mapped(&b));
	addr_fold(&a);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(&a, &b, sizeof a);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "192.0.2.1");
	addr_fold(&a); /* idempotent */
	assert_memory_equal(&a, &b, sizeof a);

	c = must_parse("::1.2.3.4");
	assert_false(addr_is_v4mapped(&c));
	addr_fold(&c);
	assert_int_equal(c.family, AF_INET6);
	c = must_parse("::fffe:1.2.3.4");
	assert_false(addr_is_v4mapped(&c));
	c = must_parse("1::ffff:1.2.3.4");
	assert_false(addr_is_v4mapped(&c));
}

/* addr_unfold is addr_fold's inverse, and leaves IPv6 alone. */
static void test_unfold(void **state)
{
	struct addr a = must_parse("192.0.2.1"), m = must_parse("::ffff:192.0.2.1"),
		    v6 = must_parse("2001:db8::1"), w = v6, b4 = a;
	char out[ADDR_STRLEN];
	(void)state;

	addr_unfold(&a);
	assert_memory_equal(&a, &m, sizeof a);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "::ffff:192.0.2.1");
	addr_unfold(&a); /* already IPv6: unchanged */
	assert_memory_equal(&a, &m, sizeof a);
	addr_fold(&a);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(&a, &b4, sizeof a);
	addr_unfold(&w);
	assert_memory_equal(&w, &v6, sizeof w);
}

static void test_mask_cmp(void **state)
{
	struct addr a = must_parse("192.0.2.255"), b;
	char out[ADDR_STRLEN];
	(void)state;

	addr_mask(&a, 25);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "192.0.2.128");
	addr_mask(&a, 0);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "0.0.0.0");
	a = must_parse("192.0.2.255");
	addr_mask(&a, 200); /* clamped to 32 */
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "192.0.2.255");

	a = must_parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	addr_mask(&a, 64);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "2001:db8:ffff:ffff::");
	a = must_parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	addr_mask(&a, 33);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "2001:db8:8000::");
	a = must_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	addr_mask(&a, 127);
	addr_format(&a, out, sizeof out);
	assert_string_equal(out, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");

	a = must_parse("10.0.0.1");
	b = must_parse("10.0.0.2");
	assert_int_equal(addr_cmp(&a, &b), -1);
	assert_int_equal(addr_cmp(&b, &a), 1);
	assert_int_equal(addr_cmp(&a, &a), 0);
	b = must_parse("::1");
	assert_int_equal(addr_cmp(&a, &b), -1); /* v4 before v6 */
	assert_int_equal(addr_cmp(&b, &a), 1);
	a = must_parse("255.255.255.255");
	assert_int_equal(addr_cmp(&a, &b), -1);
	a = must_parse("::2");
	assert_int_equal(addr_cmp(&b, &a), -1);
}

static struct cidr must_cidr(const char *s)
{
	struct cidr c;

	if (cidr_parse(s, strlen(s), &c) != 0)
		fail_msg("cidr_parse(\"%s\") failed", s);
	return c;
}

static void check_cidr(const char *s, const char *want)
{
	struct cidr c = must_cidr(s), d;
	char out[CIDR_STRLEN];
	size_t n = cidr_format(&c, out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	d = must_cidr(out);
	assert_memory_equal(&c, &d, sizeof c);
}

static void test_cidr_parse(void **state)
{
	struct cidr c;
	static const char *const bad[] = {
		"", "/", "/24", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+8",
		"1.2.3.4/08", "1.2.3.4/00", "1.2.3.4/1000", "::/129", "::/1280", "1.2.3.4/24/8",
		"1.2.3.4 /24", "1.2.3.4/ 24", "1.2.3/24", "::1/1a", "1.2.3.4/0x8",
	};
	(void)state;

	check_cidr("192.0.2.77/24", "192.0.2.0/24");
	check_cidr("192.0.2.77", "192.0.2.77/32");
	check_cidr("192.0.2.77/32", "192.0.2.77/32");
	check_cidr("192.0.2.77/0", "0.0.0.0/0");
	check_cidr("198.18.255.1/15", "198.18.0.0/15");
	check_cidr("2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64");
	check_cidr("2001:db8::1", "2001:db8::1/128");
	check_cidr("2001:db8::1/128", "2001:db8::1/128");
	check_cidr("2001:db8::1/0", "::/0");
	check_cidr("::/0", "::/0");
	/* Mapped prefixes fold to IPv4. */
	check_cidr("::ffff:192.0.2.1", "192.0.2.1/32");
	check_cidr("::ffff:192.0.2.1/128", "192.0.2.1/32");
	check_cidr("::ffff:192.0.2.1/120", "192.0.2.0/24");
	check_cidr("::ffff:0:0/96", "0.0.0.0/0");
	check_cidr("::ffff:192.0.2.1/95", "::fffe:0:0/95");
	check_cidr("::ffff:192.0.2.1/64", "::/64");

	c = must_cidr("::ffff:203.0.113.9/104");
	assert_int_equal(c.addr.family, AF_INET);
	assert_int_equal(c.prefix, 8);
	assert_memory_equal(c.addr.a, "\xcb\0\0\0", 4);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&c, 0x55, sizeof c);
		if (cidr_parse(bad[i], strlen(bad[i]), &c) != -EINVAL)
			fail_msg("cidr_parse(\"%s\") accepted", bad[i]);
		assert_int_equal(c.prefix, 0x55);
	}
	assert_int_equal(cidr_parse("10.0.0.0/8\0", 11, &c), -EINVAL);
	assert_int_equal(cidr_parse("10.0.0.0/8junk", 10, &c), 0);
	assert_int_equal(c.prefix, 8);
}

static void test_cidr_contains(void **state)
{
	struct cidr c;
	struct addr a;
	(void)state;

	c = must_cidr("192.0.2.0/24");
	a = must_parse("192.0.2.0");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("192.0.2.255");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("192.0.3.0");
	assert_false(cidr_contains(&c, &a));
	a = must_parse("192.0.1.255");
	assert_false(cidr_contains(&c, &a));
	/* Across families: false, even for the mapped twin (caller folds). */
	a = must_parse("::ffff:192.0.2.1");
	assert_false(cidr_contains(&c, &a));
	addr_fold(&a);
	assert_true(cidr_contains(&c, &a));

	c = must_cidr("0.0.0.0/0");
	a = must_parse("203.0.113.5");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("::");
	assert_false(cidr_contains(&c, &a));
	c = must_cidr("::/0");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("1.2.3.4");
	assert_false(cidr_contains(&c, &a));

	c = must_cidr("198.51.100.7/32");
	a = must_parse("198.51.100.7");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("198.51.100.6");
	assert_false(cidr_contains(&c, &a));

	c = must_cidr("2001:db8::1/128");
	a = must_parse("2001:db8::1");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("2001:db8::");
	assert_false(cidr_contains(&c, &a));
	c = must_cidr("2001:db8::/32");
	a = must_parse("2001:db8:ffff::1");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("2001:db9::1");
	assert_false(cidr_contains(&c, &a));
	c = must_cidr("2001:db8::/33");
	a = must_parse("2001:db8:7fff::");
	assert_true(cidr_contains(&c, &a));
	a = must_parse("2001:db8:8000::");
	assert_false(cidr_contains(&c, &a));
}

static void test_cidr_format_small(void **state)
{
	struct cidr c = must_cidr("2001:db8::/32");
	char out[8];
	(void)state;

	assert_int_equal(cidr_format(&c, out, sizeof out), 13);
	assert_string_equal(out, "2001:db");
}

struct klass {
	const char *s;
	bool loop, unspec, ll, mcast, priv;
};

static void test_classes(void **state)
{
	static const struct klass k[] = {
		{"127.0.0.1", 1, 0, 0, 0, 0},
		{"127.255.255.254", 1, 0, 0, 0, 0},
		{"128.0.0.1", 0, 0, 0, 0, 0},
		{"::1", 1, 0, 0, 0, 0},
		{"::2", 0, 0, 0, 0, 0},
		{"::ffff:127.0.0.1", 1, 0, 0, 0, 0},
		{"0.0.0.0", 0, 1, 0, 0, 0},
		{"::", 0, 1, 0, 0, 0},
		{"0.0.0.1", 0, 0, 0, 0, 0},
		{"169.254.1.1", 0, 0, 1, 0, 0},
		{"169.253.1.1", 0, 0, 0, 0, 0},
		{"fe80::1", 0, 0, 1, 0, 0},
		{"febf:ffff::1", 0, 0, 1, 0, 0},
		{"fec0::1", 0, 0, 0, 0, 0},
		{"224.0.0.1", 0, 0, 0, 1, 0},
		{"239.255.255.255", 0, 0, 0, 1, 0},
		{"240.0.0.1", 0, 0, 0, 0, 0},
		{"223.255.255.255", 0, 0, 0, 0, 0},
		{"ff02::1", 0, 0, 0, 1, 0},
		{"fe00::1", 0, 0, 0, 0, 0},
		{"10.1.2.3", 0, 0, 0, 0, 1},
		{"11.0.0.1", 0, 0, 0, 0, 0},
		{"172.16.0.1", 0, 0, 0, 0, 1},
		{"172.31.255.255", 0, 0, 0, 0, 1},
		{"172.32.0.1", 0, 0, 0, 0, 0},
		{"172.15.0.1", 0, 0, 0, 0, 0},
		{"192.168.1.1", 0, 0, 0, 0, 1},
		{"192.169.1.1", 0, 0, 0, 0, 0},
		{"100.64.0.1", 0, 0, 0, 0, 1},
		{"100.127.255.255", 0, 0, 0, 0, 1},
		{"100.128.0.1", 0, 0, 0, 0, 0},
		{"100.63.0.1", 0, 0, 0, 0, 0},
		{"fc00::1", 0, 0, 0, 0, 1},
		{"fdff::1", 0, 0, 0, 0, 1},
		{"fe00::", 0, 0, 0, 0, 0},
		{"::ffff:10.0.0.1", 0, 0, 0, 0, 1},
		{"::ffff:169.254.0.1", 0, 0, 1, 0, 0},
		{"192.0.2.1", 0, 0, 0, 0, 0},
		{"2001:db8::1", 0, 0, 0, 0, 0},
	};
	struct addr unset;
	(void)state;

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		struct addr a = must_parse(k[i].s);

		if (addr_is_loopback(&a) != k[i].loop || addr_is_unspecified(&a) != k[i].unspec ||
		    addr_is_linklocal(&a) != k[i].ll || addr_is_multicast(&a) != k[i].mcast ||
		    addr_is_private(&a) != k[i].priv)
			fail_msg("wrong class for %s", k[i].s);
	}
	memset(&unset, 0, sizeof unset);
	assert_false(addr_is_unspecified(&unset));
	assert_false(addr_is_loopback(&unset));
	assert_int_equal(addr_maxprefix(&unset), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_parse),
		cmocka_unit_test(test_v4_bad),
		cmocka_unit_test(test_v6_parse),
		cmocka_unit_test(test_v6_bad),
		cmocka_unit_test(test_v6_format_rfc5952),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_unfold),
		cmocka_unit_test(test_mask_cmp),
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_cidr_format_small),
		cmocka_unit_test(test_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
