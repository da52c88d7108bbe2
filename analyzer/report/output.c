/* output — report rows as a table sized to the terminal, CSV quoted by libcsv
 * or JSON Lines; docs/REPORTS.md ("Output formats") is the contract. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "buf.h"
#include "html.h"
#include "output.h"
#include "termsafe.h"

#define NOVAL SIZE_MAX /* offset of a NULL cell in a buffered table */
#define MIN_CUT 8      /* a shrinkable column is never cut narrower */

static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026, one column */

struct output {
	enum output_format fmt;
	FILE *f;
	const struct output_col *cols;
	size_t ncols;
	unsigned width;	 /* table: terminal width, 0 = unlimited */
	bool color;	 /* table: bold header */
	bool tty;	 /* CSV: f is a terminal, a person reads the cells */
	bool csv_safe;	 /* CSV: formula-looking text cells prefixed with ' */
	bool started;	 /* CSV: header row written */
	bool ended;	 /* output_end ran: further rows are refused */
	struct buf text; /* table: sanitised cells, each NUL-terminated */
	struct buf line; /* one output line (table, JSON) being built */
	struct buf cell; /* CSV: a cell with its ' prefix */
	size_t *off;	 /* table: (nrows * ncols) offsets into text or NOVAL */
	size_t nrows;	 /* table: rows buffered, the header being row 0 */
	size_t cap_rows;
};

static const struct {
	const char *name;
	enum output_format fmt;
} formats[] = {
	{"table", OUTPUT_TABLE},
	{"csv", OUTPUT_CSV},
	{"json", OUTPUT_JSON},
};

int output_format_parse(const char *s, enum output_format *f)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(s, formats[i].name) == 0) {
			*f = formats[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

/* Callers reserve first: appends cannot fail. */
static void buf_add(struct buf *b, const void *p, size_t n)
{
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_addc(struct buf *b, char c)
{
	b->data[b->len++] = c;
}

/* Appends s made visible by the one rule (common/termsafe: TAB, LF and
 * every other control, C1, bidi and ill-formed byte as an escape), plus a
 * NUL: the stored text is valid UTF-8 of one column per code point. */
static int buf_add_safe(struct buf *b, const char *s)
{
	int rc = termsafe_append(b, s, strlen(s), 0);

	return rc ? rc : buf_putc(b, '\0');
}

/* Display width of sanitised text: one column per code point. */
static size_t cols_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Byte length of the first n code points of sanitised text. */
static size_t bytes_of(const char *s, size_t n)
{
	size_t i = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == 0)
				break;
			n--;
		}
		i++;
	}
	return i;
}

static int table_add(struct output *o, const char *const *cells)
{
	size_t c, mark = o->text.len, *off;
	int rc = 0;

	if (o->nrows == o->cap_rows) {
		size_t cap = o->cap_rows ? o->cap_rows * 2 : 64;

		if (o->ncols && cap > SIZE_MAX / sizeof *off / o->ncols)
			return -ENOMEM;
		off = realloc(o->off, cap * (o->ncols ? o->ncols : 1) * sizeof *off);
		if (!off)
			return -ENOMEM;
		o->off = off;
		o->cap_rows = cap;
	}
	off = o->off + o->nrows * o->ncols;
	for (c = 0; c < o->ncols; c++) {
		if (!cells[c]) {
			off[c] = NOVAL;
			continue;
		}
		off[c] = o->text.len;
		rc = buf_add_safe(&o->text, cells[c]);
		if (rc) {
			/* a half-stored row must not show up in the table */
			o->text.len = mark;
			return rc;
		}
	}
	o->nrows++;
	return 0;
}

static const char *table_cell(const struct output *o, size_t r, size_t c)
{
	size_t off = o->off[r * o->ncols + c];

	return off == NOVAL ? "-" : o->text.data + off;
}

/* Cuts the widest shrinkable columns to a common level until the table
 * fits or all of them are down to MIN_CUT. */
