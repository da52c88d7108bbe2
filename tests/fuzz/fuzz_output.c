/* fuzz_output — random cells (split at '\x01', "\x02" = NULL) through all
 * three formats: JSON is strict JSON with the cells' values, CSV reads back
 * through libcsv unchanged, tables are rows+1 clean lines (hostile
 * characters escaped) within width. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CELLS 2048

static const struct output_col all_cols[] = {
	{"proto", OUTPUT_STR, false, false},
	{"count", OUTPUT_INT, true, false},
	{"n\"a,me", OUTPUT_STR, false, true},
	{"é", OUTPUT_REAL, true, false},
	{"k\\ey", OUTPUT_STR, false, true},
	{"x y", OUTPUT_INT, false, true},
};

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7), 0 if
 * ill-formed; written apart from output.c's so the two check each other. */
static size_t u8len(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t k;

	for (; p < end; p += k)
		if ((k = u8len(p, end)) == 0)
			return false;
	return true;
}

/* Code point of the well-formed sequence of k bytes at p. */
static unsigned cp_of(const unsigned char *p, size_t k)
{
	static const unsigned char lead[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	unsigned c = p[0] & lead[k];

	for (size_t i = 1; i < k; i++)
		c = c << 6 | (p[i] & 0x3fu);
	return c;
}

/* Display columns a table gives s, each unsafe character escaped as
 * sockscope(1) says: TAB, LF, CR two (\t), other C0, DEL and each
 * ill-formed byte four (\x1b), C1 and bidi six (\u202e). */
static size_t units(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n = 0, k;
	unsigned c;

	for (; p < end; p += k ? k : 1) {
		k = u8len(p, end);
		if (k == 0) {
			n += 4;
			continue;
		}
		c = cp_of(p, k);
		if (c == '\t' || c == '\n' || c == '\r')
			n += 2;
		else if (c < 0x20 || c == 0x7f)
			n += 4;
		else if ((c >= 0x80 && c <= 0x9f) || c == 0x61c || c == 0x200e || c == 0x200f ||
			 c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
			 (c >= 0x2066 && c <= 0x2069))
			n += 6;
		else
			n++;
	}
	return n;
}

/* --- a strict JSON reader for exactly one object per line ---------------- */

struct jr {
	const unsigned char *p, *end;
	char *str; /* the last string decoded */
	size_t len, cap;
};

static void put(struct jr *j, const void *s, size_t n)
{
	if (j->len + n > j->cap) {
		j->cap = (j->len + n) * 2 + 64;
		j->str = realloc(j->str, j->cap);
		if (!j->str)
			abort();
	}
	memcpy(j->str + j->len, s, n);
	j->len += n;
}

static unsigned hex4(struct jr *j)
{
	unsigned v = 0, i, d;

	if (j->end - j->p < 4)
		abort();
	for (i = 0; i < 4; i++) {
		unsigned char c = *j->p++;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10u;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10u;
		else
			abort();
		v = v << 4 | d;
	}
	return v;
}

static void put_cp(struct jr *j, unsigned c)
{
	unsigned char b[4];

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		put(j, b, 1);
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		put(j, b, 2);
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		put(j, b, 3);
	} else {
		b[0] = (unsigned char)(0xf0 | c >> 18);
		b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		put(j, b, 4);
	}
}

static void jstring(struct jr *j)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	unsigned c, lo;
	const char *e;
	size_t k;

	j->len = 0;
	if (j->p == j->end || *j->p++ != '"')
		abort();
	for (;;) {
		if (j->p == j->end || *j->p < 0x20)
			abort();
		if (*j->p == '"')
			break;
		if (*j->p != '\\') {
			k = u8len(j->p, j->end);
			if (k == 0)
				abort();
			put(j, j->p, k);
			j->p += k;
			continue;
		}
		if (++j->p == j->end)
			abort();
		if (*j->p == 'u') {
			j->p++;
			c = hex4(j);
			if (c >= 0xdc00 && c <= 0xdfff)
				abort();
			if (c >= 0xd800 && c <= 0xdbff) {
				if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
					abort();
				j->p += 2;
				lo = hex4(j);
				if (lo < 0xdc00 || lo > 0xdfff)
					abort();
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_cp(j, c);
			continue;
		}
		for (e = esc; *e && *e != (char)*j->p; e += 2)
			;
		if (!*e)
			abort();
		put(j, e + 1, 1);
		j->p++;
	}
	j->p++;
}

