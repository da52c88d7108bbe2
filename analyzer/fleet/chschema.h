/* chschema — the ClickHouse tables `ship` writes and `fleet` reads: their
 * columns (one table, so the DDL, the inserts and the schema check agree)
 * and the DDL for one server or a cluster (docs/CLICKHOUSE.md). */
#ifndef SOCKSCOPE_CHSCHEMA_H
#define SOCKSCOPE_CHSCHEMA_H

#include <stddef.h>

#include "buf.h"

enum chschema_table {
	CHSCHEMA_SOURCES,
	CHSCHEMA_SNAPSHOTS,
	CHSCHEMA_STATES,
	CHSCHEMA_COUNTERS,
	CHSCHEMA_PROCESSES,
	CHSCHEMA_SPANS,
	CHSCHEMA_RANGES,      /* series_ranges: seriesrange.h, per host, batch, series */
	CHSCHEMA_NTABLES
};

struct chschema_col {
	const char *name;
	const char *type;     /* as ClickHouse 18.16 names it (system.columns) */
};

struct chschema_table_def {
	const char *name;
	const struct chschema_col *cols;   /* in insert order */
	size_t ncols;
	const char *tcol;     /* its time (µs): partitions by its day, and TTL */
	const char *order;    /* ORDER BY */
};

extern const struct chschema_table_def chschema_tables[CHSCHEMA_NTABLES];

struct chschema_opts {
	const char *database;    /* "sockscope" */
	const char *cluster;     /* NULL: one server; else <name>_local MergeTree
	                          * tables and Distributed <name> over the cluster,
	                          * run on every server (18.16 needs ZooKeeper
	                          * for ON CLUSTER: not used) */
	unsigned ttl_days;       /* 0: none; else a TTL clause (ClickHouse >= 19.6) */
};

/* The DDL, statements separated by ";\n\n" (each one also valid alone). 0
 * or -ENOMEM. */
int chschema_ddl(const struct chschema_opts *o, struct buf *out);

/* The statements one by one: n-th (0 ...) into out; 1 written, 0 past the
 * last, -ENOMEM. */
int chschema_stmt(const struct chschema_opts *o, size_t n, struct buf *out);

/* "col1, col2, ..." of table t, for INSERT INTO t (cols). */
int chschema_collist(enum chschema_table t, struct buf *out);

#endif