static void table_shrink(const struct output *o, size_t *w)
{
	size_t c, total = 0, excess, top, next, k, d, r;

	for (c = 0; c < o->ncols; c++)
		total += w[c] + (c ? 2 : 0);
	if (o->width == 0 || total <= o->width)
		return;
	excess = total - o->width;
	while (excess > 0) {
		top = MIN_CUT;
		for (c = 0; c < o->ncols; c++)
			if (o->cols[c].shrink && w[c] > top)
				top = w[c];
		if (top == MIN_CUT)
			return;
		next = MIN_CUT;
		k = 0;
		for (c = 0; c < o->ncols; c++) {
			if (!o->cols[c].shrink)
				continue;
			if (w[c] == top)
				k++;
			else if (w[c] > next)
				next = w[c];
		}
		if ((top - next) * k <= excess) {
			for (c = 0; c < o->ncols; c++)
				if (o->cols[c].shrink && w[c] == top)
					w[c] = next;
			excess -= (top - next) * k;
			continue;
		}
		/* the last step: spread the cut, leftmost columns take the rest */
		d = excess / k;
		r = excess % k;
		for (c = 0; c < o->ncols; c++) {
			if (!o->cols[c].shrink || w[c] != top)
				continue;
			w[c] = top - d - (r ? 1 : 0);
			if (r)
				r--;
		}
		excess = 0;
	}
}

static int table_line(struct output *o, size_t r, const size_t *w)
{
	struct buf *l = &o->line;
	size_t c, cw, n, pad;
	const char *s;
	int rc;

	l->len = 0;
	for (c = 0; c < o->ncols; c++) {
		s = table_cell(o, r, c);
		cw = cols_of(s);
		n = strlen(s);
		if (cw > w[c]) {
			n = bytes_of(s, w[c] - 1);
			cw = w[c];
		}
		pad = w[c] - cw;
		rc = buf_reserve(l, 2 + pad + n + sizeof ellipsis);
		if (rc)
			return rc;
		if (c)
			buf_add(l, "  ", 2);
		if (o->cols[c].right) {
			memset(l->data + l->len, ' ', pad);
			l->len += pad;
		}
		buf_add(l, s, n);
		if (n < strlen(s))
			buf_add(l, ellipsis, sizeof ellipsis - 1);
		if (!o->cols[c].right) {
			memset(l->data + l->len, ' ', pad);
			l->len += pad;
		}
	}
	/* padding of the last columns (or a cell's own spaces) must not trail */
	while (l->len && l->data[l->len - 1] == ' ')
		l->len--;
	if (r == 0 && o->color) {
		if (fputs("\033[1m", o->f) == EOF)
			return -EIO;
		if (fwrite(l->data, 1, l->len, o->f) != l->len)
			return -EIO;
		if (fputs("\033[0m\n", o->f) == EOF)
			return -EIO;
		return 0;
	}
	rc = buf_reserve(l, 1);
	if (rc)
		return rc;
	buf_addc(l, '\n');
	return fwrite(l->data, 1, l->len, o->f) == l->len ? 0 : -EIO;
}

static int table_end(struct output *o)
{
	size_t *w, r, c, cw;
	int rc = 0;

	w = calloc(o->ncols ? o->ncols : 1, sizeof *w);
	if (!w)
		return -ENOMEM;
	for (r = 0; r < o->nrows; r++) {
		for (c = 0; c < o->ncols; c++) {
			cw = cols_of(table_cell(o, r, c));
			if (cw > w[c])
				w[c] = cw;
		}
	}
	table_shrink(o, w);
	for (r = 0; r < o->nrows && rc == 0; r++)
		rc = table_line(o, r, w);
	free(w);
	return rc;
}

/* libcsv quotes every field it writes; only fields that need it go through
 * it, so plain values stay plain: separators, quotes, line breaks, and
 * leading or trailing blanks (which readers such as libcsv trim). A row
 * of one empty field is written as "" so that it is not a blank line. */
static int csv_field(FILE *f, const char *s, bool alone)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0) {
		if (alone && fputs("\"\"", f) == EOF)
			return -EIO;
		return 0;
	}
	if (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t')
		return csv_fwrite(f, s, n) == 0 ? 0 : -EIO;
	return fwrite(s, 1, n, f) == n ? 0 : -EIO;
}

