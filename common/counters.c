/* counters — parser for the "Group: names" / "Group: values" line pairs of
 * /proc/net/snmp and /proc/net/netstat. Pure: bytes in, callbacks out. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"

/* The same set as isspace() in the C locale, without depending on locale. */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* One line split into its group prefix and the rest. */
struct line {
	const char *p;	   /* start of line */
	size_t len;	   /* without '\n' */
	size_t lineno;	   /* 1-based */
	const char *group; /* before ':' */
	size_t glen;
	const char *rest; /* after ':' */
	size_t rlen;
};

/* Token iterator over rest: returns false when no tokens remain. */
static bool next_token(const char **s, const char *end, const char **tok, size_t *tlen)
{
	const char *q = *s;
	while (q < end && is_ws(*q))
		q++;
	if (q == end) {
		*s = q;
		return false;
	}
	*tok = q;
	while (q < end && !is_ws(*q))
		q++;
	*tlen = (size_t)(q - *tok);
	*s = q;
	return true;
}

static size_t count_tokens(const char *s, size_t len)
{
	const char *end = s + len, *tok;
	size_t n = 0, tlen;
	while (next_token(&s, end, &tok, &tlen))
		n++;
	return n;
}

/* Parses a decimal int64 token exactly (optional '-'). */
static bool parse_i64(const char *s, size_t len, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (len > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	/* -(2^63) is the one value whose magnitude exceeds INT64_MAX. */
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

/* Splits "Group: rest". False when the line has no valid group prefix. */
static bool split_group(struct line *l)
{
	size_t i = 0;
	while (i < l->len && l->p[i] != ':' && !is_ws(l->p[i]))
		i++;
	if (i == 0 || i == l->len || l->p[i] != ':')
		return false;
	l->group = l->p;
	l->glen = i;
	l->rest = l->p + i + 1;
	l->rlen = l->len - i - 1;
	return true;
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

/* A values line starts with a number; kernel names never do. */
static bool looks_numeric(const struct line *l)
{
	const char *s = l->rest, *tok;
	size_t tlen;
	if (!next_token(&s, l->rest + l->rlen, &tok, &tlen))
		return false;
	return (tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-';
}

static void report(const struct counter_sink *sink, size_t lineno, const char *expected)
{
	if (sink->bad)
		sink->bad(sink->ctx, lineno, expected);
}

/* Checks a names/values pair and emits it. Returns counters emitted, 0 when
 * the pair was reported and skipped, or a negative errno from the sink. */
static long emit_pair(const struct line *names, const struct line *vals,
		      const struct counter_sink *sink)
{
	char what[96];
	size_t nn = count_tokens(names->rest, names->rlen);
	size_t nv = count_tokens(vals->rest, vals->rlen);
	const char *ns, *vs, *nend, *vend, *ntok, *vtok;
	size_t ntl, vtl;
	int64_t v = 0;
	long count = 0;

	if (nn != nv) {
		snprintf(what, sizeof what, "%zu values, one per name on line %zu (got %zu)", nn,
			 names->lineno, nv);
		report(sink, vals->lineno, what);
		return 0;
	}
	/* Validate the whole line first: a pair is emitted whole or not at all. */
	vs = vals->rest;
	vend = vals->rest + vals->rlen;
	while (next_token(&vs, vend, &vtok, &vtl)) {
		if (!parse_i64(vtok, vtl, &v)) {
			report(sink, vals->lineno, "decimal 64-bit integer values");
			return 0;
		}
	}
	ns = names->rest;
	nend = names->rest + names->rlen;
	vs = vals->rest;
	while (next_token(&ns, nend, &ntok, &ntl) && next_token(&vs, vend, &vtok, &vtl)) {
		(void)parse_i64(vtok, vtl, &v);
		int rc = sink->counter(sink->ctx, names->group, names->glen, ntok, ntl, v);
		if (rc < 0)
			return rc;
		count++;
	}
	return count;
}

long counters_parse(const char *text, size_t len, const struct counter_sink *sink)
{
	const char *p = text, *end = text + len;
	struct line pending = {0};
	bool have_pending = false;
	size_t lineno = 0;
	long total = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct line cur = {0};

		cur.p = p;
		cur.len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cur.lineno = ++lineno;
		p = nl ? nl + 1 : end;

		if (is_blank(cur.p, cur.len))
			continue;
		if (!split_group(&cur)) {
			report(sink, cur.lineno, "\"Group:\" at the start of the line");
			continue;
		}
		if (have_pending && pending.glen == cur.glen &&
		    memcmp(pending.group, cur.group, cur.glen) == 0) {
			long n = emit_pair(&pending, &cur, sink);
			if (n < 0)
				return n;
			total += n;
			have_pending = false;
			continue;
		}
		if (have_pending)
			report(sink, pending.lineno,
			       "a values line of the same group after this names line");
		have_pending = false;
		if (looks_numeric(&cur)) {
			report(sink, cur.lineno,
			       "a names line of the same group before this values line");
			continue;
		}
		pending = cur;
		have_pending = true;
	}
	if (have_pending)
		report(sink, pending.lineno,
		       "a values line of the same group after this names line");
	return total;
}
