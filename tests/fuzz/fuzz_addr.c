/* Fuzz target for common/addr: any bytes as an address and as a CIDR; what
 * parses must format canonically, re-parse to the same struct, and agree
 * with the C library's inet_pton. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(const char *s, size_t len)
{
	struct addr a, b;
	char t1[ADDR_STRLEN], t2[ADDR_STRLEN], z[128];
	unsigned char ref[16];
	size_t n1, n2;
	int ok = addr_parse(s, len, &a) == 0;

	/* Differential: glibc's inet_pton is strict in the same ways (no
	 * leading zeros in a dotted quad, 1..4 hex digits per group). */
	if (len < sizeof z && !memchr(s, '\0', len)) {
		int fam = memchr(s, ':', len) ? AF_INET6 : AF_INET;
		int rok;

		memcpy(z, s, len);
		z[len] = '\0';
		rok = inet_pton(fam, z, ref) == 1;
		if (ok != rok)
			abort();
		if (ok && (a.family != fam || memcmp(a.a, ref, fam == AF_INET ? 4 : 16) != 0))
			abort();
	}
	if (!ok)
		return;
	if (a.family != AF_INET && a.family != AF_INET6)
		abort();
	if (a.family == AF_INET)
		for (int i = 4; i < 16; i++)
			if (a.a[i])
				abort();
	n1 = addr_format(&a, t1, sizeof t1);
	if (n1 == 0 || n1 >= ADDR_STRLEN || strlen(t1) != n1)
		abort();
	if (addr_parse(t1, n1, &b) != 0 || memcmp(&a, &b, sizeof a) != 0)
		abort();
	n2 = addr_format(&b, t2, sizeof t2);
	if (n2 != n1 || memcmp(t1, t2, n1) != 0)
		abort();
	for (size_t i = 0; i < n1; i++)
		if (t1[i] >= 'A' && t1[i] <= 'Z')
			abort();
	/* glibc's inet_ntop follows RFC 5952 too, except that it also writes
	 * the deprecated IPv4-compatible form ::a.b.c.d: skip that one. */
	if (a.family == AF_INET6) {
		static const uint8_t zero12[12];
		char ref_txt[INET6_ADDRSTRLEN];
		unsigned groups = 0;

		if (!inet_ntop(AF_INET6, a.a, ref_txt, sizeof ref_txt))
			abort();
		if (!(memcmp(a.a, zero12, 12) == 0 && (a.a[12] || a.a[13])) &&
		    strcmp(ref_txt, t1) != 0)
			abort();
		/* "::" never stands for a lone zero group: at most six groups
		 * are written next to it. */
		for (size_t i = 0; i < n1; i++)
			groups += t1[i] != ':' && (i == 0 || t1[i - 1] == ':');
		if (strstr(t1, "::") && !addr_is_v4mapped(&a) && groups > 6)
			abort();
	}
	if (addr_is_v4mapped(&a)) {
		b = a;
		addr_fold(&b);
		if (b.family != AF_INET || memcmp(b.a, a.a + 12, 4) != 0)
			abort();
	}
}

static void check_cidr(const char *s, size_t len)
{
	struct cidr c, d;
	struct addr m;
	char t1[CIDR_STRLEN], t2[CIDR_STRLEN];
	size_t n1, n2;

	if (cidr_parse(s, len, &c) != 0)
		return;
	if (c.prefix > addr_maxprefix(&c.addr) || addr_is_v4mapped(&c.addr))
		abort();
	m = c.addr;
	addr_mask(&m, c.prefix);
	if (memcmp(&m, &c.addr, sizeof m) != 0)
		abort();
	if (!cidr_contains(&c, &c.addr))
		abort();
	n1 = cidr_format(&c, t1, sizeof t1);
	if (n1 == 0 || n1 >= CIDR_STRLEN || strlen(t1) != n1)
		abort();
	if (cidr_parse(t1, n1, &d) != 0 || memcmp(&c, &d, sizeof c) != 0)
		abort();
	n2 = cidr_format(&d, t2, sizeof t2);
	if (n2 != n1 || memcmp(t1, t2, n1) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_addr(s, size);
	check_cidr(s, size);
	return 0;
}
