/* token — splitting a dump line into tokens, and the tests on one token. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "token.h"
#include "num.h"

size_t token_split(const char *line, size_t len, struct token *tok, size_t max)
{
	static const uint64_t spaces = 0x2020202020202020ULL;
	size_t i = 0, n = 0;

	/* Every row of every dump passes here: columns padded with runs of
	 * spaces are skipped 8 bytes at a time, and a token byte costs one
	 * comparison (bytes above ' ' are never separators). */
	while (i < len) {
		size_t start;
		uint64_t w;

		while (i + 8 <= len && (memcpy(&w, line + i, 8), w == spaces))
			i += 8;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		for (;;) {
			while (i < len && (unsigned char)line[i] > ' ')
				i++;
			if (i < len && line[i] != ' ' && line[i] != '\t') {
				i++;   /* another control byte: part of the token */
				continue;
			}
			break;
		}
		if (n < max) {
			tok[n].s = line + start;
			tok[n].len = i - start;
		}
		n++;
	}
	return n;
}


int token_digits(const struct token *t)
{
	if (t->len == 0)
		return 0;
	for (size_t i = 0; i < t->len; i++)
		if (t->s[i] < '0' || t->s[i] > '9')
			return 0;
	return 1;
}

int token_u32(const struct token *t, uint32_t *out)
{
	uint64_t v;

	if (num_parse_dec(t->s, t->len, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}
