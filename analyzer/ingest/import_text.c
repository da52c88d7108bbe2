/* import_text — a foreign text dump into snapshots: one per dump, a cron log
 * split at its `date` lines; times from date line, --at, file name or mtime. */
#include <errno.h>
#include <inttypes.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dateline.h"
#include "import_int.h"

/* date lines are short; rows never are this short and a date, so the parse
 * is only tried on short lines */
#define DATELINE_MAX 48

struct text {
	struct import_source *src;
	const struct textfmt *f;
	void *state;
	bool open;
	bool weak;               /* the open snapshot's time is mtime or now */
	usec_t when;             /* the open snapshot's time */
	int64_t snap_id;
	uint64_t rows, lineno;
	uint64_t line;           /* the open snapshot's first line */
	uint64_t named;          /* rows the dump spelled with names (not -n) */
	uint64_t snap_named, snap_peers;  /* the open snapshot's share of those,
	                                   * undone with it when it is a copy */
	char skipped[TEXTFMT_SKIPPED_MAX];   /* unknown columns last warned about */
	int db_rc;               /* a database error seen inside the sink */
	usec_t fallback;         /* time of a dump without a date line */
	const char *fallback_from;
};

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static int on_row(void *ctx, const struct sock_row *r)
{
	struct text *t = ctx;
	int rc = store_socket(t->src->store, t->snap_id, r);

	if (rc == -EINVAL) {
		import_bad(t->src, t->lineno, "a row whose addresses match its family");
		return 0;
	}
	if (rc < 0) {
		t->db_rc = rc;
		return rc;
	}
	t->rows++;
	t->snap_named += r->named != 0;
	t->snap_peers += r->rhost != NULL;
	t->src->sockets++;
	if ((t->src->sockets & 4095) == 0)
		import_progress(t->src);
	return 0;
}

static void on_bad(void *ctx, size_t lineno, const char *expected)
{
	struct text *t = ctx;

	import_bad(t->src, lineno, expected);
}

/* The same evidence imported twice counts once: a snapshot whose rows
 * another source's dump of this host already gave at the same time (or,
 * for a time that is only a file's mtime or the import's, at any such time)
 * is undone; other rows at the same host and time are kept and said
 * (docs/SCHEMA.md §7, "Dumps' snapshots, imported once"). */
static int dedup_snapshot(struct text *t)
{
	struct import_source *src = t->src;
	char other[512], when[UTCTIME_STRLEN];
	int64_t other_id = 0;
	int m = store_snapshot_match(src->store, t->snap_id, t->weak, &other_id, other,
				     sizeof other);

	if (m < 0)
		return m;
	if (m == 1) {
		src->dup_snapshots++;
		src->sockets -= t->rows;   /* undone with it */
		return store_rollback_savepoint(src->store);
	}
	t->named += t->snap_named;
	src->named_peers += t->snap_peers;
	if (m == 2) {
		utctime_format(t->when, 0, when, sizeof when);
		import_flag(src, "the snapshot at %s (line %" PRIu64 ", host %s) differs from "
				 "snapshot %" PRId64 " of %s at the same host and time: both kept",
			    when, t->line, src->opts->host ? src->opts->host : "unknown", other_id,
			    other);
		src->changed_snapshots++;
	}
	src->snapshots++;
	return store_release(src->store);
}

/* Header columns the parser skipped: said once per file (again only when a
 * later dump of a cron log skips others), never per line. */
static void note_skipped(struct text *t)
{
	const char *sk = t->f->skipped ? t->f->skipped(t->state) : NULL;

	if (!sk || !sk[0] || !strcmp(sk, t->skipped))
		return;
	snprintf(t->skipped, sizeof t->skipped, "%s", sk);
	import_warn(t->src, "columns this parser does not know were skipped: %s", sk);
}

static int close_snapshot(struct text *t, const struct row_sink *sink)
{
	int rc;

	if (!t->open)
		return 0;
	t->open = false;
	rc = t->f->end(t->state, sink);
	if (rc < 0)
		return t->db_rc ? t->db_rc : rc;
	note_skipped(t);
	rc = store_snapshot_finish(t->src->store, t->snap_id, t->rows);
	if (rc < 0)
		return rc;
	return dedup_snapshot(t);
}

