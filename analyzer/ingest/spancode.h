/* spancode — the integer codes of a span's row in the database (schema 6,
 * schema/006_narrow_spans.sql): kind (state, protocol, family), timer, and
 * an IPv4 local address as a number; written by store.c, read back by the
 * readers of spans_packed (scan_db.c, replay.c, the reports' SQL). */
#ifndef SOCKSCOPE_SPANCODE_H
#define SOCKSCOPE_SPANCODE_H

#include <stddef.h>
#include <stdint.h>

/* State codes: the kernel's TCP state numbers (tcpstate.h, 1 ESTABLISHED
 * .. 11 CLOSING), 0 for UNKNOWN and SPANCODE_UNCONN for UNCONN: the
 * numbering the reports' aggregation uses (agg.h), so no table between. */
#define SPANCODE_UNCONN 13

/* kind = (state << 3) | (proto << 1) | (family == 6); proto 0 tcp, 1 udp,
 * 2 raw. The database names (tcpstate_db_name, "tcp") to the kind; -EINVAL
 * for a name the schema has no code for. */
int spancode_kind(const char *proto, int family, const char *state);
static inline int spancode_state(int64_t kind)
{
	return (int)((kind >> 3) & 15);
}
/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_RAW */
int spancode_proto(int64_t kind);
static inline int spancode_family(int64_t kind)
{
	return (kind & 1) ? 6 : 4;
}

/* The stored laddr of an address as canonical text: 1 and *v for a dotted
 * quad (its number, as a signed 32-bit value), 0 for other text (stored as
 * it is). */
int spancode_ipv4(const char *text, size_t len, int64_t *v);

/* SQL: k's columns of the view `spans` from spans_packed's (alias k), as
 * schema/006_narrow_spans.sql's view writes them. The state's is the
 * database's name; proto's "tcp", "udp", "raw"; the timer's "off", ... */
#define SPANCODE_SQL_PROTO(k)                                                                      \
	"(CASE (" k ".kind >> 1) & 3 WHEN 0 THEN 'tcp' WHEN 1 THEN 'udp' ELSE 'raw' END)"
#define SPANCODE_SQL_STATE(k)                                                                      \
	"(CASE " k ".kind >> 3 WHEN 1 THEN 'ESTABLISHED' WHEN 2 THEN 'SYN_SENT'"                   \
	" WHEN 3 THEN 'SYN_RECV' WHEN 4 THEN 'FIN_WAIT1' WHEN 5 THEN 'FIN_WAIT2'"                  \
	" WHEN 6 THEN 'TIME_WAIT' WHEN 7 THEN 'CLOSE' WHEN 8 THEN 'CLOSE_WAIT'"                    \
	" WHEN 9 THEN 'LAST_ACK' WHEN 10 THEN 'LISTEN' WHEN 11 THEN 'CLOSING'"                     \
	" WHEN 13 THEN 'UNCONN' ELSE 'UNKNOWN' END)"
#define SPANCODE_SQL_FAMILY(k) "(CASE " k ".kind & 1 WHEN 0 THEN 4 ELSE 6 END)"
#define SPANCODE_SQL_TIMER(k)                                                                      \
	"(CASE " k ".timer WHEN 0 THEN 'off' WHEN 1 THEN 'on' WHEN 2 THEN 'keepalive'"             \
	" WHEN 3 THEN 'timewait' WHEN 4 THEN 'probe' END)"
#define SPANCODE_SQL_RNET(k)                                                                       \
	"(CASE WHEN " k ".raddr IS NULL AND " k ".rhost IS NULL THEN " k ".rnet & 4294967295"      \
	" ELSE " k ".rnet END)"
#define SPANCODE_SQL_QUAD(x)                                                                       \
	"printf('%d.%d.%d.%d', (" x " >> 24) & 255, (" x " >> 16) & 255, (" x " >> 8) & 255, " x   \
	" & 255)"
#define SPANCODE_SQL_LADDR(k)                                                                      \
	"(CASE WHEN typeof(" k                                                                     \
	".laddr) = 'integer' THEN " SPANCODE_SQL_QUAD(k ".laddr") " ELSE " k ".laddr END)"
#define SPANCODE_SQL_RADDR(k)                                                                      \
	"(CASE WHEN " k ".raddr IS NOT NULL THEN " k ".raddr WHEN " k                              \
	".rhost IS NULL THEN " SPANCODE_SQL_QUAD(k ".rnet") " END)"

#endif
