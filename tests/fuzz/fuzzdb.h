/* fuzzdb — one number from a database, for the fuzz targets that check an
 * import's tables. Header-only: each target is one program. */
#ifndef SOCKSCOPE_FUZZDB_H
#define SOCKSCOPE_FUZZDB_H

#include <stdlib.h>

#include <sqlite3.h>

/* The first column of the first row of sql; -1 when there is no row. A
 * statement that does not prepare is a bug of the target: abort. */
static inline long long fuzz_scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif
