/* filter — the filters every report takes (--host, --since/--until,
 * --state, --port/--lport/--rport, --proto, --family, --program), parsed
 * from their text and turned into SQL conditions whose values are all bound
 * parameters. */
#ifndef SOCKSCOPE_FILTER_H
#define SOCKSCOPE_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"
#include "utctime.h"

struct filter {
	const char *host;          /* NULL: any */
	bool have_since, have_until;
	usec_t since, until;       /* inclusive */
	uint32_t states;           /* bit (1 << enum tcp_st); 0: any */
	int32_t port, lport, rport;   /* -1: any; port: local or remote */
	unsigned protos;           /* FILTER_TCP | FILTER_UDP | FILTER_RAW; 0: any */
	int family;                /* 0, 4 or 6 */
	const char *program;       /* NULL: any; exact match */
};

#define FILTER_TCP 1u
#define FILTER_UDP 2u
#define FILTER_RAW 4u

void filter_init(struct filter *f);   /* everything "any" */

/* A time for --since/--until/--at: ISO 8601 (UTC, or with its zone),
 * "@EPOCH", "now", or relative to now: "-2h", "-30m", "-90s", "-1d",
 * "-1h30m". 0 or -EINVAL. */
int filter_time_parse(const char *s, usec_t now, usec_t *t);
/* How long the period s names lasts, in microseconds, for --at and
 * --until, which mean its end: "2026-11-25T20:51:03Z" is the whole second
 * (1000000), "...03.354Z" the millisecond (1000), "2026-11-25T20:51Z" the
 * minute, "2026-11-25" the day; "now", "-2h" and a full "...03.354675Z" a
 * point (1). The text must have parsed with filter_time_parse. */
usec_t filter_time_span(const char *s);

/* "SYN_RECV,ESTABLISHED", any platform's spelling (SYN_REC, SYN-RECV,
 * ESTAB, LISTENING, UNCONN, ...), ORed into *mask. 0 or -EINVAL with *bad
 * pointing at the word not understood. */
int filter_states_parse(const char *s, uint32_t *mask, const char **bad);
/* "tcp,udp" (raw too) ORed into *mask. 0 or -EINVAL. */
int filter_protos_parse(const char *s, unsigned *mask);
/* A port 0..65535: 0 or -EINVAL. */
int filter_port_parse(const char *s, int32_t *port);

/* Values of the parameters a condition uses, in order. */
struct filter_params {
	unsigned n;
	struct {
		bool is_text;
		int64_t i;
		const char *t;     /* borrowed */
	} v[48];
};

/* Appends to sql the conditions on snapshots (alias `s`: host, time) and,
 * with sockets, on sockets (alias `k`: state, ports, proto, family,
 * program), each as " AND (...)" with ?NNN parameters numbered from
 * p->n + 1, recording their values in p. 0, -ENOMEM, or -E2BIG (too many
 * parameters). */
int filter_sql_snapshots(const struct filter *f, struct buf *sql, struct filter_params *p);
int filter_sql_sockets(const struct filter *f, struct buf *sql, struct filter_params *p);
/* filter_sql_sockets' conditions on schema 6's spans_packed (alias `k`),
 * whose state, protocol and addresses are codes (spancode.h). */
int filter_sql_spans(const struct filter *f, struct buf *sql, struct filter_params *p);

/* Appends "WITH snaps AS (...)": the snapshots a report reads (id, time,
 * their chain and place in it as c and kk, their row count as n), the
 * snapshot conditions applied and, with have_at, each host's newest
 * snapshot at or before at. Reports then add ", r AS (...)" joining the
 * spans that cover them (SCAN_JOIN_SPANS, scan.h) or the sockets view.
 * 0, -ENOMEM or -E2BIG. */
/* " FROM ... WHERE ...": the rows of the snapshots `sn` (filter_sql_snaps)
 * as `k`, the spans that cover each repeated copies times (schema/004_spans.sql;
 * k is spans_packed: filter_sql_spans, spancode.h); conditions follow as " AND ...". Driven from the spans of the selected
 * chains, each matched to the snapshots it covers: once per span, not a
 * search of the chain per snapshot. */
#define FILTER_FROM_SPANS                                                                    \
	" FROM spans_packed k CROSS JOIN snapshots s2 ON s2.chain = k.chain"                  \
	" AND s2.k BETWEEN k.k_first AND k.k_last CROSS JOIN snaps sn ON sn.id = s2.id"      \
	" CROSS JOIN span_copy cp ON cp.i <= k.copies"                                       \
	" WHERE k.chain IN (SELECT c FROM snaps)"

int filter_sql_snaps(const struct filter *f, bool have_at, usec_t at, struct buf *sql,
		     struct filter_params *p);

/* Adds an integer value; its parameter is ?p->n afterwards. 0 or -E2BIG. */
int filter_param_int(struct filter_params *p, int64_t v);
/* Appends "subnet(k.raddr, ?A, ?B)", the remote network as reports group
 * it (prefix4 for IPv4, prefix6 for IPv6). 0, -ENOMEM or -E2BIG. */
int filter_sql_subnet(unsigned prefix4, unsigned prefix6, struct buf *sql,
		      struct filter_params *p);
/* Appends the condition that a span of spans_packed (`k`) has a peer: not
 * a listening or unconnected socket, whose remote address is 0.0.0.0 or ::. */
int filter_sql_has_peer(struct buf *sql);

/* The snapshot conditions in C, for dumps read without a database (scan.c
 * has the socket conditions). */
bool filter_match_snapshot(const struct filter *f, const char *host, usec_t time);

/* Binds p's values to st (parameter i + 1 for value i). SQLite code. */
int filter_bind(sqlite3_stmt *st, const struct filter_params *p);

#endif