static int csv_row(struct output *o, const char *const *cells, bool header)
{
	const char *s;
	size_t c;
	int rc;

	for (c = 0; c < o->ncols; c++) {
		if (c && fputc(',', o->f) == EOF)
			return -EIO;
		s = header ? o->cols[c].name : cells[c];
		if (!header && o->csv_safe && s && s[0] && o->cols[c].type == OUTPUT_STR &&
		    strchr("=+-@\t\r", s[0])) {
			buf_reset(&o->cell);
			if (buf_putc(&o->cell, '\'') < 0 || buf_puts(&o->cell, s) < 0)
				return -ENOMEM;
			s = o->cell.data;
		}
		/* CSV keeps every byte for the programs that read it; on a
		 * terminal the reader is a person, shown what tables show */
		if (o->tty && s && !termsafe_clean(s, strlen(s), 0)) {
			o->line.len = 0;
			rc = termsafe_append(&o->line, s, strlen(s), 0);
			if (rc)
				return rc;
			s = o->line.data;
		}
		rc = csv_field(o->f, s, o->ncols == 1);
		if (rc)
			return rc;
	}
	return fputc('\n', o->f) == EOF ? -EIO : 0;
}

static int csv_start(struct output *o)
{
	int rc;

	if (o->started)
		return 0;
	rc = csv_row(o, NULL, true);
	if (rc == 0)
		o->started = true;
	return rc;
}

/* RFC 8259 number grammar: what a JSON parser accepts as a bare number. */
static bool json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* Appends s as a JSON string; ill-formed UTF-8 bytes become U+FFFD each,
 * so the line is valid JSON whatever the cell holds. */
static int json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	uint32_t cp;
	unsigned k;
	int rc;

	rc = buf_reserve(b, (size_t)(end - p) * 6 + 2);
	if (rc)
		return rc;
	buf_addc(b, '"');
	while (*p) {
		k = termsafe_utf8(p, (size_t)(end - p), &cp);
		if (k == 0) {
			buf_add(b, "\\ufffd", 6);
			p++;
			continue;
		}
		switch (cp) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\b':
			buf_add(b, "\\b", 2);
			break;
		case '\f':
			buf_add(b, "\\f", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default:
			/* C1 and bidi too: the same string, but a terminal
			 * showing the line cannot act on them */
			if (!termsafe_cp_ok(cp)) {
				buf_add(b, "\\u", 2);
				buf_addc(b, hex[cp >> 12]);
				buf_addc(b, hex[(cp >> 8) & 0xf]);
				buf_addc(b, hex[(cp >> 4) & 0xf]);
				buf_addc(b, hex[cp & 0xf]);
			} else {
				buf_add(b, p, k);
			}
		}
		p += k;
	}
	buf_addc(b, '"');
	return 0;
}

static int json_row(struct output *o, const char *const *cells)
{
	struct buf *l = &o->line;
	size_t c, n;
	int rc;

	l->len = 0;
	rc = buf_reserve(l, 1);
	if (rc)
		return rc;
	buf_addc(l, '{');
	for (c = 0; c < o->ncols; c++) {
		const char *s = cells[c];

		rc = buf_reserve(l, 1);
		if (rc)
			return rc;
		if (c)
			buf_addc(l, ',');
		rc = json_string(l, o->cols[c].name ? o->cols[c].name : "");
		if (rc)
			return rc;
		n = s ? strlen(s) : 0;
		rc = buf_reserve(l, n + 5);
		if (rc)
			return rc;
		buf_addc(l, ':');
		if (!s)
			buf_add(l, "null", 4);
		else if (o->cols[c].type != OUTPUT_STR && json_number(s))
			buf_add(l, s, n);
		else if ((rc = json_string(l, s)) != 0)
			return rc;
	}
	rc = buf_reserve(l, 2);
	if (rc)
		return rc;
	buf_add(l, "}\n", 2);
	return fwrite(l->data, 1, l->len, o->f) == l->len ? 0 : -EIO;
}

/* HTML: the table is opened with its header before the first row (or at
 * the end, for a report without rows); numbers get class n (right). */
