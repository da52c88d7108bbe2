/* Unit tests for common/termsafe: exact escapes of control, C1, bidi and
 * ill-formed UTF-8, the flags, argument cutting, and a property: no input
 * escapes to a byte a terminal would act on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"

static void expect_esc(const char *in, size_t n, unsigned flags, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(termsafe_append(&b, in, n, flags), 0);
	assert_string_equal(b.data ? b.data : "", want);
	assert_int_equal(b.len, strlen(want));
	assert_int_equal(termsafe_clean(in, n, flags), strcmp(in, want) == 0 && n == strlen(in));
	buf_fini(&b);
}

#define ESC(in, flags, want) expect_esc(in, sizeof(in) - 1, flags, want)

static void test_plain(void **state)
{
	(void)state;
	ESC("", 0, "");
	ESC("nginx: worker 192.0.2.1:80", 0, "nginx: worker 192.0.2.1:80");
	/* printable UTF-8 passes: names in any script stay readable */
	ESC("café 日本 €𝄞", 0, "café 日本 €𝄞");
	ESC("a\\b", 0, "a\\b");
	ESC("a\\b", TS_BACKSLASH, "a\\\\b");
}

static void test_controls(void **state)
{
	(void)state;
	ESC("\033]52;c;ZXZpbA==\007", 0, "\\x1b]52;c;ZXZpbA==\\x07");
	ESC("\033[2J\r\n\t\x7f", 0, "\\x1b[2J\\r\\n\\t\\x7f");
	ESC("x\n\ty\r\n", TS_KEEP_LF | TS_KEEP_TAB, "x\n\ty\\r\n");
	ESC("x\n\ty", TS_KEEP_LF, "x\n\\ty");
	/* a NUL is data, not the end */
	ESC("a\0b", 0, "a\\x00b");
}

