/* fleet_int.h — private to analyzer/fleet/: the SQL helpers the fleet
 * reports share (fleet.c). */
#ifndef SOCKSCOPE_FLEET_INT_H
#define SOCKSCOPE_FLEET_INT_H

#include "buf.h"
#include "chhttp.h"
#include "fleet.h"

/* Whether a span's peer is IPv4, in SQL: by its text, since a tcp6
 * socket's IPv4-mapped peer is stored folded, with family 6 and rnet its
 * 32-bit number (docs/SCHEMA.md). */
#define PEER_V4 "(position(assumeNotNull(raddr), ':') = 0)"

/* Appends s as a ClickHouse string literal ('...', \ and ' escaped). */
int fleet_sql_str(struct buf *b, const char *s);
/* Appends " AND ..." for flt: host, and a time range against the columns
 * t_lo (a row's start) and t_hi (its end). 0 or -ENOMEM. */
int fleet_sql_filter(struct buf *b, const struct fleet_filter *flt, const char *t_lo,
		     const char *t_hi);
/* Runs sql (FORMAT TabSeparated), the answer into resp. chhttp's errors. */
int fleet_query(struct chhttp *h, const struct buf *sql, struct buf *resp, char *err,
		size_t errsz);

#endif
