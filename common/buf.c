/* buf — growable byte buffer (see buf.h). */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_fini(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

int buf_reserve(struct buf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (more > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_pad(struct buf *b, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc < 0)
		return rc;
	memset(b->data + b->len, ' ', n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	rc = buf_reserve(b, 64);
	if (rc < 0)
		goto out;
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	if (n < 0) {
		rc = -EINVAL;
		goto out;
	}
	if ((size_t)n >= b->cap - b->len) {
		rc = buf_reserve(b, (size_t)n);
		if (rc < 0)
			goto out;
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		if (n < 0) {
			rc = -EINVAL;
			goto out;
		}
	}
	b->len += (size_t)n;
	rc = 0;
out:
	va_end(ap2);
	return rc;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

size_t fmt_u64(char *dst, uint64_t v)
{
	/* two digits per division, written from the end: a delta's countdown
	 * is formatted for every copied row of every snapshot */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	size_t n = 1;
	char *p;

	for (uint64_t t = 10; n < 20 && v >= t; t *= 10)
		n++;
	p = dst + n;
	while (v >= 100) {
		size_t i = (size_t)(v % 100) * 2;

		v /= 100;
		*--p = pairs[i + 1];
		*--p = pairs[i];
	}
	if (v >= 10) {
		*--p = pairs[v * 2 + 1];
		*--p = pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

size_t fmt_hex16(char *dst, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;
	size_t n = 0;

	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		dst[n++] = hex[(v >> shift) & 0xf];
	return n;
}

int buf_put_u64(struct buf *b, uint64_t v)
{
	int rc = buf_reserve(b, 20);

	if (rc < 0)
		return rc;
	b->len += fmt_u64(b->data + b->len, v);
	b->data[b->len] = '\0';
	return 0;
}
