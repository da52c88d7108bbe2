/* filter — report filters: parsing their text (times, states of every
 * platform, protocols, ports) and turning them into SQL conditions with
 * bound parameters, never spliced values. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "duration.h"
#include "filter.h"
#include "num.h"
#include "spancode.h"
#include "tcpstate.h"

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof *f);
	f->port = f->lport = f->rport = -1;
}

/* "-2h", "-1h30m", "-90s", "-1d": a duration (duration.h) before now. */
static int relative(const char *s, usec_t now, usec_t *t)
{
	usec_t d;

	if (duration_parse(s + 1, &d) < 0 || d > (usec_t)100 * 365 * 86400 * USEC_PER_SEC)
		return -EINVAL;   /* a century back is a typo */
	*t = now - d;
	return 0;
}

int filter_time_parse(const char *s, usec_t now, usec_t *t)
{
	if (!strcmp(s, "now")) {
		*t = now;
		return 0;
	}
	if (s[0] == '-')
		return relative(s, now, t);
	return utctime_parse(s, strlen(s), t);
}

/* 10^(6 - digits) for a fraction of `digits` digits (at least 1 µs). */
static usec_t fraction_span(const char *f)
{
	usec_t span = USEC_PER_SEC;

	while (*f >= '0' && *f <= '9' && span > 1) {
		span /= 10;
		f++;
	}
	return span;
}

usec_t filter_time_span(const char *s)
{
	const char *t, *f;
	size_t colons = 0;

	if (!strcmp(s, "now") || s[0] == '-')
		return 1;
	if (s[0] == '@') {
		f = strpbrk(s, ".,");
		return f ? fraction_span(f + 1) : USEC_PER_SEC;
	}
	if (strlen(s) <= 10)
		return 86400 * USEC_PER_SEC;   /* a date alone: that day */
	/* the time of day: digits and colons after the date, then a fraction */
	for (t = s + 11; (*t >= '0' && *t <= '9') || *t == ':'; t++)
		colons += *t == ':';
	if (colons < 2)
		return 60 * USEC_PER_SEC;
	return *t == '.' || *t == ',' ? fraction_span(t + 1) : USEC_PER_SEC;
}

int filter_states_parse(const char *s, uint32_t *mask, const char **bad)
{
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		int st = tcpstate_parse(s, len);

		if (st <= 0) {
			*bad = s;
			return -EINVAL;
		}
		*mask |= 1u << st;
		s += len + (e != NULL);
	}
	return 0;
}

int filter_protos_parse(const char *s, unsigned *mask)
{
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (len == 3 && !strncmp(s, "tcp", 3))
			*mask |= FILTER_TCP;
		else if (len == 3 && !strncmp(s, "udp", 3))
			*mask |= FILTER_UDP;
		else if (len == 3 && !strncmp(s, "raw", 3))
			*mask |= FILTER_RAW;
		else
			return -EINVAL;
		s += len + (e != NULL);
	}
	return 0;
}

int filter_port_parse(const char *s, int32_t *port)
{
	uint64_t v;

	if (num_parse_dec(s, strlen(s), 65535, &v) < 0)
		return -EINVAL;
	*port = (int32_t)v;
	return 0;
}

int filter_param_int(struct filter_params *p, int64_t v)
{
	if (p->n >= sizeof p->v / sizeof p->v[0])
		return -E2BIG;
	p->v[p->n].is_text = false;
	p->v[p->n++].i = v;
	return 0;
}

static int param_text(struct filter_params *p, const char *t)
{
	if (p->n >= sizeof p->v / sizeof p->v[0])
		return -E2BIG;
	p->v[p->n].is_text = true;
	p->v[p->n++].t = t;
	return 0;
}

