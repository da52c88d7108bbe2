/* fleet — fleet top and timeline: one GROUP BY in ClickHouse each, the
 * answer parsed strictly (chtsv) and written through output.c. Values from
 * the command line reach SQL as numbers or quoted literals (fleet_sql_str). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chtsv.h"
#include "fleet.h"
#include "fleet_int.h"

int fleet_top_by_parse(const char *s, enum fleet_top_by *by)
{
	static const char *const names[] = {"subnet", "ip", "port"};

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*by = (enum fleet_top_by)i;
			return 0;
		}
	return -EINVAL;
}

int fleet_sql_str(struct buf *b, const char *s)
{
	if (buf_putc(b, '\'') < 0)
		return -ENOMEM;
	for (; *s; s++) {
		if ((*s == '\'' || *s == '\\') && buf_putc(b, '\\') < 0)
			return -ENOMEM;
		if (buf_putc(b, *s) < 0)
			return -ENOMEM;
	}
	return buf_putc(b, '\'');
}

int fleet_sql_filter(struct buf *b, const struct fleet_filter *flt, const char *t_lo,
		     const char *t_hi)
{
	int rc = 0;

	if (flt->host) {
		rc = buf_puts(b, " AND host = ");
		if (rc == 0)
			rc = fleet_sql_str(b, flt->host);
	}
	if (rc == 0 && flt->have_since)
		rc = buf_printf(b, " AND %s >= %" PRId64, t_hi, flt->since);
	if (rc == 0 && flt->have_until)
		rc = buf_printf(b, " AND %s <= %" PRId64, t_lo, flt->until);
	return rc < 0 ? -ENOMEM : 0;
}

int fleet_query(struct chhttp *h, const struct buf *sql, struct buf *resp, char *err,
		size_t errsz)
{
	return chhttp_query(h, sql->data, NULL, 0, resp, err, errsz);
}

/* Writes every row of resp (ncols fields each) through out. */
static long write_rows(const struct buf *resp, const struct output_col *cols, size_t ncols,
		       const struct fleet_out *o, char *err, size_t errsz)
{
	struct output *out = output_new(o->fmt, o->f, cols, ncols, o->width, o->color);
	struct chtsv r;
	long n = 0;
	int rc;

	if (!out)
		return -ENOMEM;
	chtsv_init(&r, resp->data ? resp->data : "", resp->len);
	while ((rc = chtsv_next(&r)) == 1) {
		const char *cells[16];

		if (r.n != ncols || ncols > 16) {
			rc = -EBADMSG;
			break;
		}
		for (size_t i = 0; i < ncols; i++)
			cells[i] = chtsv_field(&r, i);
		rc = output_row(out, cells);
		if (rc < 0)
			break;
		n++;
	}
	if (rc == 0)
		rc = output_end(out);
	if (rc == -EBADMSG)
		snprintf(err, errsz, "the server's answer does not parse");
	chtsv_fini(&r);
	output_free(out);
	return rc < 0 ? rc : n;
}

/* Subnets are grouped by number, not by text: (IPv4 or not, the masked
 * 32-bit IPv4 or the masked top 64 bits of an IPv6 peer, rnet), and the
 * text is made once per group. A /65 .. /128 IPv6 prefix is not in rnet:
 * then the text itself is the key. */
static bool top_numeric(const struct fleet_top_opts *o)
{
	return o->by == FLEET_TOP_SUBNET && o->prefix6 <= 64;
}

/* The GROUP BY expressions. */
static int top_group(struct buf *b, const struct fleet_top_opts *o)
{
	uint64_t m4 = o->prefix4 ? (0xffffffffull << (32 - o->prefix4)) & 0xffffffffull : 0;
	uint64_t m6 = o->prefix6 ? ~0ull << (64 - o->prefix6) : 0;

	if (top_numeric(o))
		return buf_printf(b, PEER_V4 ", bitAnd(toUInt64(rnet), if(" PEER_V4 ", "
				     "%" PRIu64 ", %" PRIu64 ")) AS bucket",
				  m4, m6);
	return buf_puts(b, "key");
}

/* The key as printed (in a grouped query: per group). */
static int top_key(struct buf *b, const struct fleet_top_opts *o)
{
	uint64_t block = (uint64_t)1 << (32 - (o->prefix4 > 32 ? 32 : o->prefix4));

	switch (o->by) {
	case FLEET_TOP_IP:
		return buf_puts(b, "assumeNotNull(raddr)");
	case FLEET_TOP_PORT:
		return buf_puts(b, "toString(lport)");
	case FLEET_TOP_SUBNET:
	default:
		if (top_numeric(o))
			return buf_printf(b, "if(" PEER_V4 ", concat(IPv4NumToString(toUInt32(bucket)), "
					     "'/%u'), concat(cutIPv6(IPv6StringToNum(assumeNotNull("
					     "any(raddr))), %u, 0), '/%u'))",
					  o->prefix4, (128 - o->prefix6) / 8, o->prefix6);
		return buf_printf(b, "if(" PEER_V4 ", concat(IPv4NumToString(toUInt32(intDiv(rnet, "
				     "%" PRIu64 ") * %" PRIu64 ")), '/%u'), "
				     "concat(cutIPv6(IPv6StringToNum(assumeNotNull(raddr)), %u, 0), "
				     "'/%u'))",
				  block, block, o->prefix4, (128 - o->prefix6) / 8, o->prefix6);
	}
}

