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
#include "service.h"
#include <netinet/in.h>

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


/* names mode: s parses to addr (unspecified when a name), port, host text
 * (NULL: none) and whether the port was named */
static void expect_named(const char *s, enum hostport_style st, int fam, int proto, int cut,
			 const char *addr, unsigned port, const char *host, int port_named)
{
	struct hostport_names nm;
	struct addr a;
	uint16_t p = 9999;
	char txt[ADDR_STRLEN];

	if (hostport_parse_names(s, strlen(s), st, fam, proto, cut, &a, &p, &nm) != 0)
		fail_msg("%s: refused", s);
	addr_format(&a, txt, sizeof txt);
	assert_string_equal(txt, addr);
	assert_int_equal(p, port);
	if (host) {
		assert_non_null(nm.host);
		assert_int_equal(nm.hostlen, strlen(host));
		assert_memory_equal(nm.host, host, nm.hostlen);
	} else {
		assert_null(nm.host);
	}
	assert_int_equal(nm.port_named, port_named);
}

static void expect_named_bad(const char *s, enum hostport_style st, int cut)
{
	struct hostport_names nm;
	struct addr a;
	uint16_t p;

	if (hostport_parse_names(s, strlen(s), st, AF_INET, IPPROTO_TCP, cut, &a, &p, &nm) >= 0)
		fail_msg("%s: accepted", s);
}

