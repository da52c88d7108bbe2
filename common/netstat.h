/* netstat — renders socket rows exactly as Debian 12's net-tools `netstat`
 * prints its "Active Internet connections" part, for the article's
 * commands (-na, -aultnp, -n -p, -ntu, -anp/-plan, ...). Pure. */
#ifndef SOCKSCOPE_NETSTAT_H
#define SOCKSCOPE_NETSTAT_H

#include <stdbool.h>

#include "buf.h"
#include "sockrow.h"

enum {
	NS_TCP = 1 << 0,      /* -t */
	NS_UDP = 1 << 1,      /* -u */
	NS_RAW = 1 << 2,      /* -w */
	NS_ALL = 1 << 3,      /* -a: listening and non-listening */
	NS_LISTEN = 1 << 4,   /* -l: only listening */
	NS_PROG = 1 << 5,     /* -p: PID/Program name column */
	NS_WIDE = 1 << 6,     /* -W: do not truncate addresses */
	NS_NUMERIC = 1 << 7,  /* -n (always assumed: we never resolve names) */
	NS_EXTEND = 1 << 8,   /* -e: User and Inode columns (numeric user) */
	NS_TIMERS = 1 << 9,   /* -o: Timer column */
};

struct netstat_opts {
	unsigned flags;       /* NS_*; no protocol flag = all protocols */
};

/* Parses a netstat argument string such as "-na", "-aultnp", "-n -p",
 * "-plan", "--numeric --tcp". Unsupported options (routing, -s, -i, -c, ...)
 * give -EINVAL and *bad names the offending argument (static or pointing into
 * args). -n is required: we never resolve names (as net-tools with -n). */
int netstat_opts_parse(const char *args, struct netstat_opts *o, const char **bad);

/* Appends the two header lines net-tools prints before the Internet rows:
 * "Active Internet connections (...)" and the column header. */
int netstat_render_header(const struct netstat_opts *o, struct buf *out);

/* Appends the line for r if net-tools would print it under o (protocol and
 * listening filters), nothing otherwise. Feed rows in /proc order: tcp,
 * tcp6, udp, udp6, raw, raw6 — as net-tools reads them. A row whose family
 * is AF_INET6 but whose address is AF_INET (folded) prints as net-tools
 * prints an IPv4-mapped address: a bare dotted quad.
 * Returns 1 if a line was written, 0 if filtered, -ENOMEM. */
int netstat_render_row(const struct netstat_opts *o, const struct sock_row *r,
		       struct buf *out);

#endif
