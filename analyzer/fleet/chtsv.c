/* chtsv — TabSeparated escaping for inserts and a strict reader of
 * ClickHouse answers: every byte checked, nothing trusted. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chtsv.h"

int chtsv_put_str(struct buf *b, const char *s)
{
	if (!s)
		return buf_append(b, "\\N", 2);
	for (; *s; s++) {
		const char *e = NULL;
		int rc;

		switch (*s) {
		case '\\': e = "\\\\"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		default: break;
		}
		rc = e ? buf_append(b, e, 2) : buf_putc(b, *s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int chtsv_put_i64(struct buf *b, int64_t v, bool null)
{
	if (null)
		return buf_append(b, "\\N", 2);
	if (v < 0) {
		if (buf_putc(b, '-') < 0)
			return -ENOMEM;
		return buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
	}
	return buf_put_u64(b, (uint64_t)v);
}

void chtsv_init(struct chtsv *t, const char *data, size_t len)
{
	memset(t, 0, sizeof *t);
	t->p = data;
	t->end = data + len;
	buf_init(&t->field);
}

void chtsv_fini(struct chtsv *t)
{
	buf_fini(&t->field);
}

static int unescape(char c, char *out)
{
	static const char from[] = "ntr0bfa'\\v", to[] = "\n\t\r\0\b\f\a'\\\v";
	const char *f = c ? strchr(from, c) : NULL;

	if (!f)
		return -EBADMSG;
	*out = to[f - from];
	return 0;
}

/* Ends the field being built; `raw_null` when it was exactly \N. */
static int end_field(struct chtsv *t, size_t start, bool raw_null)
{
	if (t->n >= CHTSV_MAX_FIELDS)
		return -EBADMSG;
	t->off[t->n] = start;
	t->null[t->n] = raw_null;
	t->n++;
	return buf_putc(&t->field, '\0');
}

int chtsv_next(struct chtsv *t)
{
	size_t start = 0;
	bool maybe_null = false;   /* the field so far is the one escape \N */

	buf_reset(&t->field);
	t->n = 0;
	if (t->p >= t->end)
		return 0;
	while (t->p < t->end) {
		char c = *t->p++, u;
		int rc;

		if (c == '\n' || c == '\t') {
			rc = end_field(t, start, maybe_null);
			if (rc < 0)
				return rc;
			if (c == '\n')
				return 1;
			start = t->field.len;
			maybe_null = false;
			continue;
		}
		if (c == '\\') {
			if (t->p >= t->end)
				return -EBADMSG;
			c = *t->p++;
			if (c == 'N' && t->field.len == start) {
				maybe_null = true;
				continue;
			}
			if (maybe_null || unescape(c, &u) < 0)
				return -EBADMSG;
			c = u;
		} else if (maybe_null) {
			return -EBADMSG;
		}
		if (c == '\0')
			return -EBADMSG;   /* a field is a C string here */
		if (buf_putc(&t->field, c) < 0)
			return -ENOMEM;
	}
	return -EBADMSG;   /* the last row had no LF */
}

const char *chtsv_field(const struct chtsv *t, size_t i)
{
	if (i >= t->n || t->null[i])
		return NULL;
	return t->field.data + t->off[i];
}

int chtsv_i64(const struct chtsv *t, size_t i, int64_t *v)
{
	const char *s = chtsv_field(t, i);
	char *e;
	long long x;

	if (!s || !*s)
		return -EBADMSG;
	errno = 0;
	x = strtoll(s, &e, 10);
	if (errno || *e)
		return -EBADMSG;
	*v = x;
	return 0;
}

int chtsv_double(const struct chtsv *t, size_t i, double *v)
{
	const char *s = chtsv_field(t, i);
	char *e;
	double x;

	if (!s || !*s)
		return -EBADMSG;
	x = strtod(s, &e);
	if (*e || !isfinite(x))
		return -EBADMSG;
	*v = x;
	return 0;
}
