/* import — `sockscope import`: paths (files, directories, stdin) into the
 * database, one transaction per source, idempotent by content hash. The
 * public side (the command line, reports on dumps); the importers' shared
 * state is in import_int.h. */
#ifndef SOCKSCOPE_IMPORT_H
#define SOCKSCOPE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "store.h"
#include "utctime.h"

struct import_opts {
	const char *format;      /* --format: "segment", a textfmt name, NULL = detect */
	const char *host;        /* --host for dumps that do not say; NULL = "unknown" */
	bool have_at;
	usec_t at;               /* --at: time of dumps without a date line */
	bool keep_raw;           /* --keep-raw: store verbatim sections too */
	bool progress;           /* draw progress on msg (a TTY) */
	bool quiet;              /* -q: no per-source lines, only errors and the summary */
	unsigned show_errors;    /* bad lines shown per source (all are counted) */
	bool parse_every_row;    /* tests: no fast path, every segment row is
	                          * parsed (rowreuse.h); the database is the same */
	const void *stdin_head;  /* bytes already taken from stdin (a pipe) by
	                          * top's fast path, read before the rest of "-" */
	size_t stdin_head_len;
};

struct import_totals {
	uint64_t sources;        /* imported now */
	uint64_t already;        /* skipped: content already imported */
	uint64_t failed;         /* skipped: unreadable or unrecognised */
	uint64_t snapshots, sockets, bad_lines, bytes;
	uint64_t dup_snapshots;  /* snapshots already present (recorder's, dumps') */
	uint64_t changed_snapshots;  /* dumps' snapshots kept though another
	                             * with other rows has their host and time */
	uint64_t not_tried;      /* files not read because the database failed */
	char db_error[256];      /* that failure, "" if none */
	uint64_t named_peers;    /* rows whose peer a dump named (no -n) */
};

struct importer;

/* msg receives warnings, errors and progress (stderr in the CLI). 0 or
 * -errno with err set. Caller frees. */
int importer_new(sqlite3 *db, const struct import_opts *o, FILE *msg, struct importer **out,
		 char *err, size_t errsz);
/* An importer whose rows go to tap (store.h) instead of a database: for
 * reports on dumps without one. 0 or -ENOMEM. */
int importer_new_tap(const struct import_opts *o, const struct store_tap *tap, FILE *msg,
		     struct importer **out);
void importer_free(struct importer *im);   /* NULL is a no-op */

/* Imports a file, "-" (stdin) or a directory (recursively, in name order;
 * symlinks are not followed). Returns 0, 1 when something was skipped
 * (a bad file, bad lines), or -errno when the database failed. After a
 * database error nothing more is read: each file (of this and later
 * calls) is counted in totals.not_tried and the return is -EIO. */
int importer_path(struct importer *im, const char *path);

const struct import_totals *importer_totals(const struct importer *im);

#endif
