/* Fuzz target for common/counters: any bytes; every reported counter has a
 * non-empty, whitespace-free group and name, and the returned count equals
 * the callbacks made. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	const char *text;
	size_t len;
	long calls;
	size_t lines;
};

static int has_ws(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f' ||
		    s[i] == '\r')
			return 1;
	return 0;
}

static int within(const struct fuzz_state *st, const char *p, size_t n)
{
	return p >= st->text && n <= st->len && p <= st->text + st->len - n;
}

static int on_counter(void *ctx, const char *group, size_t glen, const char *name, size_t nlen,
		      int64_t value)
{
	struct fuzz_state *st = ctx;
	(void)value;
	if (glen == 0 || nlen == 0 || has_ws(group, glen) || has_ws(name, nlen))
		abort();
	/* Names point into the input, never elsewhere. */
	if (!within(st, group, glen) || !within(st, name, nlen))
		abort();
	if (memchr(group, ':', glen))
		abort();
	st->calls++;
	return 0;
}

static void on_bad(void *ctx, size_t lineno, const char *expected)
{
	struct fuzz_state *st = ctx;
	if (lineno == 0 || !expected || !expected[0])
		abort();
	/* A line number can not exceed the number of lines. */
	if (lineno > st->lines)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state st = {(const char *)data, size, 0, 1};
	struct counter_sink sink = {on_counter, on_bad, &st};
	for (size_t i = 0; i < size; i++)
		st.lines += data[i] == '\n';
	long n = counters_parse((const char *)data, size, &sink);
	if (n < 0 || n != st.calls)
		abort();
	return 0;
}
