/* test_blockfmt — every format's exact text for a small list, both
 * families, with and without a TTL; non-canonical entries refused with
 * nothing written. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blockfmt.h"

/* 2026-11-25T19:50:00Z */
#define GEN ((usec_t)1795636200 * USEC_PER_SEC)

static struct blockfmt_entry entry(const char *cidr, double score)
{
	struct blockfmt_entry e = {.score = score};

	if (cidr_parse(cidr, strlen(cidr), &e.net) < 0)
		fail_msg("bad test CIDR %s", cidr);
	return e;
}

/* blockfmt_write's output as a string (caller frees), its return in *rc. */
static char *written(enum blockfmt fmt, const struct blockfmt_entry *e, size_t n, unsigned ttl,
		     long *rc)
{
	struct blockfmt_opts o = {.ttl = ttl, .generated = GEN};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*rc = blockfmt_write(f, fmt, e, n, &o);
	fclose(f);
	return buf;
}

static void check(enum blockfmt fmt, unsigned ttl, long want_rc, const char *want)
{
	struct blockfmt_entry e[] = {
		entry("203.0.113.0/24", 87.5),
		entry("2001:db8:5eed::/48", 70),
		entry("198.51.100.7/32", 60),
	};
	long rc;
	char *got = written(fmt, e, 3, ttl, &rc);

	assert_int_equal(rc, want_rc);
	assert_string_equal(got, want);
	free(got);
}

static void test_iptables(void **state)
{
	(void)state;
	check(BLOCKFMT_IPTABLES, 0, 2,
	      "# sockscope block-list, 2026-11-25T19:50:00Z: 2 networks. Load: iptables-restore --noflush < FILE\n"
	      "*filter\n"
	      ":SOCKSCOPE-BLOCK - [0:0]\n"
	      "-F SOCKSCOPE-BLOCK\n"
	      "-A SOCKSCOPE-BLOCK -s 203.0.113.0/24 -m comment --comment \"sockscope score 87.5\" -j DROP\n"
	      "-A SOCKSCOPE-BLOCK -s 198.51.100.7/32 -m comment --comment \"sockscope score 60.0\" -j DROP\n"
	      "-I INPUT 1 -j SOCKSCOPE-BLOCK\n"
	      "COMMIT\n");
}

static void test_ip6tables(void **state)
{
	(void)state;
	check(BLOCKFMT_IP6TABLES, 0, 1,
	      "# sockscope block-list, 2026-11-25T19:50:00Z: 1 network. Load: ip6tables-restore --noflush < FILE\n"
	      "*filter\n"
	      ":SOCKSCOPE-BLOCK - [0:0]\n"
	      "-F SOCKSCOPE-BLOCK\n"
	      "-A SOCKSCOPE-BLOCK -s 2001:db8:5eed::/48 -m comment --comment \"sockscope score 70.0\" -j DROP\n"
	      "-I INPUT 1 -j SOCKSCOPE-BLOCK\n"
	      "COMMIT\n");
}

static void test_nft(void **state)
{
	(void)state;
	check(BLOCKFMT_NFT, 0, 3,
	      "# sockscope block-list, 2026-11-25T19:50:00Z: 3 networks. Load: nft -f FILE\n"
	      "table inet sockscope {}\n"
	      "delete table inet sockscope\n"
	      "table inet sockscope {\n"
	      "\tset block4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n"
	      "\t\telements = { 203.0.113.0/24, 198.51.100.7/32 }\n\t}\n"
	      "\tset block6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t\tauto-merge\n"
	      "\t\telements = { 2001:db8:5eed::/48 }\n\t}\n"
	      "\tchain input {\n\t\ttype filter hook input priority -10; policy accept;\n"
	      "\t\tip saddr @block4 drop\n\t\tip6 saddr @block6 drop\n\t}\n"
	      "}\n");
	check(BLOCKFMT_NFT, 3600, 3,
	      "# sockscope block-list, 2026-11-25T19:50:00Z: 3 networks. Load: nft -f FILE\n"
	      "table inet sockscope {}\n"
	      "delete table inet sockscope\n"
	      "table inet sockscope {\n"
	      "\tset block4 {\n\t\ttype ipv4_addr\n\t\tflags interval, timeout\n\t\tauto-merge\n\t\ttimeout 3600s\n"
	      "\t\telements = { 203.0.113.0/24, 198.51.100.7/32 }\n\t}\n"
	      "\tset block6 {\n\t\ttype ipv6_addr\n\t\tflags interval, timeout\n\t\tauto-merge\n\t\ttimeout 3600s\n"
	      "\t\telements = { 2001:db8:5eed::/48 }\n\t}\n"
	      "\tchain input {\n\t\ttype filter hook input priority -10; policy accept;\n"
	      "\t\tip saddr @block4 drop\n\t\tip6 saddr @block6 drop\n\t}\n"
	      "}\n");
}

