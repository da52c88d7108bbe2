/* test_blockrail — every rail refuses what it guards and lets the rest
 * through: classes, private ranges, --max-prefix, own addresses, --allow
 * (overlap either way), IPv4-mapped spellings, IPv4 inside NAT64, 6to4 and
 * IPv4-compatible networks, reserved IPv4 space; the allow-file reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blockrail.h"

static struct cidr net(const char *s)
{
	struct cidr c;

	if (cidr_parse(s, strlen(s), &c) < 0)
		fail_msg("bad test CIDR %s", s);
	return c;
}

/* NULL: may be blocked; else the start of the reason. */
static void expect(const struct blockrail *r, const char *cidr, const char *why)
{
	char buf[128];
	struct cidr c = net(cidr);
	const char *got = blockrail_check(r, &c, buf, sizeof buf);

	if (!why && got)
		fail_msg("%s: refused (%s), want allowed", cidr, got);
	if (why && (!got || strncmp(got, why, strlen(why))))
		fail_msg("%s: got %s, want %s...", cidr, got ? got : "allowed", why);
}

static void test_classes(void **state)
{
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	expect(&r, "203.0.113.0/24", NULL);
	expect(&r, "198.51.100.7/32", NULL);
	expect(&r, "2001:db8:5eed::/48", NULL);
	expect(&r, "127.0.0.1/32", "loopback");
	expect(&r, "127.10.0.0/16", "loopback");
	expect(&r, "::1/128", "loopback");
	expect(&r, "::ffff:127.0.0.1/128", "loopback");   /* a mapped spelling is folded */
	expect(&r, "169.254.1.0/24", "link-local");
	expect(&r, "fe80::/64", "link-local");
	expect(&r, "224.0.0.0/16", "multicast");
	expect(&r, "ff02::1/128", "multicast");
	expect(&r, "0.0.0.0/32", "unspecified");
	expect(&r, "::/128", "unspecified");
	expect(&r, "255.255.255.255/32", "broadcast");
	blockrail_fini(&r);
}

/* Reserved IPv4 space: nobody can be attacked from it on the internet, so a
 * "peer" there is an artefact or a local network's odd use of it. */
static void test_reserved(void **state)
{
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	r.include_private = true;   /* not lifted by it */
	expect(&r, "240.0.0.0/24", "reserved (240.0.0.0/4)");
	expect(&r, "250.1.2.3/32", "reserved");
	expect(&r, "255.255.254.0/24", "reserved");
	expect(&r, "255.255.255.255/32", "broadcast");
	expect(&r, "239.255.255.255/32", "multicast");
	expect(&r, "192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)");
	expect(&r, "192.0.0.170/32", "IETF protocol assignments");
	expect(&r, "192.0.0.0/16", "IETF protocol assignments");   /* covers it */
	expect(&r, "192.0.1.0/24", NULL);                           /* just past */
	expect(&r, "191.255.255.0/24", NULL);
	blockrail_fini(&r);
}

/* An IPv6 network carrying IPv4 addresses is as blockable as the IPv4
 * network it carries: NAT64 and IPv4-compatible in the last 32 bits, 6to4
 * in bits 16..47; a network as wide as the embedding or wider carries all
 * of IPv4. */
