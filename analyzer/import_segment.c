/* import_segment — sockscope segments into the database: every verified
 * snapshot with its sockets, counters, processes (and with --keep-raw its
 * verbatim sections); torn or corrupt snapshots rolled back and reported. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "import.h"
#include "num.h"
#include "snap.h"

enum sect { S_SKIP, S_SOCKETS, S_COUNTERS, S_PROCESSES, S_RAW };

/* The processes section has a row per socket inode; the table wants a row
 * per process. An open-addressing map pid → (program, comm, inodes). */
struct proc_ent {
	int32_t pid;             /* 0: empty slot */
	uint32_t sockets;
	char *program, *comm;    /* owned, NULL when unknown */
};

struct procs {
	struct proc_ent *e;
	size_t cap, n;           /* cap: a power of two, or 0 */
};

/* More distinct pids than this in one snapshot is not a real machine. */
#define PROCS_MAX (1u << 22)

static void procs_clear(struct procs *p)
{
	for (size_t i = 0; i < p->cap; i++) {
		free(p->e[i].program);
		free(p->e[i].comm);
	}
	free(p->e);
	memset(p, 0, sizeof *p);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct proc_ent *procs_slot(struct proc_ent *e, size_t cap, int32_t pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (cap - 1);

	while (e[i].pid && e[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &e[i];
}

/* 0, -ENOMEM, or -E2BIG past PROCS_MAX. */
static int procs_add(struct procs *p, int32_t pid, const char *program, const char *comm)
{
	struct proc_ent *x;

	if (p->n * 2 >= p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct proc_ent *e;

		if (p->n >= PROCS_MAX)
			return -E2BIG;
		e = calloc(cap, sizeof *e);
		if (!e)
			return -ENOMEM;
		for (size_t i = 0; i < p->cap; i++)
			if (p->e[i].pid)
				*procs_slot(e, cap, p->e[i].pid) = p->e[i];
		free(p->e);
		p->e = e;
		p->cap = cap;
	}
	x = procs_slot(p->e, p->cap, pid);
	if (!x->pid) {
		x->pid = pid;
		x->program = dup_or_null(program);
		x->comm = dup_or_null(comm);
		if ((program && !x->program) || (comm && !x->comm))
			return -ENOMEM;
		p->n++;
	}
	x->sockets++;
	return 0;
}

struct seg {
	struct import_source *src;
	bool open;               /* a snapshot is being stored (savepoint held) */
	bool dup;                /* ... or skipped: already in the database */
	int64_t snap_id;
	uint64_t seq;
	uint64_t rows;           /* sockets of the open snapshot */
	enum sect sect;
	char section[80];
	uint64_t sect_line;      /* line number inside the section */
	struct buf partial;      /* a line cut by a DATA block boundary */
	struct buf raw;          /* --keep-raw: the section's text */
	struct buf scratch, scratch2;
	struct procs procs;      /* the processes section, folded per pid */
};

/* "snapshot 12 (offset 3456), section sockets, line 7: what" */
static void bad(struct seg *g, const char *what)
{
	char msg[400];

	snprintf(msg, sizeof msg, "snapshot seq %" PRIu64 ", section %s, line %" PRIu64 ": %s",
		 g->seq, g->section, g->sect_line, what);
	import_bad(g->src, 0, msg);
}

static int tsv_fields(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (n == max)
				return -1;
			f[n] = line + start;
			fl[n++] = i - start;
			start = i + 1;
		}
	}
	return (int)n;
}

static int one_line(struct seg *g, const char *line, size_t len)
{
	struct store *st = g->src->store;
	const char *what = NULL, *f[5];
	size_t fl[5];
	struct sock_row r;
	uint64_t v;
	int rc;

	g->sect_line++;
	switch (g->sect) {
	case S_SOCKETS:
		rc = sockrow_from_tsv(line, len, &r, &g->scratch, &what);
		if (rc == 1)
			return 0;
		if (rc < 0) {
			bad(g, what);
			return 0;
		}
		rc = store_socket(st, g->snap_id, &r);
		if (rc == -EINVAL) {
			bad(g, "a row whose addresses match its family");
			return 0;
		}
		if (rc < 0)
			return rc;
		g->rows++;
		g->src->sockets++;
		if ((g->src->sockets & 4095) == 0)
			import_progress(g->src);
		return 0;
	case S_COUNTERS: {
		int64_t val;

		if (g->sect_line == 1 && len == 10 && !memcmp(line, "name\tvalue", 10))
			return 0;
		if (tsv_fields(line, len, f, fl, 5) != 2 || fl[0] == 0) {
			bad(g, "expected \"name<TAB>value\"");
			return 0;
		}
		if (fl[1] > 0 && f[1][0] == '-') {
			if (num_parse_dec(f[1] + 1, fl[1] - 1, (uint64_t)INT64_MAX + 1, &v) < 0)
				goto badnum;
			val = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		} else {
			if (num_parse_dec(f[1], fl[1], INT64_MAX, &v) < 0)
				goto badnum;
			val = (int64_t)v;
		}
		return store_counter(st, g->snap_id, f[0], fl[0], val);
badnum:
		bad(g, "expected a signed 64-bit decimal counter value");
		return 0;
	}
	case S_PROCESSES: {
		uint64_t inode, pid;
		const char *prog, *comm;

		if (g->sect_line == 1 && len == 22 && !memcmp(line, "inode\tpid\tprogram\tcomm", 22))
			return 0;
		if (tsv_fields(line, len, f, fl, 5) != 4 ||
		    num_parse_dec(f[0], fl[0], UINT64_MAX, &inode) < 0 ||
		    num_parse_dec(f[1], fl[1], INT32_MAX, &pid) < 0 || pid == 0 ||
		    sockrow_get_escaped(f[2], fl[2], &g->scratch, &prog) < 0 ||
		    sockrow_get_escaped(f[3], fl[3], &g->scratch2, &comm) < 0) {
			bad(g, "expected \"inode<TAB>pid<TAB>program<TAB>comm\"");
			return 0;
		}
		(void)inode;   /* the sockets table has each socket's inode */
		/* each unescape has its own scratch, so both stay valid here */
		rc = procs_add(&g->procs, (int32_t)pid, prog, comm);
		if (rc == -E2BIG) {
			bad(g, "fewer processes (too many distinct pids in one snapshot)");
			return 0;
		}
		return rc;
	}
	default:
		return 0;
	}
}

/* Splits a DATA block into lines, carrying a cut line to the next block. */
static int data(struct seg *g, const char *p, size_t n)
{
	int rc;

	if (g->sect == S_RAW)
		return buf_append(&g->raw, p, n);
	if (g->sect == S_SKIP)
		return 0;
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len;

		if (!nl) {
			if (g->partial.len + n > (16u << 20)) {
				bad(g, "a line shorter than 16 MiB");
				buf_reset(&g->partial);
				return 0;
			}
			return buf_append(&g->partial, p, n);
		}
		len = (size_t)(nl - p);
		if (g->partial.len) {
			if ((rc = buf_append(&g->partial, p, len)) < 0)
				return rc;
			rc = one_line(g, g->partial.data, g->partial.len);
			buf_reset(&g->partial);
		} else {
			rc = one_line(g, p, len);
		}
		if (rc < 0)
			return rc;
		p = nl + 1;
		n -= len + 1;
	}
	return 0;
}

