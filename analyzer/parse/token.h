/* token — a dump line split at runs of blanks, and the tests the parsers
 * run on one token. Pure. */
#ifndef SOCKSCOPE_TOKEN_H
#define SOCKSCOPE_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

struct token {
	const char *s;
	size_t len;
};

/* Splits line[0..len) at runs of spaces and tabs into at most max tokens.
 * Returns the number of tokens found, which may exceed max (then only the
 * first max are stored). */
size_t token_split(const char *line, size_t len, struct token *tok, size_t max);

/* True when t equals the NUL-terminated word w (ASCII case-insensitive).
 * Inline: w is a literal, its length folds, and most calls end at it. */
static inline int token_is(const struct token *t, const char *w)
{
	size_t wl = strlen(w);

	return t->len == wl && strncasecmp(t->s, w, wl) == 0;
}

/* True when t is one or more ASCII digits. */
int token_digits(const struct token *t);
/* t as a plain decimal <= UINT32_MAX (common/num rules). 0 or -EINVAL. */
int token_u32(const struct token *t, uint32_t *out);

#endif