static void test_embedded(void **state)
{
	struct blockrail r;
	struct addr a;
	struct cidr c;

	(void)state;
	blockrail_init(&r);
	/* NAT64 64:ff9b::/96 */
	expect(&r, "64:ff9b::7f00:1/128", "embeds 127.0.0.1/32 (NAT64): loopback");
	expect(&r, "64:ff9b::a01:0/112", "embeds 10.1.0.0/16 (NAT64): private");
	expect(&r, "64:ff9b::c0a8:101/128", "embeds 192.168.1.1/32 (NAT64): private");
	expect(&r, "64:ff9b::a9fe:0/112", "embeds 169.254.0.0/16 (NAT64): link-local");
	expect(&r, "64:ff9b::e000:1/128", "embeds 224.0.0.1/32 (NAT64): multicast");
	expect(&r, "64:ff9b::f000:1/128", "embeds 240.0.0.1/32 (NAT64): reserved");
	expect(&r, "64:ff9b::c000:aa/128", "embeds 192.0.0.170/32 (NAT64): IETF");
	expect(&r, "64:ff9b::cb00:7100/120", NULL);   /* 203.0.113.0/24 */
	expect(&r, "64:ff9b::/96", "embeds 0.0.0.0/0 (NAT64): wider than /16");
	expect(&r, "64:ff9b::/64", "embeds 0.0.0.0/0 (NAT64)");
	expect(&r, "64:ff9b::c000:0/100", "embeds 192.0.0.0/4 (NAT64): wider than /16");
	/* IPv4-compatible ::a.b.c.d (deprecated, still parsed by stacks) */
	expect(&r, "::7f00:1/128", "embeds 127.0.0.1/32 (IPv4-compatible): loopback");
	expect(&r, "::a01:203/128", "embeds 10.1.2.3/32 (IPv4-compatible): private");
	expect(&r, "::cb00:7101/128", NULL);
	expect(&r, "::1/128", "loopback");      /* not 0.0.0.1 */
	expect(&r, "::/128", "unspecified");
	expect(&r, "::/96", "loopback");        /* holds ::1 itself */
	/* 6to4 2002:V4ADDR::/48 */
	expect(&r, "2002:7f00:1::/48", "embeds 127.0.0.1/32 (6to4): loopback");
	expect(&r, "2002:7f00:1:5::/64", "embeds 127.0.0.1/32 (6to4): loopback");
	expect(&r, "2002:7f00:1::1/128", "embeds 127.0.0.1/32 (6to4)");
	expect(&r, "2002:ac10::/32", "embeds 172.16.0.0/16 (6to4): private");
	expect(&r, "2002:cb00:7101::/48", NULL);
	expect(&r, "2002:cb00::/32", NULL);    /* 203.0.0.0/16: no rail */
	expect(&r, "2002::/16", "wider than /32");
	r.max_prefix6 = 16;
	expect(&r, "2002:a00::/24", "embeds 10.0.0.0/8 (6to4): wider than /16");
	expect(&r, "2002::/16", "embeds 0.0.0.0/0 (6to4): wider than /16");
	r.max_prefix6 = 0;   /* no width rail: the embedded one still holds */
	expect(&r, "2000::/3", "embeds 0.0.0.0/0 (6to4)");   /* covers 2002::/16 */
	expect(&r, "::/16", "loopback");
	expect(&r, "::/88", "loopback");
	/* wider than ::ffff:0:0/96 but not holding :: */
	expect(&r, "::ffff:0:0/95", "embeds 0.0.0.0/0 (IPv4-mapped)");
	r.max_prefix6 = 32;
	/* --include-private lifts the private ones only */
	r.include_private = true;
	expect(&r, "2002:ac10::/32", NULL);
	expect(&r, "64:ff9b::a01:0/112", NULL);
	expect(&r, "2002:7f00:1::/48", "embeds 127.0.0.1/32 (6to4): loopback");
	/* the host's own IPv4 addresses and --allow */
	assert_int_equal(addr_parse("198.51.100.5", 12, &a), 0);
	assert_int_equal(blockrail_own(&r, &a), 0);
	expect(&r, "2002:c633:6405::/48",
	       "embeds 198.51.100.5/32 (6to4): holds the host's own address 198.51.100.5");
	expect(&r, "64:ff9b::c633:6400/120",
	       "embeds 198.51.100.0/24 (NAT64): holds the host's own address");
	expect(&r, "2002:c633:6406::/48", NULL);
	assert_int_equal(cidr_parse("192.0.2.0/25", 12, &c), 0);
	assert_int_equal(blockrail_allow(&r, &c), 0);
	expect(&r, "2002:c000:200::/40", "embeds 192.0.2.0/24 (6to4): overlaps --allow 192.0.2.0/25");
	expect(&r, "::c000:27f/128", "embeds 192.0.2.127/32 (IPv4-compatible): overlaps --allow");
	expect(&r, "2002:c000:280::/48", NULL);   /* 192.0.2.128 */
	blockrail_fini(&r);
}