/* Ends the current section: a last line without '\n', raw text. */
static int section_end(struct seg *g)
{
	int rc = 0;

	if (g->partial.len) {
		rc = one_line(g, g->partial.data, g->partial.len);
		buf_reset(&g->partial);
	}
	if (rc == 0 && g->sect == S_RAW)
		rc = store_raw(g->src->store, g->snap_id, g->section, g->raw.data ? g->raw.data : "",
			       g->raw.len);
	for (size_t i = 0; rc == 0 && i < g->procs.cap; i++) {
		const struct proc_ent *e = &g->procs.e[i];

		if (e->pid)
			rc = store_process(g->src->store, g->snap_id, e->pid, e->program, e->comm,
					   e->sockets);
	}
	procs_clear(&g->procs);
	buf_reset(&g->raw);
	g->sect = S_SKIP;
	return rc;
}

static enum sect kind_of(const char *name, bool keep_raw)
{
	if (!strcmp(name, "sockets"))
		return S_SOCKETS;
	if (!strcmp(name, "counters"))
		return S_COUNTERS;
	if (!strcmp(name, "processes"))
		return S_PROCESSES;
	return keep_raw ? S_RAW : S_SKIP;
}

static int event(struct seg *g, const struct snap_event *ev)
{
	struct import_source *src = g->src;
	const struct snap_header *h = ev->hdr;
	char msg[300];
	int rc;

	switch (ev->type) {
	case SNAP_EV_BEGIN: {
		struct store_snapshot s = {
			.source_id = src->source_id, .host = h->host, .time = h->time,
			.time_from = "header", .seq = (int64_t)h->seq,
			.boot_id = h->boot_id[0] ? h->boot_id : NULL,
			.kernel = h->kernel[0] ? h->kernel : NULL,
			.reason = h->reason[0] ? h->reason : NULL,
			.interval_us = h->interval, .offset = (int64_t)ev->offset, .line = -1,
		};

		g->seq = h->seq;
		g->rows = 0;
		g->sect = S_SKIP;
		if ((rc = store_savepoint(src->store)) < 0)
			return rc;
		g->open = true;
		rc = store_snapshot_add(src->store, &s, &g->snap_id);
		if (rc < 0)
			return rc;
		g->dup = rc == 1;
		return 0;
	}
	case SNAP_EV_SECTION:
		if ((rc = section_end(g)) < 0)
			return rc;
		snprintf(g->section, sizeof g->section, "%s", ev->section);
		g->sect = g->dup ? S_SKIP : kind_of(ev->section, src->opts->keep_raw);
		g->sect_line = 0;
		return 0;
	case SNAP_EV_DATA:
		return data(g, ev->data, ev->len);
	case SNAP_EV_END:
		if ((rc = section_end(g)) < 0)
			return rc;
		if (g->dup) {
			src->dup_snapshots++;
		} else {
			if ((rc = store_snapshot_finish(src->store, g->snap_id, g->rows)) < 0)
				return rc;
			src->snapshots++;
		}
		g->open = false;
		return store_release(src->store);
	case SNAP_EV_BAD:
		procs_clear(&g->procs);
		buf_reset(&g->partial);
		buf_reset(&g->raw);
		g->sect = S_SKIP;
		if (g->open) {
			src->sockets -= g->rows;
			g->open = false;
			if ((rc = store_rollback_savepoint(src->store)) < 0)
				return rc;
		}
		if (h)
			snprintf(msg, sizeof msg, "snapshot at offset %" PRIu64 " (seq %" PRIu64
				 ") skipped: %s", ev->offset, h->seq, ev->error);
		else
			snprintf(msg, sizeof msg, "snapshot at offset %" PRIu64 " skipped: %s",
				 ev->offset, ev->error);
		import_bad(src, 0, msg);
		return 0;
	case SNAP_EV_JUNK:
		snprintf(msg, sizeof msg, "%zu bytes at offset %" PRIu64
			 " are not a snapshot (expected \"SOCKSCOPE 1\"), skipped", ev->len, ev->offset);
		import_bad(src, 0, msg);
		return 0;
	default:
		return 0;
	}
}

