/* import_int — inside the importer: the state of one source and its
 * messages (import_source.c), and the two importers import.c hands a
 * source to. Calls run one way: import.c -> import_segment.c /
 * import_text.c -> import_source.c. Not for use outside analyzer/ingest/. */
#ifndef SOCKSCOPE_IMPORT_INT_H
#define SOCKSCOPE_IMPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "import.h"
#include "input.h"
#include "lines.h"
#include "store.h"
#include "textfmt.h"

struct import_source {
	const struct import_opts *opts;
	struct store *store;
	FILE *msg;
	const char *name;        /* as given: sources.path, time and hints */
	const char *path;        /* name made visible (termsafe), for messages */
	struct input *in;
	int64_t source_id;
	uint64_t snapshots, sockets, bad_lines, dup_snapshots, changed_snapshots;
	uint64_t named_peers;    /* rows whose peer the dump named (no -n) */
	char first_error[512];
	/* progress */
	double t_start, t_drawn;
	bool drawn;
};

/* Starts src: its options, store and message stream; the clock of its
 * progress line. */
void import_source_start(struct import_source *src, const struct import_opts *o,
			 struct store *store, FILE *msg, const char *name, const char *path);
/* Erases the progress line before anything else is written to msg. */
void import_clear_progress(struct import_source *src);
/* Reports "path:line: what" (the first show_errors of a source) and counts
 * it. lineno 0 prints no line number. */
void import_bad(struct import_source *src, uint64_t lineno, const char *what);
/* Redraws the progress line when due (cheap to call per row batch). */
void import_progress(struct import_source *src);
/* A warning about this source (always shown unless quiet). */
void import_warn(struct import_source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A warning shown even when quiet: evidence that contradicts evidence. */
void import_flag(struct import_source *src, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Segment: the decoded stream of `lines` is snapshot text. 0, or -errno
 * when the database failed (the source is rolled back). */
int import_segment(struct import_source *src, struct lines *lines);
/* A text dump of format f (cron logs split at date lines). */
int import_text(struct import_source *src, struct lines *lines, const struct textfmt *f);

#endif