/* Length of the JSON number at the start of [p, end), 0 if none. */
static size_t jnumber(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *s = p;

#define DIGIT (p < end && *p >= '0' && *p <= '9')
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (DIGIT)
		while (DIGIT)
			p++;
	else
		return 0;
	if (p < end && *p == '.') {
		p++;
		if (!DIGIT)
			return 0;
		while (DIGIT)
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!DIGIT)
			return 0;
		while (DIGIT)
			p++;
	}
#undef DIGIT
	return (size_t)(p - s);
}

static bool is_number(const char *s)
{
	size_t n = strlen(s);

	return n && jnumber((const unsigned char *)s, (const unsigned char *)s + n) == n;
}

/* One line: keys in column order, each value what its cell says. */
static void check_json_line(struct jr *j, const struct output_col *cols, size_t ncols,
			    const char *const *cells)
{
	size_t c, n;

	if (j->p == j->end || *j->p++ != '{')
		abort();
	for (c = 0; c < ncols; c++) {
		const char *s = cells[c];

		if (c && (j->p == j->end || *j->p++ != ','))
			abort();
		jstring(j);
		if (j->len != strlen(cols[c].name) || memcmp(j->str, cols[c].name, j->len))
			abort();
		if (j->p == j->end || *j->p++ != ':' || j->p == j->end)
			abort();
		if (*j->p == 'n') {
			if (s || j->end - j->p < 4 || memcmp(j->p, "null", 4))
				abort();
			j->p += 4;
		} else if (*j->p == '"') {
			jstring(j);
			if (!s || (cols[c].type != OUTPUT_STR && is_number(s)))
				abort();
			if (valid_utf8(s, strlen(s)) &&
			    (j->len != strlen(s) || memcmp(j->str, s, j->len)))
				abort();
		} else {
			n = jnumber(j->p, j->end);
			if (!n || !s || cols[c].type == OUTPUT_STR || n != strlen(s) ||
			    memcmp(j->p, s, n))
				abort();
			j->p += n;
		}
	}
	if (j->end - j->p != 2 || j->p[0] != '}' || j->p[1] != '\n')
		abort();
}

/* --- CSV read back ------------------------------------------------------- */

struct back {
	const struct output_col *cols;
	size_t ncols;
	const char *const *cells;
	size_t nrows; /* data rows expected */
	size_t r, c;  /* row (0 = header) and field being read */
};

static void back_field(void *p, size_t n, void *ctx)
{
	struct back *b = ctx;
	const char *want;

	if (b->r > b->nrows || b->c >= b->ncols)
		abort();
	want = b->r == 0 ? b->cols[b->c].name : b->cells[(b->r - 1) * b->ncols + b->c];
	if (!want)
		want = "";
	if (n != strlen(want) || (n && memcmp(p, want, n)))
		abort();
	b->c++;
}

static void back_row(int term, void *ctx)
{
	struct back *b = ctx;

	(void)term;
	if (b->c != b->ncols)
		abort();
	b->r++;
	b->c = 0;
}

static char *render(enum output_format fmt, const struct output_col *cols, size_t ncols,
		    const char *const *cells, size_t nrows, unsigned width, bool color, size_t *len)
{
	struct output *o;
	char *buf = NULL;
	size_t r;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		abort();
	o = output_new(fmt, f, cols, ncols, width, color);
	if (!o)
		abort();
	for (r = 0; r < nrows; r++)
		if (output_row(o, cells + r * ncols) != 0)
			abort();
	if (output_end(o) != 0)
		abort();
	output_free(o);
	if (fclose(f) != 0)
		abort();
	return buf;
}

