/* testnet — the one list of addresses the test tools may put on the wire
 * (the project's network-safety rule): documentation and benchmark ranges,
 * checked with common/addr.h. Header-only: each tool is one program. */
#ifndef SOCKSCOPE_TESTNET_H
#define SOCKSCOPE_TESTNET_H

#include <stdbool.h>
#include <string.h>

#include "addr.h"

static const char *const testnet_ranges[] = {
	"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
	"198.18.0.0/15", "100.64.0.0/10", "2001:db8::/32",
};

/* True when all of c lies inside one of testnet_ranges. */
static inline bool testnet_cidr_allowed(const struct cidr *c)
{
	for (size_t i = 0; i < sizeof testnet_ranges / sizeof testnet_ranges[0]; i++) {
		struct cidr r;

		if (cidr_parse(testnet_ranges[i], strlen(testnet_ranges[i]), &r) == 0 &&
		    c->prefix >= r.prefix && cidr_contains(&r, &c->addr))
			return true;
	}
	return false;
}

static inline bool testnet_addr_allowed(const struct addr *a)
{
	struct cidr c = {*a, (uint8_t)addr_maxprefix(a)};

	return testnet_cidr_allowed(&c);
}

#endif