static int drain(struct seg *g, struct snap_reader *r, bool eof)
{
	struct snap_event ev;
	int rc;

	while (snap_reader_next(r, &ev) != SNAP_EV_NONE)
		if ((rc = event(g, &ev)) < 0)
			return rc;
	if (eof)
		while (snap_reader_eof(r, &ev) != SNAP_EV_NONE)
			if ((rc = event(g, &ev)) < 0)
				return rc;
	return 0;
}

int import_segment(struct import_source *src, struct lines *l)
{
	struct snap_reader *r = snap_reader_new();
	struct seg g = {.src = src};
	const char *text;
	size_t len;
	char *chunk = malloc(256 * 1024);
	int rc = -ENOMEM;

	buf_init(&g.partial);
	buf_init(&g.raw);
	buf_init(&g.scratch);
	buf_init(&g.scratch2);
	if (!r || !chunk)
		goto out;
	/* what format detection already decoded comes first */
	rc = lines_peek(l, 0, &text, &len);
	if (rc < 0)
		len = 0;
	snap_reader_feed(r, text, len);
	rc = drain(&g, r, false);
	while (rc == 0) {
		ssize_t n = input_read(src->in, chunk, 256 * 1024);

		if (n < 0) {
			import_bad(src, 0, input_error(src->in));
			n = 0;   /* what came before stays imported */
		}
		if (n == 0) {
			rc = drain(&g, r, true);
			break;
		}
		snap_reader_feed(r, chunk, (size_t)n);
		rc = drain(&g, r, false);
	}
	if (rc < 0 && rc != -EIO && rc != -EEXIST)
		rc = -EIO;   /* out of memory in a buffer: fail the source like the db */
out:
	free(chunk);
	procs_clear(&g.procs);
	snap_reader_free(r);
	buf_fini(&g.partial);
	buf_fini(&g.raw);
	buf_fini(&g.scratch);
	buf_fini(&g.scratch2);
	return rc;
}