static void test_names(void **state)
{
	(void)state;
	/* numbers still parse as before, and say no names */
	expect_named("1.2.3.4:80", HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, "1.2.3.4", 80, NULL, 0);
	/* net-tools -a, ss -a: service names, host names, wildcards */
	expect_named("*:ssh", HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 22, NULL, 1);
	expect_named("localhost:smtp", HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 25,
		     "localhost", 1);
	expect_named("builder.localdomain:1028", HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0,
		     "0.0.0.0", 1028, "builder.localdomain", 0);
	expect_named("[::]:ssh", HOSTPORT_COLON, AF_INET6, IPPROTO_TCP, 0, "::", 22, NULL, 1);
	expect_named("[fe80::1]%eth0:ssh", HOSTPORT_COLON, AF_INET6, IPPROTO_TCP, 0, "fe80::1", 22,
		     NULL, 1);
	expect_named("ip6-localhost:ipp", HOSTPORT_COLON, AF_INET6, IPPROTO_TCP, 0, "::", 631,
		     "ip6-localhost", 1);
	expect_named("::1:ipp", HOSTPORT_COLON, AF_INET6, IPPROTO_TCP, 0, "::1", 631, NULL, 1);
	expect_named("127.0.0.53%lo:domain", HOSTPORT_COLON, AF_INET, IPPROTO_UDP, 0, "127.0.0.53",
		     53, NULL, 1);
	expect_named("0.0.0.0:mdns", HOSTPORT_COLON, AF_INET, IPPROTO_UDP, 0, "0.0.0.0", 5353,
		     NULL, 1);
	/* a UDP row may carry a name netbase has for TCP only */
	expect_named("*:ipp", HOSTPORT_COLON, AF_INET, IPPROTO_UDP, 0, "0.0.0.0", 631, NULL, 1);
	/* Windows names mode */
	expect_named("DESKTOP-7QJ1:0", HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 0,
		     "DESKTOP-7QJ1", 0);
	expect_named("0.0.0.0:epmap", HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 135,
		     NULL, 1);
	/* BSD dotted */
	expect_named("localhost.smtp", HOSTPORT_DOT, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 25,
		     "localhost", 1);
	expect_named("192.168.71.1.ssh", HOSTPORT_DOT, AF_INET, IPPROTO_TCP, 0, "192.168.71.1", 22,
		     NULL, 1);
	expect_named("*.ssh", HOSTPORT_DOT, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 22, NULL, 1);
	expect_named("fe80::1%lo0.ntp", HOSTPORT_DOT, AF_INET6, IPPROTO_UDP, 0, "fe80::1", 123,
		     NULL, 1);
	expect_named("host.example.org.1028", HOSTPORT_DOT, AF_INET, IPPROTO_TCP, 0, "0.0.0.0",
		     1028, "host.example.org", 0);
	/* a service name cut to the column: only with cut, only when unique */
	expect_named("a-long-host-name.postg", HOSTPORT_DOT, AF_INET, IPPROTO_TCP, 1, "0.0.0.0",
		     5432, "a-long-host-name", 1);
	expect_named_bad("a-long-host-name.postg", HOSTPORT_DOT, 0);
	/* BSD keeps 15 characters of a service name: clc-build-daemon */
	expect_named("*.clc-build-daemo", HOSTPORT_DOT, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 8990,
		     NULL, 1);
	/* what is neither */
	expect_named_bad("localhost:nosuchservice", HOSTPORT_COLON, 0);
	{
		struct hostport_names nm;
		struct addr a;
		uint16_t p;

		/* the shape of a named endpoint, a service the table lacks */
		assert_int_equal(hostport_parse_names("localhost:nosuchservice", 23, HOSTPORT_COLON,
						      AF_INET, IPPROTO_TCP, 0, &a, &p, &nm),
				 -ENOENT);
		assert_int_equal(hostport_parse_names("local host:22", 13, HOSTPORT_COLON, AF_INET,
						      IPPROTO_TCP, 0, &a, &p, &nm),
				 -EINVAL);
	}
	expect_named_bad("local host:22", HOSTPORT_COLON, 0);
	expect_named_bad("10.0.0:22", HOSTPORT_COLON, 0);
	expect_named_bad("localhost", HOSTPORT_COLON, 0);
	expect_named_bad(":ssh", HOSTPORT_COLON, 0);
	expect_named_bad("host;rm:ssh", HOSTPORT_COLON, 0);
	expect_named_bad("[::1]:nosuch", HOSTPORT_COLON, 0);
	/* DNS limits: a label of 64, a name of 254 characters are no names */
	{
		char s[300];

		memset(s, 'a', 64);
		memcpy(s + 64, ":22", 4);
		expect_named_bad(s, HOSTPORT_COLON, 0);
		memset(s, 'a', 63);
		memcpy(s + 63, ":22", 4);
		expect_named("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:22",
			     HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, "0.0.0.0", 22,
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
		for (int i = 0; i < 254; i++)
			s[i] = i % 10 == 9 ? '.' : 'a';
		memcpy(s + 254, ":22", 4);
		expect_named_bad(s, HOSTPORT_COLON, 0);
	}
}

static void test_service(void **state)
{
	uint16_t p = 0;

	(void)state;
	assert_int_equal(service_port("ssh", 3, IPPROTO_TCP, &p), 0);
	assert_int_equal(p, 22);
	assert_int_equal(service_port("domain", 6, IPPROTO_UDP, &p), 0);
	assert_int_equal(p, 53);
	assert_int_equal(service_port("mdns", 4, IPPROTO_UDP, &p), 0);
	assert_int_equal(p, 5353);
	assert_int_equal(service_port("https", 5, IPPROTO_TCP, &p), 0);
	assert_int_equal(p, 443);
	assert_int_equal(service_port("microsoft-ds", 12, IPPROTO_TCP, &p), 0);
	assert_int_equal(p, 445);
	assert_int_equal(service_port("sshx", 4, IPPROTO_TCP, &p), -ENOENT);
	assert_int_equal(service_port("ss", 2, IPPROTO_TCP, &p), -ENOENT);
	assert_int_equal(service_port("", 0, IPPROTO_TCP, &p), -ENOENT);
	/* "www" is an alias of http */
	assert_int_equal(service_port("www", 3, IPPROTO_TCP, &p), 0);
	assert_int_equal(p, 80);
	assert_int_equal(service_port_prefix("postgres", 8, IPPROTO_TCP, &p), 0);
	assert_int_equal(p, 5432);
	assert_int_equal(service_port_prefix("http", 4, IPPROTO_TCP, &p), 0);   /* exact first */
	assert_int_equal(p, 80);
	assert_int_equal(service_port_prefix("ht", 2, IPPROTO_TCP, &p), -ENOENT);
	assert_int_equal(service_port_prefix("afs3-", 5, IPPROTO_UDP, &p), -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colon),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_row_init),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_service),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
