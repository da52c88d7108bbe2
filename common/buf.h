/* buf — a growable byte buffer; the one way common/ and the recorder build text. */
#ifndef SOCKSCOPE_BUF_H
#define SOCKSCOPE_BUF_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

struct buf {
	char *data;   /* NUL-terminated when len < cap; owned by the buf */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t cap;   /* bytes allocated */
};

#define BUF_INIT {NULL, 0, 0}

void buf_init(struct buf *b);
/* Releases the storage; the buf is empty and reusable afterwards. */
void buf_fini(struct buf *b);
/* Makes room for `more` bytes past len (+1 for NUL). 0 or -ENOMEM. */
int buf_reserve(struct buf *b, size_t more);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends `n` spaces (used for column padding). */
int buf_pad(struct buf *b, size_t n);
/* Fast number text for hot paths (every socket, every snapshot), where
 * printf's format parsing dominated. Write into dst (>= 20 bytes), no NUL;
 * return the number of bytes. */
size_t fmt_u64(char *dst, uint64_t v);     /* decimal */
size_t fmt_hex16(char *dst, unsigned v);   /* lowercase hex of 0..0xffff, no leading zeros */
/* Appends v in decimal. 0 or -ENOMEM. */
int buf_put_u64(struct buf *b, uint64_t v);
/* Cuts the content back to len bytes (<= b->len), e.g. to undo a partly
 * appended line after an error. */
static inline void buf_truncate(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}
/* Forgets the content, keeps the allocation. */
static inline void buf_reset(struct buf *b) { buf_truncate(b, 0); }

#endif