static void check_table(const char *s, size_t len, const struct output_col *cols, size_t ncols,
			const char *const *cells, size_t nrows, unsigned width, bool color)
{
	size_t natural = 0, floor = 0, limit, r, c, w, lines = 0, cw;
	const char *p = s, *end = s + len, *nl;

	/* the widest a line may be: cut shrinkable columns, never below 8 */
	for (c = 0; c < ncols; c++) {
		w = units(cols[c].name);
		for (r = 0; r < nrows; r++) {
			const char *cell = cells[r * ncols + c];

			cw = units(cell ? cell : "-");
			w = cw > w ? cw : w;
		}
		natural += w + (c ? 2 : 0);
		floor += (cols[c].shrink && w > 8 ? 8 : w) + (c ? 2 : 0);
	}
	limit = natural;
	if (width && width < natural)
		limit = width > floor ? width : floor;
	if (!valid_utf8(s, len) || (len && s[len - 1] != '\n'))
		abort();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (color && lines == 0) {
			if (nl - p < 8 || memcmp(p, "\033[1m", 4) || memcmp(nl - 4, "\033[0m", 4))
				abort();
			p += 4;
			nl -= 4;
		}
		if (nl > p && nl[-1] == ' ')
			abort();
		for (cw = 0; p < nl; p++) {
			unsigned char b = (unsigned char)*p;

			if (b < 0x20 || b == 0x7f)
				abort();
			/* no C1 controls either: U+0080..U+009F is C2 80..C2 9F */
			if (b == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f)
				abort();
			/* nor bidi controls, which reorder what follows */
			if ((b == 0xe2 && (unsigned char)p[1] == 0x80 &&
			     (((unsigned char)p[2] >= 0xaa && (unsigned char)p[2] <= 0xae) ||
			      (unsigned char)p[2] == 0x8e || (unsigned char)p[2] == 0x8f)) ||
			    (b == 0xe2 && (unsigned char)p[1] == 0x81 && (unsigned char)p[2] >= 0xa6 &&
			     (unsigned char)p[2] <= 0xa9))
				abort();
			cw += (b & 0xc0) != 0x80;
		}
		if (cw > limit)
			abort();
		if (color && lines == 0)
			p += 4;
		p++;
		lines++;
	}
	if (lines != nrows + 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *cells[MAX_CELLS];
	struct output_col cols[6];
	size_t ncols, ncells = 0, nrows, i, len, start;
	struct csv_parser cp;
	struct back b;
	struct jr j;
	unsigned width;
	bool color;
	char *text, *s, *line;

	if (size < 3)
		return 0;
	ncols = 1 + data[0] % 6;
	color = data[1] & 1;
	width = data[2];
	for (i = 0; i < ncols; i++) {
		cols[i] = all_cols[i];
		cols[i].shrink = (data[1] >> (i + 1)) & 1;
	}
	data += 3;
	size -= 3;

	/* an embedded NUL just ends its cell early, as in C */
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (start = 0, i = 0; i <= size && ncells < MAX_CELLS; i++) {
		if (i < size && text[i] != '\x01')
			continue;
		text[i] = '\0';
		cells[ncells++] = strcmp(text + start, "\x02") ? text + start : NULL;
		start = i + 1;
	}
	nrows = (ncells + ncols - 1) / ncols;
	while (ncells < nrows * ncols)
		cells[ncells++] = NULL;

	s = render(OUTPUT_JSON, cols, ncols, cells, nrows, width, color, &len);
	memset(&j, 0, sizeof j);
	line = s;
	for (i = 0; i < nrows; i++) {
		char *nl = memchr(line, '\n', len - (size_t)(line - s));

		if (!nl)
			abort();
		j.p = (const unsigned char *)line;
		j.end = (const unsigned char *)nl + 1;
		check_json_line(&j, cols, ncols, cells + i * ncols);
		line = nl + 1;
	}
	if ((size_t)(line - s) != len)
		abort();
	free(j.str);
	free(s);

	s = render(OUTPUT_CSV, cols, ncols, cells, nrows, width, color, &len);
	memset(&b, 0, sizeof b);
	b.cols = cols;
	b.ncols = ncols;
	b.cells = cells;
	b.nrows = nrows;
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) != 0)
		abort();
	if (csv_parse(&cp, s, len, back_field, back_row, &b) != len)
		abort();
	if (csv_fini(&cp, back_field, back_row, &b) != 0)
		abort();
	csv_free(&cp);
	if (b.r != nrows + 1 || b.c != 0)
		abort();
	free(s);

	s = render(OUTPUT_TABLE, cols, ncols, cells, nrows, width, color, &len);
	check_table(s, len, cols, ncols, cells, nrows, width, color);
	free(s);

	free(text);
	return 0;
}