static int html_row(struct output *o, const char *const *cells, bool header)
{
	struct buf *l = &o->line;
	int rc = 0;

	buf_reset(l);
	if (header)
		rc = buf_puts(l, "<div class=\"tbl\"><table><thead>");
	rc = rc ? rc : buf_puts(l, "<tr>");
	for (size_t c = 0; rc == 0 && c < o->ncols; c++) {
		const char *tag = header ? "th" : "td";

		rc = buf_printf(l, o->cols[c].right ? "<%s class=\"n\">" : "<%s>", tag);
		if (rc == 0)
			rc = cells[c] ? html_append(l, cells[c], strlen(cells[c])) : buf_puts(l, "-");
		if (rc == 0)
			rc = buf_printf(l, "</%s>", tag);
	}
	rc = rc ? rc : buf_puts(l, header ? "</tr></thead><tbody>\n" : "</tr>\n");
	if (rc)
		return rc;
	return fwrite(l->data, 1, l->len, o->f) == l->len ? 0 : -EIO;
}

static int html_start(struct output *o)
{
	const char **names;
	int rc;

	if (o->started)
		return 0;
	o->started = true;
	if (!(names = calloc(o->ncols ? o->ncols : 1, sizeof *names)))
		return -ENOMEM;
	for (size_t c = 0; c < o->ncols; c++)
		names[c] = o->cols[c].name ? o->cols[c].name : "";
	rc = html_row(o, names, true);
	free(names);
	return rc;
}

struct output *output_new(enum output_format fmt, FILE *f, const struct output_col *cols,
			  size_t ncols, unsigned width, bool color)
{
	const char **names = NULL;
	struct output *o;
	size_t c;

	o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->fmt = fmt == OUTPUT_CSV_SAFE ? OUTPUT_CSV : fmt;
	o->csv_safe = fmt == OUTPUT_CSV_SAFE;
	fmt = o->fmt;
	o->f = f;
	o->cols = cols;
	o->ncols = ncols;
	o->width = width;
	o->color = color;
	o->tty = fmt == OUTPUT_CSV && fileno(f) >= 0 && isatty(fileno(f));
	if (fmt != OUTPUT_TABLE)
		return o;
	/* the header is buffered as row 0 so that it is sized like the rest */
	names = calloc(ncols ? ncols : 1, sizeof *names);
	if (!names)
		goto fail;
	for (c = 0; c < ncols; c++)
		names[c] = cols[c].name ? cols[c].name : "";
	if (table_add(o, names))
		goto fail;
	free(names);
	return o;
fail:
	free(names);
	output_free(o);
	return NULL;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	free(o->off);
	buf_fini(&o->text);
	buf_fini(&o->line);
	buf_fini(&o->cell);
	free(o);
}

int output_row(struct output *o, const char *const *cells)
{
	int rc;

	/* a row after the table was printed would be lost silently */
	if (o->ended)
		return -EINVAL;
	switch (o->fmt) {
	case OUTPUT_TABLE:
		return table_add(o, cells);
	case OUTPUT_CSV:
	case OUTPUT_CSV_SAFE:   /* output_new made it OUTPUT_CSV with csv_safe */
		rc = csv_start(o);
		return rc ? rc : csv_row(o, cells, false);
	case OUTPUT_JSON:
		return json_row(o, cells);
	case OUTPUT_HTML:
		rc = html_start(o);
		return rc ? rc : html_row(o, cells, false);
	}
	return -EINVAL;
}

int output_end(struct output *o)
{
	int rc = 0;

	if (o->ended)
		return 0;
	o->ended = true;
	if (o->fmt == OUTPUT_TABLE)
		rc = table_end(o);
	else if (o->fmt == OUTPUT_CSV)
		rc = csv_start(o);
	else if (o->fmt == OUTPUT_HTML && (rc = html_start(o)) == 0)
		rc = fputs("</tbody></table></div>\n", o->f) < 0 ? -EIO : 0;
	/* stdio may have held back an earlier write error until now */
	if (fflush(o->f) != 0 || ferror(o->f))
		return rc ? rc : -EIO;
	return rc;
}
