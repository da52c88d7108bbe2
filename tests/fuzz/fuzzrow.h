/* fuzzrow — the invariant every dump parser's rows share, for the fuzz
 * targets: a known family, both addresses of it, IPv4 ones zero-padded (so
 * rows compare with memcmp). Header-only: each target is one program. */
#ifndef SOCKSCOPE_FUZZROW_H
#define SOCKSCOPE_FUZZROW_H

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockrow.h"

static inline void fuzz_check_addr(const struct addr *a, int family)
{
	static const uint8_t zero[12];

	if (a->family != family)
		abort();
	if (family == AF_INET && memcmp(a->a + 4, zero, sizeof zero) != 0)
		abort();
}

static inline void fuzz_check_addrs(const struct sock_row *r)
{
	if (r->family != AF_INET && r->family != AF_INET6)
		abort();
	fuzz_check_addr(&r->local, r->family);
	fuzz_check_addr(&r->remote, r->family);
}

#endif
