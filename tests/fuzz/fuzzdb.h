/* fuzzdb — for the fuzz targets that import their input: the bytes as a
 * file, and one number from the database. Header-only: each target is one
 * program. */
#ifndef SOCKSCOPE_FUZZDB_H
#define SOCKSCOPE_FUZZDB_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* The bytes into a new file /tmp/sst-fuzz-TAG.XXXXXX (its name into path):
 * importer_path stats, realpaths and opens a path, which a memfd's
 * /proc/self/fd link does not survive (its target is "/memfd:...
 * (deleted)"). 0 or -errno; the caller unlinks it. */
static inline int fuzz_write_file(const uint8_t *p, size_t n, const char *tag, char *path,
				  size_t pathsz)
{
	int fd;

	snprintf(path, pathsz, "/tmp/sst-fuzz-%s.XXXXXX", tag);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			return -EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	close(fd);
	return 0;
}

#endif