int filter_sql_snapshots(const struct filter *f, struct buf *sql, struct filter_params *p)
{
	int rc = 0;

	if (f->host && (rc = param_text(p, f->host)) == 0)
		rc = buf_printf(sql, " AND s.host = ?%u", p->n);
	if (rc == 0 && f->have_since && (rc = filter_param_int(p, f->since)) == 0)
		rc = buf_printf(sql, " AND s.time >= ?%u", p->n);
	if (rc == 0 && f->have_until && (rc = filter_param_int(p, f->until)) == 0)
		rc = buf_printf(sql, " AND s.time <= ?%u", p->n);
	return rc < 0 ? rc : 0;
}

int filter_sql_snaps(const struct filter *f, bool have_at, usec_t at, struct buf *sql,
		     struct filter_params *p)
{
	int rc = buf_puts(sql, "WITH snaps AS (SELECT s.id, s.time, s.chain AS c, s.k AS kk,"
			       " s.sockets AS n FROM snapshots s WHERE s.chain IS NOT NULL");

	if (rc == 0)
		rc = filter_sql_snapshots(f, sql, p);
	if (rc == 0 && have_at && (rc = filter_param_int(p, at)) == 0)
		rc = buf_printf(sql, " AND s.time = (SELECT max(s2.time) FROM snapshots s2"
				     " WHERE s2.host = s.host AND s2.time <= ?%u)", p->n);
	if (rc == 0)
		rc = buf_putc(sql, ')');
	return rc < 0 ? rc : 0;
}

/* The state names a mask stands for in the sockets table: CLOSE is also
 * UDP's UNCONN. */
static int states_sql(uint32_t mask, struct buf *sql, struct filter_params *p)
{
	const char *sep = "";
	int rc = buf_puts(sql, " AND k.state IN (");

	for (int st = 1; rc == 0 && st < ST_MAX_; st++) {
		if (!(mask & (1u << st)) || st == ST_NEW_SYN_RECV)
			continue;
		if ((rc = param_text(p, tcpstate_db_name(IPPROTO_TCP, st))) == 0)
			rc = buf_printf(sql, "%s?%u", sep, p->n);
		sep = ", ";
		if (rc == 0 && st == ST_CLOSE && (rc = param_text(p, "UNCONN")) == 0)
			rc = buf_printf(sql, "%s?%u", sep, p->n);
	}
	return rc < 0 ? rc : buf_putc(sql, ')');
}

/* The port conditions, the same columns in sockets and spans_packed;
 * --port is the port field, local or remote: never a substring. */
static int ports_sql(const struct filter *f, struct buf *sql, struct filter_params *p)
{
	int rc = 0;

	if (f->port >= 0 && (rc = filter_param_int(p, f->port)) == 0)
		rc = buf_printf(sql, " AND (k.lport = ?%u OR k.rport = ?%u)", p->n, p->n);
	if (rc == 0 && f->lport >= 0 && (rc = filter_param_int(p, f->lport)) == 0)
		rc = buf_printf(sql, " AND k.lport = ?%u", p->n);
	if (rc == 0 && f->rport >= 0 && (rc = filter_param_int(p, f->rport)) == 0)
		rc = buf_printf(sql, " AND k.rport = ?%u", p->n);
	return rc;
}

int filter_sql_sockets(const struct filter *f, struct buf *sql, struct filter_params *p)
{
	int rc = 0;

	if (f->states)
		rc = states_sql(f->states, sql, p);
	if (rc == 0)
		rc = ports_sql(f, sql, p);
	if (rc == 0 && f->protos) {
		static const char *const names[] = {"tcp", "udp", "raw"};
		const char *sep = "";

		rc = buf_puts(sql, " AND k.proto IN (");
		for (unsigned i = 0; rc == 0 && i < 3; i++) {
			if (!(f->protos & (1u << i)))
				continue;
			if ((rc = param_text(p, names[i])) == 0)
				rc = buf_printf(sql, "%s?%u", sep, p->n);
			sep = ", ";
		}
		if (rc == 0)
			rc = buf_putc(sql, ')');
	}
	/* the peer's family, as the reports group by it: an IPv6 socket talking
	 * to an IPv4 client is an IPv4 peer (addresses are stored folded) */
	if (rc == 0 && f->family)
		rc = buf_printf(sql, f->family == 4 ? " AND instr(k.raddr, ':') = 0"
						    : " AND instr(k.raddr, ':') > 0");
	if (rc == 0 && f->program && (rc = param_text(p, f->program)) == 0)
		rc = buf_printf(sql, " AND k.program = ?%u", p->n);
	return rc < 0 ? rc : 0;
}