static void test_c1_bidi(void **state)
{
	(void)state;
	/* C1 as UTF-8 (U+009B is CSI) and as a raw byte */
	ESC("\xc2\x9b" "31m", 0, "\\u009b31m");
	ESC("\x9b" "31m", 0, "\\x9b31m");
	ESC("\xc2\x85", 0, "\\u0085");
	ESC("\xc2\xa0", 0, "\xc2\xa0");   /* U+00A0 is printable */
	ESC("rlo\xe2\x80\xae" "cba", 0, "rlo\\u202ecba");
	ESC("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0,
	    "\\u202a\\u202b\\u202c\\u202d");
	ESC("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0,
	    "\\u2066\\u2067\\u2068\\u2069");
	ESC("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "\\u200e\\u200f\\u061c");
	ESC("\xe2\x80\xa8\xe2\x80\xa9", 0, "\\u2028\\u2029");
}

static void test_ill_formed(void **state)
{
	(void)state;
	ESC("bad\xff\xc3utf8", 0, "bad\\xff\\xc3utf8");
	ESC("\xc0\xaf", 0, "\\xc0\\xaf");             /* overlong '/' */
	ESC("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");     /* surrogate */
	ESC("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	ESC("tail\xe2\x82", 0, "tail\\xe2\\x82");      /* truncated */
}

static void test_dup(void **state)
{
	char *s;

	(void)state;
	s = termsafe_dup("dump\033[2J\nforged: line");
	assert_non_null(s);
	assert_string_equal(s, "dump\\x1b[2J\\nforged: line");
	free(s);
	s = termsafe_dup("");
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_arg(void **state)
{
	char out[TERMSAFE_ARG_SIZE], small[8];
	char longer[200];

	(void)state;
	assert_string_equal(termsafe_arg(out, sizeof out, "80"), "80");
	assert_string_equal(termsafe_arg(out, sizeof out, NULL), "");
	assert_string_equal(termsafe_arg(out, sizeof out, "\033[31mred"), "\\x1b[31mred");
	/* 64 bytes at most, then "..." */
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	termsafe_arg(out, sizeof out, longer);
	assert_int_equal(strlen(out), 64 + 3);
	assert_string_equal(out + 64, "...");
	/* exactly 64 is not cut */
	longer[64] = '\0';
	assert_string_equal(termsafe_arg(out, sizeof out, longer), longer);
	/* the cut does not split a character: 63 'a' then a 2-byte é */
	memset(longer, 'a', 63);
	memcpy(longer + 63, "\xc3\xa9zz", 5);
	termsafe_arg(out, sizeof out, longer);
	assert_int_equal(strlen(out), 63 + 3);
	/* 64 escaped bytes fit the documented size */
	memset(longer, '\033', 100);
	longer[100] = '\0';
	termsafe_arg(out, sizeof out, longer);
	assert_int_equal(strlen(out), 64 * 4 + 3);
	/* a short buffer ends after a whole escape */
	assert_string_equal(termsafe_arg(small, sizeof small, "\033\033\033"), "\\x1b...");
}

/* Property: whatever the bytes, the output is well-formed UTF-8 of code
 * points a terminal does not act on (only LF/TAB when kept), and the
 * escaping with TS_BACKSLASH is undone exactly. */
static void unescape(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0, d;

		if (s[i] != '\\') {
			buf_putc(out, s[i]);
			continue;
		}
		switch (s[++i]) {
		case 't': buf_putc(out, '\t'); continue;
		case 'n': buf_putc(out, '\n'); continue;
		case 'r': buf_putc(out, '\r'); continue;
		case '\\': buf_putc(out, '\\'); continue;
		case 'x': d = 2; break;
		default: d = 4; break;
		}
		for (unsigned k = 0; k < d; k++) {
			char c = s[++i];

			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		if (d == 2) {
			buf_putc(out, (char)v);
		} else if (v < 0x800) {
			buf_putc(out, (char)(0xc0 | v >> 6));
			buf_putc(out, (char)(0x80 | (v & 0x3f)));
		} else {
			buf_putc(out, (char)(0xe0 | v >> 12));
			buf_putc(out, (char)(0x80 | ((v >> 6) & 0x3f)));
			buf_putc(out, (char)(0x80 | (v & 0x3f)));
		}
	}
}

static void test_property(void **state)
{
	static const unsigned char pool[] = {0x00, 0x07, 0x09, 0x0a, 0x0d, 0x1b, 0x5c, 0x7f,
					     0x80, 0x9b, 0x9f, 0xa0, 0xae, 0xc2, 0xe2, 0x80,
					     0xd8, 0x9c, 0xf0, 0xff, 'a', '[', ']', 0x81};
	unsigned seed = 1;
	unsigned char in[32];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)(rand_r(&seed) % (int)sizeof in);
		unsigned flags = (unsigned)iter % 8;
		struct buf b = BUF_INIT, back = BUF_INIT;
		const unsigned char *p;
		uint32_t cp;
		unsigned k;

		for (size_t i = 0; i < n; i++)
			in[i] = pool[rand_r(&seed) % (int)sizeof pool];
		assert_int_equal(termsafe_append(&b, in, n, flags), 0);
		p = (const unsigned char *)(b.data ? b.data : "");
		for (size_t i = 0; i < b.len; i += k) {
			k = termsafe_utf8(p + i, b.len - i, &cp);
			assert_true(k > 0);
			if (cp == '\n')
				assert_true(flags & TS_KEEP_LF);
			else if (cp == '\t')
				assert_true(flags & TS_KEEP_TAB);
			else
				assert_true(termsafe_cp_ok(cp));
		}
		if (flags & TS_BACKSLASH) {
			unescape(b.data ? b.data : "", b.len, &back);
			assert_int_equal(back.len, n);
			assert_memory_equal(back.data ? back.data : "", in, n);
		}
		buf_fini(&b);
		buf_fini(&back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1_bidi),
		cmocka_unit_test(test_ill_formed),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_arg),
		cmocka_unit_test(test_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
