/* Unit tests for analyzer/output: exact bytes of tables (alignment, NULL,
 * shrinking, UTF-8, control characters, colour), CSV and JSON Lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <csv.h>

#include "output.h"

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* Runs rows (nrows * ncols cells) through one format; caller frees. */
static char *render(enum output_format fmt, const struct output_col *cols, size_t ncols,
		    const char *const *cells, size_t nrows, unsigned width, bool color)
{
	char *buf = NULL;
	size_t len = 0, r;
	struct output *o;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	o = output_new(fmt, f, cols, ncols, width, color);
	assert_non_null(o);
	for (r = 0; r < nrows; r++)
		assert_int_equal(output_row(o, cells + r * ncols), 0);
	assert_int_equal(output_end(o), 0);
	output_free(o);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void expect(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void test_format_parse(void **state)
{
	enum output_format f = OUTPUT_JSON;

	(void)state;
	assert_int_equal(output_format_parse("table", &f), 0);
	assert_int_equal(f, OUTPUT_TABLE);
	assert_int_equal(output_format_parse("csv", &f), 0);
	assert_int_equal(f, OUTPUT_CSV);
	assert_int_equal(output_format_parse("json", &f), 0);
	assert_int_equal(f, OUTPUT_JSON);
	f = OUTPUT_CSV;
	assert_int_equal(output_format_parse("JSON", &f), -EINVAL);
	assert_int_equal(output_format_parse("", &f), -EINVAL);
	assert_int_equal(output_format_parse("tables", &f), -EINVAL);
	assert_int_equal(output_format_parse(NULL, &f), -EINVAL);
	assert_int_equal(f, OUTPUT_CSV);
	output_free(NULL);
}

static const struct output_col peers[] = {
	{"proto", OUTPUT_STR, false, false},
	{"count", OUTPUT_INT, true, false},
	{"peer", OUTPUT_STR, false, true},
};

static void test_table_align(void **state)
{
	const char *rows[] = {
		"tcp", "5", "192.0.2.1",
		"udp6", "12345", NULL,
		"tcp", "7", "",
	};

	(void)state;
	expect(render(OUTPUT_TABLE, peers, 3, rows, 3, 0, false),
	       "proto  count  peer\n"
	       "tcp        5  192.0.2.1\n"
	       "udp6   12345  -\n"
	       "tcp        7\n");
	/* wide enough: nothing is cut */
	expect(render(OUTPUT_TABLE, peers, 3, rows, 3, 23, false),
	       "proto  count  peer\n"
	       "tcp        5  192.0.2.1\n"
	       "udp6   12345  -\n"
	       "tcp        7\n");
	/* no rows: the header alone */
	expect(render(OUTPUT_TABLE, peers, 3, NULL, 0, 80, false), "proto  count  peer\n");
	/* a NULL cell is as wide as its "-" */
	{
		const struct output_col one[] = {{"n", OUTPUT_INT, true, false}, {"x", OUTPUT_STR, false, false}};
		const char *r2[] = {NULL, "a", "10", NULL};

		expect(render(OUTPUT_TABLE, one, 2, r2, 2, 0, false),
		       " n  x\n"
		       " -  a\n"
		       "10  -\n");
	}
}

static const struct output_col progs[] = {
	{"program", OUTPUT_STR, false, true},
	{"n", OUTPUT_INT, true, false},
	{"path", OUTPUT_STR, false, true},
};

static void test_table_shrink(void **state)
{
	const char *rows[] = {
		"averyveryverylongprogramname", "1", "/usr/lib/x",
		"sshd", "22", "/usr/sbin/sshd",
	};

	(void)state;
	/* natural widths 28 + 2 + 2 + 2 + 14 = 48 */
	expect(render(OUTPUT_TABLE, progs, 3, rows, 2, 0, false),
	       "program                        n  path\n"
	       "averyveryverylongprogramname   1  /usr/lib/x\n"
	       "sshd                          22  /usr/sbin/sshd\n");
	expect(render(OUTPUT_TABLE, progs, 3, rows, 2, 48, false),
	       "program                        n  path\n"
	       "averyveryverylongprogramname   1  /usr/lib/x\n"
	       "sshd                          22  /usr/sbin/sshd\n");
	/* 18 too many: program is cut to path's 14, then both to 12 */
	expect(render(OUTPUT_TABLE, progs, 3, rows, 2, 30, false),
	       "program        n  path\n"
	       "averyveryve…   1  /usr/lib/x\n"
	       "sshd          22  /usr/sbin/s…\n");
	/* 21 too many: both cut to a common level, the left one a column more */
	expect(render(OUTPUT_TABLE, progs, 3, rows, 2, 27, false),
	       "program      n  path\n"
	       "averyvery…   1  /usr/lib/x\n"
	       "sshd        22  /usr/sbin/…\n");
	/* never below 8 columns, even if the table then stays too wide */
	expect(render(OUTPUT_TABLE, progs, 3, rows, 2, 10, false),
	       "program    n  path\n"
	       "averyve…   1  /usr/li…\n"
	       "sshd      22  /usr/sb…\n");
}

static void test_table_shrink_exact(void **state)
{
	const char *rows[] = {"averyveryverylongprogramname", "1", "/usr/lib/x"};
	char *s;

	(void)state;
	/* the cut line is exactly the terminal width */
	s = render(OUTPUT_TABLE, progs, 3, rows, 1, 30, false);
	assert_string_equal(s, "program          n  path\n"
			       "averyveryveryl…  1  /usr/lib/x\n");
	assert_int_equal(strlen(strchr(s, '\n') + 1), 30 + 2 /* "…" is 3 bytes */ + 1);
	free(s);
}

static void test_table_utf8(void **state)
{
	const struct output_col cols[] = {{"name", OUTPUT_STR, false, true}, {"n", OUTPUT_INT, true, false}};
	const char *rows[] = {"café", "1", "日本", "22", "x", "3"};
	const char *longer[] = {"ééééééééééééé", "1"};

	(void)state;
	expect(render(OUTPUT_TABLE, cols, 2, rows, 3, 0, false),
	       "name   n\n"
	       "café   1\n"
	       "日本    22\n"
	       "x      3\n");
	/* code points, not bytes, are cut */
	expect(render(OUTPUT_TABLE, cols, 2, longer, 1, 12, false),
	       "name       n\n"
	       "éééééééé…  1\n");
}

static void test_table_controls(void **state)
{
	const struct output_col cols[] = {{"program", OUTPUT_STR, false, false}, {"pid", OUTPUT_INT, true, false}};
	const char *rows[] = {
		"evil\033[2J\r\nname\x7f", "1",
		"c1\xc2\x9b" "31m", "2",
		"bad\xff\xc3utf8", "3",
		"rlo\xe2\x80\xae" "cba", "4",
		"tab\there", "5",
	};

	(void)state;
	expect(render(OUTPUT_TABLE, cols, 2, rows, 5, 0, false),
	       "program                  pid\n"
	       "evil\\x1b[2J\\r\\nname\\x7f    1\n"
	       "c1\\u009b31m                2\n"
	       "bad\\xff\\xc3utf8            3\n"
	       "rlo\\u202ecba               4\n"
	       "tab\\there                  5\n");
}

static void test_table_color(void **state)
{
	const char *rows[] = {"tcp", "5", "192.0.2.1"};
	char *s;

	(void)state;
	expect(render(OUTPUT_TABLE, peers, 3, rows, 1, 0, true),
	       "\033[1mproto  count  peer\033[0m\n"
	       "tcp        5  192.0.2.1\n");
	s = render(OUTPUT_TABLE, peers, 3, rows, 1, 0, false);
	assert_null(strchr(s, '\033'));
	free(s);
	/* colour is for tables only */
	s = render(OUTPUT_CSV, peers, 3, rows, 1, 0, true);
	assert_null(strchr(s, '\033'));
	free(s);
	s = render(OUTPUT_JSON, peers, 3, rows, 1, 0, true);
	assert_null(strchr(s, '\033'));
	free(s);
}

static void test_table_many(void **state)
{
	enum { N = 10000 };
	const struct output_col cols[] = {{"host", OUTPUT_STR, false, true}, {"n", OUTPUT_INT, true, false}};
	static char text[N][2][16];
	static const char *cells[N * 2];
	char line[64], *s, *p;
	size_t r;

	(void)state;
	for (r = 0; r < N; r++) {
		snprintf(text[r][0], sizeof text[r][0], "h%zu", r);
		snprintf(text[r][1], sizeof text[r][1], "%zu", r * 7);
		cells[2 * r] = text[r][0];
		cells[2 * r + 1] = text[r][1];
	}
	s = render(OUTPUT_TABLE, cols, 2, cells, N, 80, false);
	/* "h9999" is 5 wide, 69993 is 5 wide */
	p = s;
	assert_memory_equal(p, "host       n\n", 13);
	p += 13;
	for (r = 0; r < N; r++) {
		snprintf(line, sizeof line, "h%-4zu  %5zu\n", r, r * 7);
		assert_memory_equal(p, line, strlen(line));
		p += strlen(line);
	}
	assert_int_equal(*p, '\0');
	assert_int_equal(strlen(s), 13 + (size_t)N * 13);
	free(s);
}

/* --- CSV ----------------------------------------------------------------- */

struct csv_back {
	char field[16][64];
	size_t nf;         /* fields of the current row */
	char rows[16][8][64];
	size_t nfields[16];
	size_t nrows;
};

static void back_field(void *p, size_t n, void *ctx)
{
	struct csv_back *b = ctx;

	assert_true(b->nf < 8);
	assert_true(n < 64);
	memcpy(b->rows[b->nrows][b->nf], p ? p : "", n);
	b->rows[b->nrows][b->nf][n] = '\0';
	b->nf++;
}

static void back_row(int c, void *ctx)
{
	struct csv_back *b = ctx;

	(void)c;
	assert_true(b->nrows < 16);
	b->nfields[b->nrows++] = b->nf;
	b->nf = 0;
}

static void parse_back(const char *s, struct csv_back *b)
{
	struct csv_parser p;

	memset(b, 0, sizeof *b);
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	assert_int_equal(csv_parse(&p, s, strlen(s), back_field, back_row, b), strlen(s));
	assert_int_equal(csv_fini(&p, back_field, back_row, b), 0);
	csv_free(&p);
}

static void test_csv(void **state)
{
	const struct output_col cols[] = {
		{"name", OUTPUT_STR, false, true},
		{"n", OUTPUT_INT, true, false},
		{"note, \"quoted\"", OUTPUT_STR, false, false},
	};
	const char *rows[] = {
		"a,b", "1", "say \"hi\"",
		"line\nbreak", NULL, "cr\rhere",
		" lead", "trail ", "plain",
		"", "x", NULL,
		"\t", "é\x01", "=1+2",
	};
	const char *want[] = {
		"name", "n", "note, \"quoted\"",
		"a,b", "1", "say \"hi\"",
		"line\nbreak", "", "cr\rhere",
		" lead", "trail ", "plain",
		"", "x", "",
		"\t", "é\x01", "=1+2",
	};
	struct csv_back b;
	size_t r, c;
	char *s;

	(void)state;
	s = render(OUTPUT_CSV, cols, 3, rows, 5, 10, true);
	assert_string_equal(s, "name,n,\"note, \"\"quoted\"\"\"\n"
			       "\"a,b\",1,\"say \"\"hi\"\"\"\n"
			       "\"line\nbreak\",,\"cr\rhere\"\n"
			       "\" lead\",\"trail \",plain\n"
			       ",x,\n"
			       "\"\t\",é\x01,=1+2\n");
	parse_back(s, &b);
	assert_int_equal(b.nrows, 6);
	for (r = 0; r < 6; r++) {
		assert_int_equal(b.nfields[r], 3);
		for (c = 0; c < 3; c++)
			assert_string_equal(b.rows[r][c], want[r * 3 + c]);
	}
	free(s);
}

static void test_csv_single_column(void **state)
{
	const struct output_col cols[] = {{"only", OUTPUT_STR, false, false}};
	const char *rows[] = {"a", NULL, "", "b"};
	struct csv_back b;
	char *s;

	(void)state;
	/* an empty line would be skipped by readers: the empty field is "" */
	s = render(OUTPUT_CSV, cols, 1, rows, 4, 0, false);
	assert_string_equal(s, "only\na\n\"\"\n\"\"\nb\n");
	parse_back(s, &b);
	assert_int_equal(b.nrows, 5);
	assert_string_equal(b.rows[1][0], "a");
	assert_string_equal(b.rows[2][0], "");
	assert_string_equal(b.rows[3][0], "");
	assert_string_equal(b.rows[4][0], "b");
	free(s);
	/* no rows: the header alone */
	expect(render(OUTPUT_CSV, peers, 3, NULL, 0, 0, false), "proto,count,peer\n");
}

/* OUTPUT_CSV_SAFE: text cells a spreadsheet would run as a formula get a
 * leading ', inside the quoting; numbers and other cells are as in CSV. */
static void test_csv_safe(void **state)
{
	const struct output_col cols[] = {{"prog", OUTPUT_STR, false, false}, {"n", OUTPUT_INT, true, false}};
	const char *rows[] = {
		"=HYPERLINK(\"http://203.0.113.9/\",\"x\")", "-1",
		"+1", "2",
		"-2+3", "3",
		"@SUM(A1)", "4",
		"\tcmd", "5",
		"\rcmd", "6",
		"nginx", "-7",
		"a=b", NULL,
		"", "8",
		NULL, "9",
	};

	(void)state;
	expect(render(OUTPUT_CSV_SAFE, cols, 2, rows, 10, 0, false),
	       "prog,n\n"
	       "\"'=HYPERLINK(\"\"http://203.0.113.9/\"\",\"\"x\"\")\",-1\n"
	       "'+1,2\n"
	       "'-2+3,3\n"
	       "'@SUM(A1),4\n"
	       "'\tcmd,5\n"
	       "\"'\rcmd\",6\n"
	       "nginx,-7\n"
	       "a=b,\n"
	       ",8\n"
	       ",9\n");
	/* plain CSV keeps the cells as they are */
	expect(render(OUTPUT_CSV, cols, 2, rows + 2, 1, 0, false), "prog,n\n+1,2\n");
}

/* --- JSON ---------------------------------------------------------------- */

static void test_json(void **state)
{
	const struct output_col cols[] = {
		{"prog", OUTPUT_STR, false, true},
		{"n", OUTPUT_INT, true, false},
		{"r", OUTPUT_REAL, true, false},
		{"k\"e\\y", OUTPUT_STR, false, false},
	};
	const char *rows[] = {
		"a\"b\\c\nd\x01\x7f\t", "42", "0.5", NULL,
		"\xff ok \xc3\xa9 \xed\xa0\x80", "4x", "1e3", "z",
		NULL, "-0", "nan", "",
		"\b\f\r\x1f/", "007", "-1.25E+2", "12",
		"€𝄞", "", "1.", "x",
		"tail\xe2\x82", "+1", "-", "y",
	};

	(void)state;
	expect(render(OUTPUT_JSON, cols, 4, rows, 6, 10, true),
	       "{\"prog\":\"a\\\"b\\\\c\\nd\\u0001\\u007f\\t\",\"n\":42,\"r\":0.5,"
	       "\"k\\\"e\\\\y\":null}\n"
	       "{\"prog\":\"\\ufffd ok é \\ufffd\\ufffd\\ufffd\",\"n\":\"4x\",\"r\":1e3,"
	       "\"k\\\"e\\\\y\":\"z\"}\n"
	       "{\"prog\":null,\"n\":-0,\"r\":\"nan\",\"k\\\"e\\\\y\":\"\"}\n"
	       "{\"prog\":\"\\b\\f\\r\\u001f/\",\"n\":\"007\",\"r\":-1.25E+2,"
	       "\"k\\\"e\\\\y\":\"12\"}\n"
	       "{\"prog\":\"€𝄞\",\"n\":\"\",\"r\":\"1.\",\"k\\\"e\\\\y\":\"x\"}\n"
	       "{\"prog\":\"tail\\ufffd\\ufffd\",\"n\":\"+1\",\"r\":\"-\","
	       "\"k\\\"e\\\\y\":\"y\"}\n");
	/* no rows: no output */
	expect(render(OUTPUT_JSON, cols, 4, NULL, 0, 0, false), "");
}

/* C1 and bidi code points leave as \\u escapes: the same JSON string, but
 * a terminal showing the line cannot act on them. */
static void test_json_c1_bidi(void **state)
{
	const struct output_col cols[] = {{"prog", OUTPUT_STR, false, false}};
	const char *rows[] = {"c1\xc2\x9b" "31m rlo\xe2\x80\xae \xc2\xa0ok\xe2\x81\xa9"};

	(void)state;
	expect(render(OUTPUT_JSON, cols, 1, rows, 1, 0, false),
	       "{\"prog\":\"c1\\u009b31m rlo\\u202e \xc2\xa0ok\\u2069\"}\n");
}

/* CSV keeps every byte in a pipe; on a terminal its cells are shown as
 * tables show them. */
static void test_csv_tty(void **state)
{
	const struct output_col cols[] = {{"prog", OUTPUT_STR, false, false}, {"n", OUTPUT_INT, true, false}};
	const char *rows[] = {"a\033]52;c;eA==\007\nforged,1", "2"};
	struct termios tio;
	char got[256];
	ssize_t n;
	size_t len = 0;
	int m, sl;
	struct output *o;
	FILE *f;

	(void)state;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		if (m >= 0)
			close(m);
		skip();
	}
	sl = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(sl >= 0);
	assert_int_equal(tcgetattr(sl, &tio), 0);
	cfmakeraw(&tio);   /* the bytes as written, no \r added */
	assert_int_equal(tcsetattr(sl, TCSANOW, &tio), 0);
	f = fdopen(sl, "w");
	assert_non_null(f);
	o = output_new(OUTPUT_CSV, f, cols, 2, 0, false);
	assert_non_null(o);
	assert_int_equal(output_row(o, rows), 0);
	assert_int_equal(output_end(o), 0);
	output_free(o);
	fclose(f);
	while (len < sizeof got - 1 && (n = read(m, got + len, sizeof got - 1 - len)) > 0) {
		len += (size_t)n;
		if (memchr(got, '2', len) && got[len - 1] == '\n')
			break;
	}
	got[len] = '\0';
	close(m);
	assert_string_equal(got, "prog,n\n\"a\\x1b]52;c;eA==\\x07\\nforged,1\",2\n");
}

/* --- errors -------------------------------------------------------------- */

static void test_errors(void **state)
{
	const char *rows[] = {"tcp", "5", "192.0.2.1"};
	enum output_format fmts[] = {OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_JSON};
	struct output *o;
	size_t i;
	FILE *f;

	(void)state;
	for (i = 0; i < NCOLS(fmts); i++) {
		/* /dev/full: every write fails with ENOSPC, seen by the flush at the latest */
		f = fopen("/dev/full", "w");
		assert_non_null(f);
		o = output_new(fmts[i], f, peers, 3, 0, false);
		assert_non_null(o);
		assert_int_equal(output_row(o, rows), 0);
		assert_int_equal(output_end(o), -EIO);
		/* a row after the end would be lost */
		assert_int_equal(output_row(o, rows), -EINVAL);
		output_free(o);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_table_align),
		cmocka_unit_test(test_table_shrink),
		cmocka_unit_test(test_table_shrink_exact),
		cmocka_unit_test(test_table_utf8),
		cmocka_unit_test(test_table_controls),
		cmocka_unit_test(test_table_color),
		cmocka_unit_test(test_table_many),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_single_column),
		cmocka_unit_test(test_csv_tty),
		cmocka_unit_test(test_csv_safe),
		cmocka_unit_test(test_json_c1_bidi),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