/* The same conditions on schema 6's spans_packed (spancode.h): states and
 * protocols as codes, the peer's family from where its address is kept. */
static int states_codes_sql(uint32_t mask, struct buf *sql, struct filter_params *p)
{
	const char *sep = "";
	int rc = buf_puts(sql, " AND (k.kind >> 3) IN (");

	for (int st = 1; rc == 0 && st < ST_MAX_; st++) {
		if (!(mask & (1u << st)) || st == ST_NEW_SYN_RECV)
			continue;
		if ((rc = filter_param_int(p, st)) == 0)
			rc = buf_printf(sql, "%s?%u", sep, p->n);
		sep = ", ";
		if (rc == 0 && st == ST_CLOSE && (rc = filter_param_int(p, SPANCODE_UNCONN)) == 0)
			rc = buf_printf(sql, "%s?%u", sep, p->n);
	}
	return rc < 0 ? rc : buf_putc(sql, ')');
}

int filter_sql_spans(const struct filter *f, struct buf *sql, struct filter_params *p)
{
	int rc = 0;

	if (f->states)
		rc = states_codes_sql(f->states, sql, p);
	if (rc == 0)
		rc = ports_sql(f, sql, p);
	if (rc == 0 && f->protos) {
		const char *sep = "";

		rc = buf_puts(sql, " AND ((k.kind >> 1) & 3) IN (");
		for (unsigned i = 0; rc == 0 && i < 3; i++) {
			if (!(f->protos & (1u << i)))
				continue;
			if ((rc = filter_param_int(p, i)) == 0)   /* 0 tcp, 1 udp, 2 raw */
				rc = buf_printf(sql, "%s?%u", sep, p->n);
			sep = ", ";
		}
		if (rc == 0)
			rc = buf_putc(sql, ')');
	}
	/* the peer's family, as the reports group by it (folded): only an IPv6
	 * peer's text is kept, an IPv4 peer is its rnet, a name neither */
	if (rc == 0 && f->family)
		rc = buf_puts(sql, f->family == 4 ? " AND k.raddr IS NULL AND k.rhost IS NULL"
						  : " AND k.raddr IS NOT NULL");
	if (rc == 0 && f->program && (rc = param_text(p, f->program)) == 0)
		rc = buf_printf(sql, " AND k.program = ?%u", p->n);
	return rc < 0 ? rc : 0;
}

int filter_sql_has_peer(struct buf *sql)
{
	/* 0.0.0.0 is rnet 0 without text, :: is rnet 0 with it; a name has
	 * neither */
	return buf_puts(sql, " AND (k.rnet <> 0 OR k.raddr <> '::')");
}

int filter_sql_subnet(unsigned prefix4, unsigned prefix6, struct buf *sql,
		      struct filter_params *p)
{
	int rc = filter_param_int(p, prefix4);

	if (rc == 0)
		rc = filter_param_int(p, prefix6);
	if (rc == 0)
		rc = buf_printf(sql, "subnet(k.raddr, ?%u, ?%u)", p->n - 1, p->n);
	return rc < 0 ? rc : 0;
}

bool filter_match_snapshot(const struct filter *f, const char *host, usec_t time)
{
	return (!f->host || (host && !strcmp(f->host, host))) &&
	       (!f->have_since || time >= f->since) && (!f->have_until || time <= f->until);
}

int filter_bind(sqlite3_stmt *st, const struct filter_params *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		int rc = p->v[i].is_text
				 ? sqlite3_bind_text(st, (int)i + 1, p->v[i].t, -1, SQLITE_STATIC)
				 : sqlite3_bind_int64(st, (int)i + 1, p->v[i].i);

		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}
