/* lines — decoding (UTF-16LE → UTF-8, BOMs) and line splitting over an
 * input, in a fixed window: memory stays bounded whatever the file size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"

#define WINDOW (256 * 1024 + 2 * LINES_MAX)
#define RAW16 (64 * 1024)

int lines_init(struct lines *l, struct input *in)
{
	memset(l, 0, sizeof *l);
	l->in = in;
	l->cap = WINDOW;
	l->buf = malloc(l->cap);
	if (!l->buf)
		return -ENOMEM;
	return 0;
}

void lines_fini(struct lines *l)
{
	free(l->buf);
	free(l->raw);
	l->buf = NULL;
	l->raw = NULL;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Converts UTF-16LE units from raw into the window (room: at most 3 bytes
 * of UTF-8 per 2-byte unit, 4 per surrogate pair). Unpaired surrogates
 * become U+FFFD. An odd byte or a high surrogate at the end waits in half. */
static void decode16(struct lines *l, const uint8_t *p, size_t n)
{
	uint8_t tmp[RAW16 + 4];
	size_t i = 0, m = l->nhalf;

	memcpy(tmp, l->half, m);
	memcpy(tmp + m, p, n);
	n += m;
	l->nhalf = 0;
	while (i + 2 <= n) {
		uint32_t u = (uint32_t)tmp[i] | (uint32_t)tmp[i + 1] << 8;

		if (u >= 0xd800 && u < 0xdc00) {
			uint32_t v;

			if (i + 4 > n)
				break;   /* wait for the low surrogate */
			v = (uint32_t)tmp[i + 2] | (uint32_t)tmp[i + 3] << 8;
			if (v >= 0xdc00 && v < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
				i += 2;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xdc00 && u < 0xe000) {
			u = 0xfffd;
		}
		i += 2;
		l->end += put_utf8(l->buf + l->end, u);
	}
	l->nhalf = n - i;
	memcpy(l->half, tmp + i, l->nhalf);
}

/* Reads more decoded text into the window; 0 at the end, >0, or -errno. */
static long fill(struct lines *l)
{
	ssize_t n;
	size_t room;

	if (l->eof)
		return 0;
	if (l->start > 0 && (l->start > l->cap / 2 || l->end == l->start)) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	room = l->cap - l->end;
	if (l->utf16) {
		size_t want = (room - 8) / 2;   /* worst case 3 bytes per 2 */

		if (want > RAW16)
			want = RAW16;
		want &= ~(size_t)1;
		if (want == 0)
			return 1;   /* window full: caller consumes first */
		n = input_read(l->in, l->raw, want);
		if (n > 0) {
			size_t before = l->end;

			decode16(l, l->raw, (size_t)n);
			return (long)(l->end - before) + 1;
		}
	} else {
		if (room == 0)
			return 1;
		n = input_read(l->in, l->buf + l->end, room);
		if (n > 0)
			l->end += (size_t)n;
	}
	if (n < 0)
		return (long)n;
	if (n == 0)
		l->eof = true;
	return n;
}

/* Looks at the first bytes (at most 3, so nothing else is read as bytes
 * before the encoding is known) for a BOM. */
static int start(struct lines *l)
{
	ssize_t n;

	l->started = true;
	while (l->end < 3) {
		n = input_read(l->in, l->buf + l->end, 3 - l->end);
		if (n < 0)
			return (int)n;
		if (n == 0) {
			l->eof = true;
			break;
		}
		l->end += (size_t)n;
	}
	if (l->end >= 2 && (uint8_t)l->buf[0] == 0xff && (uint8_t)l->buf[1] == 0xfe) {
		uint8_t head[1];
		size_t m = l->end - 2;

		l->raw = malloc(RAW16);
		if (!l->raw)
			return -ENOMEM;
		memcpy(head, l->buf + 2, m);
		l->start = l->end = 0;
		l->utf16 = true;
		decode16(l, head, m);
	} else if (l->end == 3 && !memcmp(l->buf, "\xef\xbb\xbf", 3)) {
		l->start = 3;
	}
	return 0;
}

int lines_peek(struct lines *l, size_t want, const char **text, size_t *len)
{
	long rc;

	if (!l->started && (rc = start(l)) < 0)
		return (int)rc;
	if (want > l->cap / 2)
		want = l->cap / 2;
	while (l->end - l->start < want && !l->eof) {
		rc = fill(l);
		if (rc < 0)
			return (int)rc;
	}
	*text = l->buf + l->start;
	*len = l->end - l->start;
	return 0;
}

int lines_next(struct lines *l, const char **line, size_t *len)
{
	long rc;

	if (!l->started && (rc = start(l)) < 0)
		return (int)rc;
	for (;;) {
		char *s = l->buf + l->start;
		size_t avail = l->end - l->start;
		char *nl = memchr(s, '\n', avail);

		if (!nl && l->start < l->end && l->eof) {
			nl = s + avail;   /* last line without '\n' */
		} else if (!nl) {
			if (avail > LINES_MAX) {
				/* drop the over-long line's bytes seen so far */
				if (!l->skipping) {
					l->lineno++;
					l->skipping = true;
					l->start = l->end;
					return -E2BIG;
				}
				l->start = l->end;
			}
			rc = fill(l);
			if (rc < 0)
				return (int)rc;
			if (rc == 0 && l->start == l->end)
				return 0;
			continue;
		}
		l->start = (size_t)(nl - l->buf) + (nl < l->buf + l->end);
		if (l->skipping) {
			l->skipping = false;   /* the rest of the long line */
			continue;
		}
		l->lineno++;
		*line = s;
		*len = (size_t)(nl - s);
		if (*len > 0 && s[*len - 1] == '\r')
			(*len)--;
		if (*len > LINES_MAX)
			return -E2BIG;
		return 1;
	}
}
