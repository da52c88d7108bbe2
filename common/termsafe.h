/* termsafe — the one rule for text a terminal may show: control, C1 and
 * bidi characters and ill-formed UTF-8 become visible escapes, so recorded
 * or imported text can neither drive the terminal nor forge lines. */
#ifndef SOCKSCOPE_TERMSAFE_H
#define SOCKSCOPE_TERMSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What passes as it is besides printable text (flags, or'ed). */
enum {
	TS_KEEP_LF = 1,    /* LF is the text's own line end (dump, replay) */
	TS_KEEP_TAB = 2,   /* TAB separates the text's own columns */
	TS_BACKSLASH = 4,  /* '\' is written '\\': the escaping can be undone */
};

/* An argument echoed in a message is cut to this many bytes. */
#define TERMSAFE_ARG_MAX 64
/* Room for such an argument escaped: 4 output bytes per input byte at most,
 * the "..." of a cut and the NUL. */
#define TERMSAFE_ARG_SIZE (TERMSAFE_ARG_MAX * 4 + 4)

/* Length (1-4) of the well-formed UTF-8 sequence at s (n bytes there),
 * storing its code point; 0 when s starts an ill-formed one (overlong,
 * surrogate, beyond U+10FFFF, truncated) or n is 0. */
unsigned termsafe_utf8(const unsigned char *s, size_t n, uint32_t *cp);

/* False for the code points a terminal acts on or that reorder text: C0,
 * DEL, C1 (U+0080-U+009F), the bidi controls U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069, and the line and paragraph separators
 * U+2028, U+2029. */
bool termsafe_cp_ok(uint32_t cp);

/* True when the n bytes at s would be written unchanged. */
bool termsafe_clean(const void *s, size_t n, unsigned flags);

/* Appends the n bytes at s to b, each unsafe character escaped: TAB \t,
 * LF \n, CR \r (unless kept by flags), other C0 and DEL \xHH, each byte
 * of ill-formed UTF-8 (a lone 0x9b too) \xHH, C1 and bidi code points
 * \uHHHH; '\' as '\\' with TS_BACKSLASH. NUL bytes are data like any
 * other (\x00). 0 or -ENOMEM (b then holds a prefix of the output). */
int termsafe_append(struct buf *b, const void *s, size_t n, unsigned flags);

/* s, NUL-terminated, escaped into a new string (no flags: one line).
 * NULL when out of memory. Caller frees. */
char *termsafe_dup(const char *s);

/* An argument to quote in a message: at most TERMSAFE_ARG_MAX bytes of s
 * (cut at a character boundary, "..." appended when cut), escaped as one
 * line into dst of dstsz (>= TERMSAFE_ARG_SIZE for the whole of it);
 * NULL (an option without an argument) gives "". Returns dst. */
const char *termsafe_arg(char *dst, size_t dstsz, const char *s);

#endif
