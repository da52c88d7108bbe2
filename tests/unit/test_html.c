/* Unit tests for analyzer/report/html.c and output.c's OUTPUT_HTML: exact
 * escapes, and a property: no input gives markup, a control or a bidi
 * character in the page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "output.h"
#include "termsafe.h"

static void expect_html(const char *in, size_t n, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(html_append(&b, in, n), 0);
	assert_string_equal(b.data ? b.data : "", want);
	assert_int_equal(b.len, strlen(want));
	buf_fini(&b);
}

#define HTML(in, want) expect_html(in, sizeof(in) - 1, want)

static void test_escapes(void **state)
{
	(void)state;
	HTML("", "");
	HTML("nginx 192.0.2.1:80 café 日本", "nginx 192.0.2.1:80 café 日本");
	HTML("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	HTML("a&b \"q\" 'q'", "a&amp;b &quot;q&quot; &#39;q&#39;");
	HTML("</svg><img src=x onerror=y>", "&lt;/svg&gt;&lt;img src=x onerror=y&gt;");
	HTML("&amp;", "&amp;amp;");
	/* the terminal rule first: controls, C1, bidi and bad UTF-8 visible */
	HTML("a\x1b[2Jb\x07", "a\\x1b[2Jb\\x07");
	HTML("x\ny\tz\r", "x\\ny\\tz\\r");
	HTML("rlo\xe2\x80\xaegpj.exe", "rlo\\u202egpj.exe");
	HTML("c1\xc2\x9b", "c1\\u009b");
	HTML("bad\xff\xc3", "bad\\xff\\xc3");
	HTML("nul\0x", "nul\\x00x");
}

static void test_puts_elem(void **state)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(html_puts(f, "<b>"), 0);
	assert_int_equal(html_puts(f, NULL), 0);
	assert_int_equal(html_elem(f, "td", "n", "1<2"), 0);
	assert_int_equal(html_elem(f, "p", NULL, "'"), 0);
	fclose(f);
	assert_string_equal(mem, "&lt;b&gt;<td class=\"n\">1&lt;2</td><p>&#39;</p>");
	free(mem);
}

static void test_page(void **state)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	(void)state;
	assert_int_equal(html_begin(f, "<x>"), 0);
	assert_int_equal(html_end(f), 0);
	fclose(f);
	assert_non_null(strstr(mem, "<title>&lt;x&gt;</title>"));
	assert_non_null(strstr(mem, "content=\"default-src 'none'; style-src 'unsafe-inline'; "
				   "img-src data:"));
	assert_null(strstr(mem, "<script"));
	assert_non_null(strstr(mem, "</html>\n"));
	free(mem);
}

static void test_output_html(void **state)
{
	static const struct output_col cols[] = {
		{"name", OUTPUT_STR, false, true},
		{"n", OUTPUT_INT, true, false},
	};
	const char *r1[] = {"<a>", "5"}, *r2[] = {NULL, "7"};
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct output *o = output_new(OUTPUT_HTML, f, cols, 2, 0, false);

	(void)state;
	assert_non_null(o);
	assert_int_equal(output_row(o, r1), 0);
	assert_int_equal(output_row(o, r2), 0);
	assert_int_equal(output_end(o), 0);
	output_free(o);
	fclose(f);
	assert_string_equal(mem, "<div class=\"tbl\"><table><thead><tr><th>name</th><th class=\"n\">n</th>"
				 "</tr></thead><tbody>\n"
				 "<tr><td>&lt;a&gt;</td><td class=\"n\">5</td></tr>\n"
				 "<tr><td>-</td><td class=\"n\">7</td></tr>\n"
				 "</tbody></table></div>\n");
	free(mem);
	/* no rows: the header alone, the table closed */
	mem = NULL;
	f = open_memstream(&mem, &len);
	o = output_new(OUTPUT_HTML, f, cols, 2, 0, false);
	assert_int_equal(output_end(o), 0);
	output_free(o);
	fclose(f);
	assert_non_null(strstr(mem, "</thead><tbody>\n</tbody></table></div>\n"));
	free(mem);
}

/* Random bytes from a hostile pool: the output holds no < > " ' unescaped
 * (every & starts an entity), no C0, DEL, C1 or bidi character, and is
 * valid UTF-8. */
static void test_property(void **state)
{
	static const char *const pool[] = {"<", ">", "&", "\"", "'", "\x1b", "\x07", "\n", "\x7f",
					   "\xc2\x9b", "\xe2\x80\xae", "\xe2\x81\xa6", "\xff", "\xc3",
					   "a", "é", "</svg>", "&#60;"};
	uint32_t seed = 12345;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		struct buf in = BUF_INIT, out = BUF_INIT;

		for (int k = 0; k < 12; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&in, pool[(seed >> 16) % (sizeof pool / sizeof pool[0])]);
		}
		assert_int_equal(html_append(&out, in.data, in.len), 0);
		for (size_t i = 0; i < out.len; i++) {
			unsigned char c = (unsigned char)out.data[i];

			assert_true(c >= 0x20 && c != 0x7f);
			assert_true(c != '<' && c != '>' && c != '"' && c != '\'');
			if (c == '&')
				assert_true(!strncmp(out.data + i, "&amp;", 5) ||
					    !strncmp(out.data + i, "&lt;", 4) ||
					    !strncmp(out.data + i, "&gt;", 4) ||
					    !strncmp(out.data + i, "&quot;", 6) ||
					    !strncmp(out.data + i, "&#39;", 5));
			if (c == 0xc2)
				assert_true((unsigned char)out.data[i + 1] > 0x9f);
			if (c == 0xe2)
				assert_false(!memcmp(out.data + i, "\xe2\x80\xae", 3) ||
					     !memcmp(out.data + i, "\xe2\x81\xa6", 3));
		}
		assert_true(termsafe_clean(out.data, out.len, 0));
		buf_fini(&in);
		buf_fini(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_puts_elem),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_output_html),
		cmocka_unit_test(test_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