long fleet_top(struct chhttp *h, const char *database, const struct fleet_filter *flt,
	       const struct fleet_top_opts *o, const struct fleet_out *out, char *err,
	       size_t errsz)
{
	static const struct output_col cols[] = {
		{"name", OUTPUT_STR, false, true},  {"hosts", OUTPUT_INT, true, false},
		{"sockets", OUTPUT_INT, true, false}, {"peers", OUTPUT_INT, true, false},
		{"first", OUTPUT_STR, false, false}, {"last", OUTPUT_STR, false, false},
	};
	struct buf sql = BUF_INIT, resp = BUF_INIT;
	long rc = -ENOMEM;

	if (buf_puts(&sql, "SELECT ") < 0 || top_key(&sql, o) < 0 ||
	    buf_printf(&sql, " AS key, uniqExact(host) AS hosts, "
			     "sum((k_last - k_first + 1) * copies) AS sockets, "
			     /* an IPv4 peer by its number: cheaper to hash than text */
			     "uniqExactIf(toUInt32(rnet), " PEER_V4 ") + "
			     "uniqExactIf(raddr, NOT " PEER_V4 ") AS peers, "
			     "formatDateTime(toDateTime(intDiv(min(t_first), 1000000)), '%%Y-%%m-%%dT%%H:%%M:%%SZ', 'UTC'), "
			     "formatDateTime(toDateTime(intDiv(max(t_last), 1000000)), '%%Y-%%m-%%dT%%H:%%M:%%SZ', 'UTC') "
			     "FROM %s.spans WHERE raddr IS NOT NULL", database) < 0)
		goto out;
	if (flt->state) {
		if (buf_puts(&sql, " AND state = ") < 0 || fleet_sql_str(&sql, flt->state) < 0)
			goto out;
	} else if (buf_puts(&sql, " AND state NOT IN ('LISTEN', 'UNCONN')") < 0) {
		goto out;
	}
	if (fleet_sql_filter(&sql, flt, "t_first", "t_last") < 0 ||
	    buf_puts(&sql, " GROUP BY ") < 0 || top_group(&sql, o) < 0 ||
	    buf_puts(&sql, " ORDER BY hosts DESC, sockets DESC, key") < 0 ||
	    (o->limit && buf_printf(&sql, " LIMIT %u", o->limit) < 0) ||
	    buf_puts(&sql, " FORMAT TabSeparated") < 0)
		goto out;
	rc = fleet_query(h, &sql, &resp, err, errsz);
	if (rc == 0)
		rc = write_rows(&resp, cols, sizeof cols / sizeof cols[0], out, err, errsz);
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	buf_fini(&sql);
	buf_fini(&resp);
	return rc;
}

long fleet_timeline(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		    usec_t bucket, bool per_host, const struct fleet_out *out, char *err,
		    size_t errsz)
{
	static const struct output_col cols[] = {
		{"time", OUTPUT_STR, false, false},     {"host", OUTPUT_STR, false, true},
		{"hosts", OUTPUT_INT, true, false},     {"snapshots", OUTPUT_INT, true, false},
		{"sockets", OUTPUT_REAL, true, false},  {"established", OUTPUT_REAL, true, false},
		{"syn_recv", OUTPUT_REAL, true, false}, {"syn_recv_max", OUTPUT_INT, true, false},
	};
	struct buf sql = BUF_INIT, resp = BUF_INIT;
	long rc = -ENOMEM;

	/* per snapshot first, then per bucket: averages of snapshots, the
	 * highest SYN_RECV of any one snapshot */
	if (buf_printf(&sql, "SELECT formatDateTime(toDateTime(intDiv(b, 1000000)), "
			     "'%%Y-%%m-%%dT%%H:%%M:%%SZ', 'UTC'), %s, uniqExact(host), count(), "
			     "round(avg(total), 1), round(avg(est), 1), round(avg(syn), 1), max(syn) "
			     "FROM (SELECT host, time, intDiv(time, %" PRId64 ") * %" PRId64 " AS b, "
			     "sum(n) AS total, sumIf(n, state = 'ESTABLISHED') AS est, "
			     "sumIf(n, state = 'SYN_RECV') AS syn FROM %s.snapshot_states WHERE 1",
		       per_host ? "hostkey" : "'*'", bucket, bucket, database) < 0 ||
	    fleet_sql_filter(&sql, flt, "time", "time") < 0 ||
	    buf_printf(&sql, " GROUP BY host, time) GROUP BY b, %s AS hostkey ORDER BY b, hostkey "
			     "FORMAT TabSeparated", per_host ? "host" : "'*'") < 0)
		goto out;
	rc = fleet_query(h, &sql, &resp, err, errsz);
	if (rc == 0)
		rc = write_rows(&resp, cols, sizeof cols / sizeof cols[0], out, err, errsz);
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	buf_fini(&sql);
	buf_fini(&resp);
	return rc;
}
