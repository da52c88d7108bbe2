/* output — report rows as a table that fits the terminal, CSV (libcsv
 * quoting) or JSON (one object per line); the formats are documented in
 * docs/REPORTS.md. */
#ifndef SOCKSCOPE_OUTPUT_H
#define SOCKSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* OUTPUT_CSV_SAFE is CSV for spreadsheets: a text cell that begins with =, +,
 * -, @, TAB or CR gets a leading ' so that it is not read as a formula
 * (OWASP, "CSV injection"); numbers are never touched. */
/* OUTPUT_HTML is a <table> (with its header, cells made safe by html.h) for
 * `sockscope report`'s page; the command line does not offer it. */
enum output_format { OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_JSON, OUTPUT_CSV_SAFE, OUTPUT_HTML };

enum output_type {
	OUTPUT_STR,       /* text; JSON string */
	OUTPUT_INT,       /* decimal integer; JSON number */
	OUTPUT_REAL,      /* decimal with a fraction; JSON number */
};

struct output_col {
	const char *name;      /* header (table, CSV) and JSON key */
	enum output_type type;
	bool right;            /* table: right-aligned (numbers) */
	bool shrink;           /* table: this column may be cut to fit the width */
};

struct output;

/* Parses "table", "csv" or "json". 0 or -EINVAL. */
int output_format_parse(const char *s, enum output_format *f);

/* Starts output of ncols columns (the array must outlive the struct) to f.
 * width: the terminal width for tables (0: no limit). color: tables may
 * use bold headers (the caller decides: a TTY and no NO_COLOR). Returns
 * NULL when out of memory. Caller frees with output_free after output_end. */
struct output *output_new(enum output_format fmt, FILE *f, const struct output_col *cols,
			  size_t ncols, unsigned width, bool color);
void output_free(struct output *o);   /* NULL is a no-op */

/* One row: ncols cells, NULL for "no value" (table "-", CSV empty, JSON
 * null). Cells are copied. Tables are buffered until output_end (to size the
 * columns), CSV and JSON are written at once. 0 or -ENOMEM / -EIO. */
int output_row(struct output *o, const char *const *cells);

/* Writes what is buffered (tables). 0 or -EIO. */
int output_end(struct output *o);

#endif
