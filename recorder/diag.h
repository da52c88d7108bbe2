/* diag — every TCP/UDP socket (all states incl. SYN_RECV request sockets and
 * TIME_WAIT) from the kernel's sock_diag netlink interface, via libmnl. */
#ifndef SOCKSCOPE_DIAG_H
#define SOCKSCOPE_DIAG_H

#include "sockrow.h"

struct diag;

/* Opens a NETLINK_SOCK_DIAG socket. NULL with errno set on failure. */
struct diag *diag_new(void);
void diag_free(struct diag *d);   /* NULL is a no-op */

/* Dumps all sockets of one family (AF_INET/AF_INET6) and protocol
 * (IPPROTO_TCP/IPPROTO_UDP), every state, calling sink->row per socket
 * (pid 0, program NULL: the caller fills them). Rows are delivered while
 * the dump runs; memory is bounded by one netlink buffer.
 * Returns the number of rows or -errno (the first negative value returned by
 * sink->row stops the dump and is returned). */
long diag_dump(struct diag *d, int family, int proto, const struct row_sink *sink);

#endif
