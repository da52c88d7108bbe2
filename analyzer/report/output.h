/* output — report rows as a table that fits the terminal, CSV (libcsv
 * quoting) or JSON (one object per line); the formats are documented in
 * docs/REPORTS.md. */
#ifndef SOCKSCOPE_OUTPUT_H
#define SOCKSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* OUT_CSV_SAFE is CSV for spreadsheets: a text cell that begins with =, +,
 * -, @, TAB or CR gets a leading ' so that it is not read as a formula
 * (OWASP, "CSV injection"); numbers are never touched. */
enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_CSV_SAFE };

enum out_type {
	OUT_STR,       /* text; JSON string */
	OUT_INT,       /* decimal integer; JSON number */
	OUT_REAL,      /* decimal with a fraction; JSON number */
};

struct out_col {
	const char *name;      /* header (table, CSV) and JSON key */
	enum out_type type;
	bool right;            /* table: right-aligned (numbers) */
	bool shrink;           /* table: this column may be cut to fit the width */
};

struct out;

/* Parses "table", "csv" or "json". 0 or -EINVAL. */
int out_format_parse(const char *s, enum out_format *f);

/* Starts output of ncols columns (the array must outlive the struct) to f.
 * width: the terminal width for tables (0: no limit). color: tables may
 * use bold headers (the caller decides: a TTY and no NO_COLOR). Returns
 * NULL when out of memory. Caller frees with out_free after out_end. */
struct out *out_new(enum out_format fmt, FILE *f, const struct out_col *cols, size_t ncols,
		    unsigned width, bool color);
void out_free(struct out *o);   /* NULL is a no-op */

/* One row: ncols cells, NULL for "no value" (table "-", CSV empty, JSON
 * null). Cells are copied. Tables are buffered until out_end (to size the
 * columns), CSV and JSON are written at once. 0 or -ENOMEM / -EIO. */
int out_row(struct out *o, const char *const *cells);

/* Writes what is buffered (tables). 0 or -EIO. */
int out_end(struct out *o);

#endif
