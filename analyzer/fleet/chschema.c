/* chschema — the ClickHouse tables of a fleet: what each holds, and the DDL
 * that Debian 12's ClickHouse (18.16) accepts. Times stay µs since the
 * epoch in Int64, as in SQLite; a MATERIALIZED Date column partitions. */
#include <errno.h>
#include <stdio.h>

#include "chschema.h"


static const struct chschema_col sources_cols[] = {
	{"host", "String"},          {"sha256", "String"},      {"path", "String"},
	{"format", "String"},        {"bytes", "Int64"},        {"imported_at", "Int64"},
	{"snapshots", "Int64"},      {"sockets", "Int64"},      {"bad_lines", "Int64"},
	{"first_error", "Nullable(String)"},                    {"batch", "UInt64"},
};
static const struct chschema_col snapshots_cols[] = {
	{"host", "String"},          {"time", "Int64"},         {"source", "String"},
	{"time_from", "String"},     {"seq", "Nullable(Int64)"}, {"boot_id", "Nullable(String)"},
	{"kernel", "Nullable(String)"}, {"reason", "Nullable(String)"},
	{"interval_us", "Nullable(Int64)"}, {"sockets", "Int64"}, {"chain", "UInt64"},
	{"k", "Int64"},              {"batch", "UInt64"},
};
static const struct chschema_col states_cols[] = {
	{"host", "String"}, {"time", "Int64"}, {"proto", "String"},
	{"state", "String"}, {"n", "Int64"},   {"batch", "UInt64"},
};
static const struct chschema_col counters_cols[] = {
	{"host", "String"}, {"time", "Int64"}, {"name", "String"},
	{"value", "Int64"}, {"batch", "UInt64"},
};
static const struct chschema_col processes_cols[] = {
	{"host", "String"}, {"time", "Int64"},  {"pid", "Int64"},
	{"program", "Nullable(String)"},        {"comm", "Nullable(String)"},
	{"sockets", "Int64"},                   {"batch", "UInt64"},
};
static const struct chschema_col spans_cols[] = {
	{"host", "String"},      {"chain", "UInt64"},    {"t_first", "Int64"},
	{"t_last", "Int64"},     {"k_first", "Int64"},   {"k_last", "Int64"},
	{"copies", "Int64"},     {"ord", "Int64"},       {"proto", "String"},
	{"family", "UInt8"},     {"state", "String"},    {"laddr", "Nullable(String)"},
	{"lport", "UInt16"},     {"raddr", "Nullable(String)"}, {"rport", "UInt16"},
	{"rnet", "Int64"},       {"rxq", "Nullable(Int64)"},    {"txq", "Nullable(Int64)"},
	{"uid", "Nullable(Int64)"}, {"inode", "Nullable(Int64)"}, {"timer", "Nullable(String)"},
	{"expires_ms", "Nullable(Int64)"}, {"retrans", "Nullable(Int64)"},
	{"pid", "Nullable(Int64)"}, {"program", "Nullable(String)"},
	{"lhost", "Nullable(String)"}, {"rhost", "Nullable(String)"},
	{"max_retrans", "Nullable(Int64)"}, {"batch", "UInt64"},
};

/* one per host, batch and series ("SYN_RECV", a counter's name; "*": the
 * host's rows from before this table existed, see ship_create_schema) */
static const struct chschema_col ranges_cols[] = {
	{"host", "String"},    {"series", "String"}, {"t_first", "Int64"}, {"t_last", "Int64"},
	{"v_first", "Int64"},  {"v_last", "Int64"},  {"vmin", "Int64"},    {"vmax", "Int64"},
	{"points", "Int64"},   {"rates", "Int64"},   {"rmin", "Float64"},  {"rmax", "Float64"},
	{"exact", "UInt8"},    {"batch", "UInt64"},
};

