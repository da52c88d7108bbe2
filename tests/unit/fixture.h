/* fixture — loading captured test data (tests/data/) in unit tests. Included
 * by test_*.c after cmocka.h; header-only because each test is one program. */
#ifndef SOCKSCOPE_TEST_FIXTURE_H
#define SOCKSCOPE_TEST_FIXTURE_H

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

/* Whole file tests/data/<rel> (or $TEST_DATA_DIR/<rel>), NUL-terminated;
 * fails the test when it cannot be read. Caller frees. */
static inline char *fixture_load(const char *rel, size_t *len)
{
	const char *d = getenv("TEST_DATA_DIR");
	char path[512];
	char *p = NULL;
	size_t cap = 0, n = 0, got;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", d && *d ? d : "tests/data", rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s (run tests from the repository root)", path);
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			p = realloc(p, cap);
			assert_non_null(p);
		}
		got = fread(p + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

/* tests/data/netstat/<name>, see tests/data/netstat/README.md. */
static inline char *netstat_fixture(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof rel, "netstat/%s", name);
	return fixture_load(rel, len);
}

/* The captured /proc/net files and what they hold, in net-tools' reading
 * order. */
static const struct {
	const char *file;
	int proto, family;
} proc_fixtures[] = {
	{"proc_net_tcp", IPPROTO_TCP, AF_INET},  {"proc_net_tcp6", IPPROTO_TCP, AF_INET6},
	{"proc_net_udp", IPPROTO_UDP, AF_INET},  {"proc_net_udp6", IPPROTO_UDP, AF_INET6},
	{"proc_net_raw", IPPROTO_RAW, AF_INET},  {"proc_net_raw6", IPPROTO_RAW, AF_INET6},
};
#define N_PROC_FIXTURES (sizeof proc_fixtures / sizeof proc_fixtures[0])

#endif
