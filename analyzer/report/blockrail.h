/* blockrail — the safety rails of a block-list: which networks may never be
 * recommended (loopback, link-local, multicast, unspecified, reserved, the
 * IPv4 inside NAT64, 6to4 and IPv4-compatible networks, the host's own
 * addresses, --allow, private ranges unless asked, anything wider than
 * --max-prefix), each refusal with its reason. Pure, no I/O but what the
 * allow-file reader is told to report. */
#ifndef SOCKSCOPE_BLOCKRAIL_H
#define SOCKSCOPE_BLOCKRAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"

struct blockrail {
	struct cidr *allow;      /* --allow, --allow-file */
	size_t nallow, capallow;
	struct addr *own;        /* the host's own addresses (its sockets' local ones) */
	size_t nown, capown;
	bool include_private;    /* --include-private: RFC 1918, CGNAT, ULA allowed */
	unsigned max_prefix4;    /* --max-prefix: nothing wider (default: blockrail_init) */
	unsigned max_prefix6;    /* --max-prefix6 */
};

/* Defaults: private ranges refused, /16 and /32 the widest. */
void blockrail_init(struct blockrail *r);
void blockrail_fini(struct blockrail *r);

/* A network never to block (folded when IPv4-mapped). 0 or -ENOMEM. */
int blockrail_allow(struct blockrail *r, const struct cidr *c);
/* An address of the host itself. 0 or -ENOMEM. */
int blockrail_own(struct blockrail *r, const struct addr *a);

/* An allow file's text: one CIDR or address per line; blank lines and
 * everything from '#' on are ignored. A line that is not a network is
 * reported to msg as "name:line: expected a network like 192.0.2.0/24 or
 * 2001:db8::/32" (msg may be NULL) and skipped. Returns the number of bad
 * lines, or -ENOMEM. */
long blockrail_allow_text(struct blockrail *r, const char *text, size_t len, const char *name,
			  FILE *msg);

/* Why net may not be blocked, in words ("loopback", "in --allow
 * 192.0.2.0/24", "wider than /16 (--max-prefix)", ...), or NULL when it
 * may. A network is refused when it overlaps a protected range at all:
 * 198.51.100.0/24 is refused when the host's own address is 198.51.100.5.
 * The reason may point into r or a static buffer of the caller: buf. */
const char *blockrail_check(const struct blockrail *r, const struct cidr *net, char *buf,
			    size_t bufsz);

#endif
