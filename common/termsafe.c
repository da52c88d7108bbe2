/* termsafe — control, C1, bidi and ill-formed UTF-8 made visible: the rule
 * every output a terminal may read goes through (sockscope(1), "Hostile
 * text"). */
#include "termsafe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

unsigned termsafe_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	unsigned k, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return k;
}

bool termsafe_cp_ok(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return false;
	if (c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return false;
	return true;
}

/* Whether code point c (from a well-formed sequence) passes unchanged. */
static bool passes(uint32_t c, unsigned flags)
{
	if (c == '\n')
		return flags & TS_KEEP_LF;
	if (c == '\t')
		return flags & TS_KEEP_TAB;
	if (c == '\\')
		return !(flags & TS_BACKSLASH);
	return termsafe_cp_ok(c);
}

bool termsafe_clean(const void *s, size_t n, unsigned flags)
{
	const unsigned char *p = s;
	uint32_t cp;
	size_t i = 0;
	unsigned k;

	while (i < n) {
		/* the common case, printable ASCII, without the decoder */
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			i++;
			continue;
		}
		k = termsafe_utf8(p + i, n - i, &cp);
		if (k == 0 || !passes(cp, flags))
			return false;
		i += k;
	}
	return true;
}

/* The character at p (n bytes there) as output: *used gets the bytes it
 * took. Returns the output's length (at most 6, into out). */
static size_t esc_one(const unsigned char *p, size_t n, unsigned flags, char *out, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp;
	unsigned k = termsafe_utf8(p, n, &cp), digits;

	*used = k ? k : 1;
	if (k && passes(cp, flags)) {
		memcpy(out, p, k);
		return k;
	}
	out[0] = '\\';
	if (k == 0) {
		cp = p[0];
		digits = 2;
		out[1] = 'x';
	} else if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\\') {
		out[1] = cp == '\t' ? 't' : cp == '\n' ? 'n' : cp == '\r' ? 'r' : '\\';
		return 2;
	} else if (cp < 0x80) {
		digits = 2;
		out[1] = 'x';
	} else {
		digits = 4;
		out[1] = 'u';
	}
	for (unsigned i = 0; i < digits; i++)
		out[2 + i] = hex[(cp >> (4 * (digits - 1 - i))) & 0xf];
	return 2 + digits;
}

int termsafe_append(struct buf *b, const void *s, size_t n, unsigned flags)
{
	const unsigned char *p = s;
	size_t i = 0, used;
	int rc;

	/* \xHH for one byte is the widest escape: 4 bytes per input byte */
	if (n > (SIZE_MAX - 1) / 4)
		return -ENOMEM;
	rc = buf_reserve(b, 4 * n);
	if (rc)
		return rc;
	while (i < n) {
		/* printable ASCII, the common case, without the decoder */
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			b->data[b->len++] = (char)p[i++];
			continue;
		}
		b->len += esc_one(p + i, n - i, flags, b->data + b->len, &used);
		i += used;
	}
	b->data[b->len] = '\0';
	return 0;
}

char *termsafe_dup(const char *s)
{
	struct buf b = BUF_INIT;

	if (termsafe_append(&b, s, strlen(s), 0) < 0) {
		buf_fini(&b);
		return NULL;
	}
	if (!b.data)
		return strdup("");
	return b.data;   /* the buf's storage becomes the caller's */
}

const char *termsafe_arg(char *dst, size_t dstsz, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strnlen((const char *)p, TERMSAFE_ARG_MAX + 1), cut = n, i = 0, o = 0, used, k;
	char one[16];

	if (dstsz == 0)
		return dst;
	if (n > TERMSAFE_ARG_MAX) {
		/* back to the start of a character that crosses the limit */
		cut = TERMSAFE_ARG_MAX;
		while (cut > TERMSAFE_ARG_MAX - 3 && (p[cut] & 0xc0) == 0x80)
			cut--;
		if ((p[cut] & 0xc0) == 0x80)
			cut = TERMSAFE_ARG_MAX;   /* not UTF-8 anyway: bytes */
	}
	/* a character at a time: a short dst ends after a whole escape */
	while (i < cut) {
		k = esc_one(p + i, cut - i, 0, one, &used);
		if (o + k + 1 > dstsz)
			break;
		memcpy(dst + o, one, k);
		o += k;
		i += used;
	}
	if (i < n && o + 4 <= dstsz) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}