#define T(name, cols, day, order) {name, cols, sizeof cols / sizeof cols[0], day, order}
const struct chschema_table_def chschema_tables[CHSCHEMA_NTABLES] = {
	[CHSCHEMA_SOURCES] = T("sources", sources_cols, "imported_at", "(host, sha256)"),
	[CHSCHEMA_SNAPSHOTS] = T("snapshots", snapshots_cols, "time", "(host, time)"),
	[CHSCHEMA_STATES] = T("snapshot_states", states_cols, "time",
			      "(host, time, proto, state)"),
	[CHSCHEMA_COUNTERS] = T("counters", counters_cols, "time", "(host, name, time)"),
	[CHSCHEMA_PROCESSES] = T("processes", processes_cols, "time", "(host, time, pid)"),
	[CHSCHEMA_SPANS] = T("spans", spans_cols, "t_first", "(host, t_first, chain)"),
	[CHSCHEMA_RANGES] = T("series_ranges", ranges_cols, "t_first", "(host, series, t_first)"),
};

int chschema_collist(enum chschema_table t, struct buf *out)
{
	const struct chschema_table_def *d = &chschema_tables[t];

	for (size_t i = 0; i < d->ncols; i++)
		if (buf_printf(out, "%s%s", i ? ", " : "", d->cols[i].name) < 0)
			return -ENOMEM;
	return 0;
}

/* One table's MergeTree (named <name>_local in a cluster). */
static int merge_tree(const struct chschema_opts *o, const struct chschema_table_def *d,
		      struct buf *b)
{
	if (buf_printf(b, "CREATE TABLE IF NOT EXISTS %s.%s%s (\n", o->database, d->name,
		       o->cluster ? "_local" : "") < 0)
		return -ENOMEM;
	for (size_t i = 0; i < d->ncols; i++)
		if (buf_printf(b, "\t%s %s,\n", d->cols[i].name, d->cols[i].type) < 0)
			return -ENOMEM;
	if (buf_printf(b, "\tday Date MATERIALIZED toDate(toDateTime(intDiv(%s, 1000000)))\n"
			  ") ENGINE = MergeTree\nPARTITION BY day\nORDER BY %s", d->tcol, d->order) < 0)
		return -ENOMEM;
	if (o->ttl_days &&
	    buf_printf(b, "\nTTL toDateTime(intDiv(%s, 1000000)) + INTERVAL %u DAY", d->tcol,
		       o->ttl_days) < 0)
		return -ENOMEM;
	return 0;
}

int chschema_stmt(const struct chschema_opts *o, size_t n, struct buf *out)
{
	const char *c = o->cluster;
	size_t per = c ? 2 : 1;
	const struct chschema_table_def *d;

	buf_reset(out);
	if (n == 0)
		return buf_printf(out, "CREATE DATABASE IF NOT EXISTS %s", o->database) < 0 ? -ENOMEM
											      : 1;
	n--;
	if (n >= per * CHSCHEMA_NTABLES)
		return 0;
	d = &chschema_tables[n / per];
	if (n % per == 0)
		return merge_tree(o, d, out) < 0 ? -ENOMEM : 1;
	/* sharded by host: a host's batch lands whole on one shard, so one
	 * insert is all or nothing (ship's idempotence rests on it). The
	 * columns are listed without the MATERIALIZED day: 18.16 refuses an
	 * insert through a Distributed table that has one. */
	if (buf_printf(out, "CREATE TABLE IF NOT EXISTS %s.%s (\n", o->database, d->name) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < d->ncols; i++)
		if (buf_printf(out, "\t%s %s%s\n", d->cols[i].name, d->cols[i].type,
			       i + 1 < d->ncols ? "," : "") < 0)
			return -ENOMEM;
	return buf_printf(out, ") ENGINE = Distributed(%s, %s, %s_local, cityHash64(host))", c,
			  o->database, d->name) < 0 ? -ENOMEM : 1;
}

int chschema_ddl(const struct chschema_opts *o, struct buf *out)
{
	struct buf one = BUF_INIT;
	int rc;

	for (size_t n = 0; (rc = chschema_stmt(o, n, &one)) == 1; n++)
		if (buf_printf(out, "%s;\n\n", one.data) < 0) {
			rc = -ENOMEM;
			break;
		}
	buf_fini(&one);
	return rc;
}