static void test_ipset(void **state)
{
	(void)state;
	check(BLOCKFMT_IPSET, 600, 3,
	      "# sockscope block-list, 2026-11-25T19:50:00Z: 3 networks. Load: ipset restore < FILE\n"
	      "create sockscope-block4 hash:net family inet timeout 600 -exist\n"
	      "flush sockscope-block4\n"
	      "add sockscope-block4 203.0.113.0/24 -exist\n"
	      "add sockscope-block4 198.51.100.7/32 -exist\n"
	      "create sockscope-block6 hash:net family inet6 timeout 600 -exist\n"
	      "flush sockscope-block6\n"
	      "add sockscope-block6 2001:db8:5eed::/48 -exist\n");
}

static void test_plain(void **state)
{
	(void)state;
	check(BLOCKFMT_PLAIN, 0, 3, "203.0.113.0/24\n2001:db8:5eed::/48\n198.51.100.7/32\n");
}

/* An empty list is still a valid file: no elements line in nft. */
static void test_empty(void **state)
{
	long rc;
	char *got = written(BLOCKFMT_NFT, NULL, 0, 0, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(strstr(got, "\tset block4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n\t}\n"));
	assert_null(strstr(got, "elements"));
	free(got);
}

static void test_refused(void **state)
{
	struct blockfmt_entry bad[5];
	long rc;
	char *got;

	(void)state;
	bad[0] = entry("203.0.113.0/24", 50);
	bad[0].net.addr.a[3] = 1;                  /* host bits set */
	bad[1] = entry("2001:db8::/120", 50);       /* IPv4-mapped: fold it first */
	memset(bad[1].net.addr.a, 0, 16);          /* (cidr_parse would fold it) */
	bad[1].net.addr.a[10] = bad[1].net.addr.a[11] = 0xff;
	bad[1].net.addr.a[12] = 192;
	bad[1].net.addr.a[14] = 2;
	bad[2] = entry("192.0.2.0/24", 50);
	bad[2].net.prefix = 33;                    /* beyond IPv4 */
	bad[3] = entry("192.0.2.0/24", 101);       /* a score out of range */
	bad[4] = entry("0.0.0.0/0", 50);           /* everything */
	for (int i = 0; i < 5; i++) {
		struct blockfmt_entry e[2] = {entry("198.51.100.0/24", 10), bad[i]};

		for (int fmt = BLOCKFMT_IPTABLES; fmt <= BLOCKFMT_PLAIN; fmt++) {
			got = written((enum blockfmt)fmt, e, 2, 0, &rc);
			assert_int_equal(rc, -EINVAL);
			assert_string_equal(got, "");   /* nothing, not half a file */
			free(got);
		}
	}
}

static void test_format_names(void **state)
{
	static const char *const names[] = {"iptables", "ip6tables", "nft", "ipset", "plain"};
	enum blockfmt f;

	(void)state;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(blockfmt_parse(names[i], &f), 0);
		assert_int_equal(f, i);
	}
	assert_int_equal(blockfmt_parse("csv", &f), -EINVAL);
	assert_int_equal(blockfmt_parse("NFT", &f), -EINVAL);
	assert_int_equal(blockfmt_parse("", &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iptables), cmocka_unit_test(test_ip6tables),
		cmocka_unit_test(test_nft),      cmocka_unit_test(test_ipset),
		cmocka_unit_test(test_plain),    cmocka_unit_test(test_empty),
		cmocka_unit_test(test_refused),  cmocka_unit_test(test_format_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
