/* sockrow — one socket as every source sees it (sock_diag, /proc/net/tcp,
 * a netstat/ss dump, the snapshot's `sockets` TSV), and its TSV encoding. */
#ifndef SOCKSCOPE_SOCKROW_H
#define SOCKSCOPE_SOCKROW_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "buf.h"

enum sock_timer {          /* /proc "tr" field and inet_diag idiag_timer */
	TIMER_OFF = 0,
	TIMER_ON = 1,          /* retransmit */
	TIMER_KEEPALIVE = 2,
	TIMER_TIMEWAIT = 3,
	TIMER_PROBE = 4,       /* zero window probe */
};

struct sock_row {
	struct addr local;     /* as the kernel reports it: v4-mapped NOT folded */
	struct addr remote;
	uint64_t inode;        /* 0 for request and TIME_WAIT sockets */
	uint32_t rxq, txq;     /* queues; for LISTEN: current / max backlog */
	uint32_t uid;
	uint32_t expires_ms;   /* timer expiry, ms from now */
	uint32_t retrans;
	int32_t pid;           /* owning process, 0 when unknown */
	uint16_t lport, rport;
	uint8_t proto;         /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW */
	uint8_t family;        /* AF_INET or AF_INET6: the socket's family */
	uint8_t state;         /* enum tcp_st; UDP uses ST_CLOSE / ST_ESTABLISHED */
	uint8_t timer;         /* enum sock_timer */
	uint8_t unknown;       /* SOCKROW_UNKNOWN_* bits: fields the source did
	                        * not say (a foreign dump); 0 = all known */
	uint8_t named;         /* SOCKROW_NAMED_* bits: the dump wrote names */
	const char *program;   /* borrowed, NULL when unknown: net-tools style
	                        * name (argv[0], basename if absolute, controls
	                        * replaced by '.'), see procmap.h */
	const char *lhost;     /* borrowed, NULL unless the dump named the local
	                        * host instead of its address (netstat without
	                        * -n): then `local` is unspecified, not resolved */
	const char *rhost;     /* likewise for the peer */
};

/* sock_row.named bits: what a dump saved without -n said by name. */
#define SOCKROW_NAMED_HOST 0x01u   /* lhost or rhost set */
#define SOCKROW_NAMED_PORT 0x02u   /* a port was a service name */

/* sock_row.unknown bits. pid/program are unknown when pid is 0 / program
 * NULL; addresses, ports, proto, family and state are always known. */
#define SOCKROW_UNKNOWN_QUEUES  0x01u   /* rxq, txq */
#define SOCKROW_UNKNOWN_UID     0x02u
#define SOCKROW_UNKNOWN_INODE   0x04u
#define SOCKROW_UNKNOWN_TIMER   0x08u   /* timer, expires_ms, retrans */
#define SOCKROW_UNKNOWN_ALL     0x0fu

/* Text names of proto and timer used in the TSV. */
const char *sockrow_proto_name(int proto);      /* "tcp", "udp", "raw" */
int sockrow_proto_parse(const char *s, size_t len);
const char *sockrow_timer_name(int timer);      /* off on keepalive timewait probe */
int sockrow_timer_parse(const char *s, size_t len);

/* The `sockets` section header line, with trailing '\n'. */
#define SOCKROW_TSV_HEADER \
	"proto\tfamily\tstate\tladdr\tlport\traddr\trport\trxq\ttxq\tuid\tinode\ttimer\texpires_ms\tretrans\tpid\tprogram\n"

/* Appends one TSV line (with '\n') as docs/FORMAT.md specifies: addresses
 * folded (v4-mapped written as IPv4, the family column keeps 6), state by
 * tcpstate_name() (UDP: UNCONN / ESTABLISHED), program escaped (\\ \t \n
 * \r as backslash sequences), "-" when unknown. A protocol, state or timer
 * without a name is written as its decimal number. 0, -ENOMEM, or -EINVAL
 * (nothing appended) when the family is neither AF_INET nor AF_INET6 or an
 * AF_INET row holds an IPv6 address. */
int sockrow_to_tsv(const struct sock_row *r, struct buf *out);

/* Appends s escaped as a TSV field (\\ \t \n \r as backslash sequences,
 * a lone "-" as "\-"); NULL appends "-" (unknown). Used for every
 * free-text field of the snapshot's TSV sections. 0 or -ENOMEM. */
int sockrow_put_escaped(struct buf *out, const char *s);

/* Parses one TSV line (without or with its '\n'). The program string is
 * unescaped into `scratch` and out->program points into it (valid until
 * scratch changes). Returns 0, 1 for the header line, or -EINVAL with a
 * static description of what was expected in *what. */
int sockrow_from_tsv(const char *line, size_t len, struct sock_row *out,
		     struct buf *scratch, const char **what);

/* The inverse of sockrow_put_escaped, exactly s[0..len): *res is NULL for
 * "-", else points into scratch (reset first). 0, -EINVAL for a raw CR/NUL or
 * an unknown escape, or -ENOMEM. */
int sockrow_get_escaped(const char *s, size_t len, struct buf *scratch, const char **res);
/* Whether sockrow_get_escaped would take s[0..len): 0 or -EINVAL, and
 * nothing copied (a name already known needs no copy). */
int sockrow_check_escaped(const char *s, size_t len);

/* Where parsers send rows and complaints. `row` returns 0 to go on or a
 * negative errno to stop; `bad` is told the 1-based line number and what was
 * expected there. */
struct row_sink {
	int (*row)(void *ctx, const struct sock_row *r);
	void (*bad)(void *ctx, size_t lineno, const char *expected);
	void *ctx;
};

#endif