static void test_private(void **state)
{
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	expect(&r, "10.1.2.0/24", "private");
	expect(&r, "172.16.5.5/32", "private");
	expect(&r, "172.32.0.0/16", NULL);   /* just past 172.16/12 */
	expect(&r, "192.168.1.0/24", "private");
	expect(&r, "100.64.0.0/16", "shared CGNAT");
	expect(&r, "100.128.0.0/16", NULL);  /* just past 100.64/10 */
	expect(&r, "fd00:1::/48", "unique local");
	r.include_private = true;
	expect(&r, "10.1.2.0/24", NULL);
	expect(&r, "100.64.0.0/16", NULL);
	expect(&r, "fd00:1::/48", NULL);
	expect(&r, "127.0.0.1/32", "loopback");   /* never, whatever --include-private */
	blockrail_fini(&r);
}

static void test_max_prefix(void **state)
{
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	expect(&r, "198.18.0.0/15", "wider than /16");
	expect(&r, "198.18.0.0/16", NULL);
	expect(&r, "2001:db8::/31", "wider than /32");
	expect(&r, "2001:db8::/32", NULL);
	r.max_prefix4 = 24;
	expect(&r, "198.18.0.0/16", "wider than /24");
	expect(&r, "198.18.1.0/24", NULL);
	blockrail_fini(&r);
}

static void test_own_and_allow(void **state)
{
	struct blockrail r;
	struct addr a;

	(void)state;
	blockrail_init(&r);
	assert_int_equal(addr_parse("198.51.100.5", 12, &a), 0);
	assert_int_equal(blockrail_own(&r, &a), 0);
	assert_int_equal(blockrail_own(&r, &a), 0);   /* once */
	assert_int_equal(r.nown, 1);
	assert_int_equal(addr_parse("::ffff:203.0.113.9", 18, &a), 0);
	assert_int_equal(blockrail_own(&r, &a), 0);   /* folded */
	expect(&r, "198.51.100.0/24", "holds the host's own address 198.51.100.5");
	expect(&r, "198.51.100.5/32", "holds the host's own address");
	expect(&r, "198.51.100.6/32", NULL);
	expect(&r, "203.0.113.0/24", "holds the host's own address 203.0.113.9");

	{
		struct cidr c = net("192.0.2.0/25");

		assert_int_equal(blockrail_allow(&r, &c), 0);
	}
	expect(&r, "192.0.2.0/24", "overlaps --allow 192.0.2.0/25");   /* wider */
	expect(&r, "192.0.2.64/26", "overlaps --allow");               /* inside */
	expect(&r, "192.0.2.128/25", NULL);                             /* beside */
	blockrail_fini(&r);
}

static void test_allow_text(void **state)
{
	static const char text[] =
		"# our monitoring\n"
		"192.0.2.0/24\n"
		"  2001:db8:77::/48   # the office\n"
		"\n"
		"198.51.100.9\r\n"
		"not a network\n"
		"203.0.113.0/33\n"
		"::ffff:203.0.113.0/120";   /* no final newline */
	struct blockrail r;
	char *out = NULL;
	size_t len = 0;
	FILE *msg = open_memstream(&out, &len);

	(void)state;
	blockrail_init(&r);
	assert_int_equal(blockrail_allow_text(&r, text, sizeof text - 1, "allow.txt", msg), 2);
	fclose(msg);
	assert_string_equal(out, "allow.txt:6: expected a network like 192.0.2.0/24 or 2001:db8::/32\n"
				 "allow.txt:7: expected a network like 192.0.2.0/24 or 2001:db8::/32\n");
	free(out);
	assert_int_equal(r.nallow, 4);
	expect(&r, "192.0.2.0/24", "overlaps --allow 192.0.2.0/24");
	expect(&r, "2001:db8:77:1::/64", "overlaps --allow 2001:db8:77::/48");
	expect(&r, "198.51.100.0/24", "overlaps --allow 198.51.100.9/32");
	expect(&r, "203.0.113.0/24", "overlaps --allow 203.0.113.0/24");   /* folded */
	expect(&r, "2001:db8:78::/48", NULL);
	assert_int_equal(blockrail_allow_text(&r, "", 0, "empty", NULL), 0);
	blockrail_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),       cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_embedded),      cmocka_unit_test(test_private),
		cmocka_unit_test(test_max_prefix),    cmocka_unit_test(test_own_and_allow),
		cmocka_unit_test(test_allow_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
