/* diag — every TCP/UDP socket (all states incl. SYN_RECV request sockets and
 * TIME_WAIT) from the kernel's sock_diag netlink interface, via libmnl. */
#ifndef SOCKSCOPE_DIAG_H
#define SOCKSCOPE_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "sockrow.h"

struct diag;

/* Opens a NETLINK_SOCK_DIAG socket. 0 with *out set, or -errno with *out
 * NULL. Caller frees. */
int diag_new(struct diag **out);
void diag_free(struct diag *d);   /* NULL is a no-op */

/* Dumps all sockets of one family (AF_INET/AF_INET6) and protocol
 * (IPPROTO_TCP/IPPROTO_UDP), every state, calling sink->row per socket
 * (pid 0, program NULL: the caller fills them). Rows are delivered while
 * the dump runs; memory is bounded by one netlink buffer.
 * Returns the number of rows or -errno (the first negative value returned by
 * sink->row stops the dump and is returned). */
long diag_dump(struct diag *d, int family, int proto, const struct row_sink *sink);

/* Results of diag_parse() besides -errno. */
enum {
	DIAG_MORE = 0,   /* buffer consumed, the dump goes on */
	DIAG_DONE = 1,   /* NLMSG_DONE reached */
	DIAG_INTR = 2,   /* kernel flagged the dump inconsistent: start over */
};

/* Parses one received buffer of sock_diag replies (buf 4-byte aligned),
 * delivering rows of protocol `proto` to sink and counting them in *rows.
 * Messages with another seq/portid are ignored (0 = accept any). Returns a
 * DIAG_* value, the NLMSG_ERROR/NLMSG_DONE error, the sink's error, or
 * -EBADMSG for a short or truncated message. Used by diag_dump; public so
 * captured replies can be replayed in tests and fuzzed. */
int diag_parse(const void *buf, size_t len, uint32_t seq, uint32_t portid, int proto,
	       const struct row_sink *sink, long *rows);

#endif