static int open_snapshot(struct text *t, usec_t when, const char *from, uint64_t line)
{
	const struct import_opts *o = t->src->opts;
	struct store_snapshot s = {
		.source_id = t->src->source_id, .host = o->host ? o->host : "unknown",
		.time = when, .time_from = from, .seq = -1, .interval_us = -1, .offset = -1,
		.line = (int64_t)line,
	};
	int rc = store_savepoint(t->src->store);

	if (rc < 0)
		return rc;
	rc = store_snapshot_add(t->src->store, &s, &t->snap_id);
	if (rc != 0)
		return rc < 0 ? rc : -EIO;   /* foreign snapshots have no seq: never 1 */
	t->when = when;
	t->line = line;
	t->weak = !strcmp(from, "mtime") || !strcmp(from, "now");
	t->f->begin(t->state, t->src->name);
	t->open = true;
	t->rows = 0;
	t->snap_named = t->snap_peers = 0;
	return 0;
}

/* The time of dumps without their own date line, in the order of the
 * issue: --at, a timestamp in the file name, the file's mtime (warned). */
static void fallback_time(struct text *t)
{
	struct import_source *src = t->src;
	struct timespec now;

	if (src->opts->have_at) {
		t->fallback = src->opts->at;
		t->fallback_from = "at";
	} else if (dateline_from_filename(src->name, &t->fallback) == 0) {
		t->fallback_from = "filename";
	} else if (input_has_mtime(src->in)) {
		t->fallback = input_mtime(src->in);
		t->fallback_from = "mtime";
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		t->fallback = (usec_t)now.tv_sec * USEC_PER_SEC + now.tv_nsec / 1000;
		t->fallback_from = "now";
	}
}

static void warn_fallback(struct text *t)
{
	char when[UTCTIME_STRLEN];

	utctime_format(t->fallback, 0, when, sizeof when);
	if (!strcmp(t->fallback_from, "mtime"))
		import_warn(t->src, "no date line, --at or time in the file name: using the file's "
				    "modification time %s",
			    when);
	else if (!strcmp(t->fallback_from, "now"))
		import_warn(t->src, "no date line or --at: using the time of the import, %s", when);
}

int import_text(struct import_source *src, struct lines *l, const struct textfmt *f)
{
	struct text t = {.src = src, .f = f};
	struct row_sink sink = {on_row, on_bad, &t};
	bool warned = false;
	const char *line;
	size_t len;
	int rc;

	/* parser state: fixed size, aligned for any member type */
	t.state = aligned_alloc(alignof(max_align_t),
				(f->state_size + alignof(max_align_t) - 1) / alignof(max_align_t) *
					alignof(max_align_t));
	if (!t.state)
		return -EIO;
	fallback_time(&t);
	for (;;) {
		usec_t when;

		rc = lines_next(l, &line, &len);
		if (rc == 0)
			break;
		t.lineno = lines_lineno(l);
		if (rc == -E2BIG) {
			import_bad(src, t.lineno, "a line shorter than 64 KiB");
			continue;
		}
		if (rc < 0) {
			import_bad(src, 0, input_error(src->in)[0] ? input_error(src->in)
								    : "read error");
			break;   /* what came before stays imported */
		}
		if (len <= DATELINE_MAX) {
			int d = dateline_parse(line, len, &when);

			if (d == -ERANGE)
				import_bad(src, t.lineno,
					   "a date line in UTC or with a numeric zone (date -u, date -R): "
					   "this zone is unknown, its time was taken as UTC");
			if (d == 0 || d == -ERANGE) {
				if ((rc = close_snapshot(&t, &sink)) < 0)
					goto out;
				if ((rc = open_snapshot(&t, when, d ? "dateline-nozone" : "dateline",
							t.lineno + 1)) < 0)
					goto out;
				continue;
			}
		}
		if (!t.open) {
			if (blank(line, len))
				continue;   /* blank lines before a cron log's first date */
			if (!warned) {
				warn_fallback(&t);
				warned = true;
			}
			if ((rc = open_snapshot(&t, t.fallback, t.fallback_from, t.lineno)) < 0)
				goto out;
		}
		rc = f->line(t.state, line, len, t.lineno, &sink);
		if (rc < 0) {
			rc = t.db_rc ? t.db_rc : rc;
			goto out;
		}
	}
	rc = close_snapshot(&t, &sink);
	if (rc == 0 && t.named > 0) {
		rc = store_source_names(src->store, src->source_id, t.named);
		import_warn(src,
			    "%llu rows name hosts or services instead of numbers (saved without -n): "
			    "ports were looked up in sockscope's service table, host names kept as "
			    "text (lhost, rhost) and never resolved; save with netstat -n or ss -n "
			    "to get addresses",
			    (unsigned long long)t.named);
	}
out:
	free(t.state);
	return rc;
}
