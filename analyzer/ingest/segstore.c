/* segstore — replays the operations of segment import's parsing thread
 * into the store: a savepoint per snapshot, rows (new, or the previous
 * snapshot's again), counters, processes, raw sections; torn ones rolled
 * back. Runs on the calling thread, which owns the database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "segstore.h"

void segstore_init(struct segstore *s, struct import_source *src)
{
	memset(s, 0, sizeof *s);
	s->src = src;
	s->prev_id = -1;
	rowreuse_rows_init(&s->reuse);
}

void segstore_fini(struct segstore *s)
{
	rowreuse_rows_fini(&s->reuse);
}



/* One row of the open snapshot, already kept for OP_SAME: stored. */
static int store_kept(struct segstore *s, struct store_row *r, int64_t j)
{
	struct import_source *src = s->src;
	int rc;

	if (!s->open || s->dup)
		return 0;
	rc = j < 0 ? store_row_insert(src->store, s->snap_id, r)
		   : store_row_repeat(src->store, s->snap_id, r, s->prev_id, (uint32_t)j);
	if (rc < 0)
		return rc;
	s->rows++;
	src->sockets++;
	if ((src->sockets & 4095) == 0)
		import_progress(src);
	return 0;
}

/* One row of the open snapshot: kept for OP_SAME (also when the snapshot
 * itself is not stored: the parser's rule does not know), then stored. */
static int store_one(struct segstore *s, struct store_row *r, int64_t j)
{
	int rc = rowreuse_rows_add(&s->reuse, r);

	return rc < 0 ? rc : store_kept(s, r, j);
}

static int apply(struct segstore *s, const struct op_hdr *h, const char *pl)
{
	struct import_source *src = s->src;
	struct store *st = src->store;
	int rc;

	switch (h->type) {
	case OP_BEGIN: {
		const struct op_begin *b = (const void *)pl;
		const struct snap_header *hd = &b->h;
		struct store_snapshot snap = {
			.source_id = src->source_id, .host = hd->host, .time = hd->time,
			.time_from = "header", .seq = (int64_t)hd->seq,
			.boot_id = hd->boot_id[0] ? hd->boot_id : NULL,
			.kernel = hd->kernel[0] ? hd->kernel : NULL,
			.reason = hd->reason[0] ? hd->reason : NULL,
			.interval_us = hd->interval, .offset = (int64_t)b->offset, .line = -1,
		};

		s->rows = 0;
		rowreuse_rows_drop(&s->reuse);
		if ((rc = store_savepoint(st)) < 0)
			return rc;
		s->open = true;
		rc = store_snapshot_add(st, &snap, &s->snap_id);
		if (rc < 0)
			return rc;
		s->dup = rc == 1;
		return 0;
	}
	case OP_ROW: {
		struct store_row r;

		memcpy(&r, pl, sizeof r);
		r.program = h->len > sizeof r ? pl + sizeof r : NULL;
		return store_one(s, &r, -1);
	}
	case OP_SAME: {
		struct op_same o;
		struct store_row r;

		memcpy(&o, pl, sizeof o);
		/* both sides keep the same rows: a miss is a bug, not data */
		if (rowreuse_rows_get(&s->reuse, o.j, o.expires_ms, &r) < 0)
			return -EPROTO;
		return store_one(s, &r, o.j);
	}
	case OP_RUN: {
		struct op_run o;
		struct store_row r = {0};
		size_t first;
		bool light;

		memcpy(&o, pl, sizeof o);
		if (h->len != sizeof o + (size_t)o.n * sizeof(uint64_t))
			return -EPROTO;
		/* the run's rows kept at once, then stored one by one */
		first = rowreuse_rows_count(&s->reuse);
		rc = rowreuse_rows_repeat(&s->reuse, o.j, o.n, pl + sizeof o);
		if (rc < 0)
			return rc == -EINVAL ? -EPROTO : rc;
		/* most of a delta's rows: taken by their place, so only what
		 * varies is copied out of the held row */
		light = s->open && !s->dup &&
			store_repeat_light(st, s->snap_id, s->prev_id, o.j, o.n);
		for (uint32_t k = 0; k < o.n; k++) {
			if (light)
				rowreuse_rows_cur_light(&s->reuse, first + k, &r);
			else
				rowreuse_rows_cur(&s->reuse, first + k, &r);
			if ((rc = store_kept(s, &r, o.j + k)) < 0)
				return rc;
		}
		return 0;
	}
	case OP_COUNTER: {
		const struct op_counter *c = (const void *)pl;

		if (!s->open || s->dup)
			return 0;
		return store_counter(st, s->snap_id, pl + sizeof *c, c->nlen, c->value);
	}
	case OP_PROCESS: {
		const struct op_process *o = (const void *)pl;
		const char *prog = o->plen == UINT32_MAX ? NULL : pl + sizeof *o;
		const char *comm = o->clen == UINT32_MAX
					   ? NULL
					   : pl + sizeof *o + (prog ? o->plen + 1 : 0);

		if (!s->open || s->dup)
			return 0;
		return store_process(st, s->snap_id, o->pid, prog, comm, o->sockets);
	}
	case OP_RAW:
		if (!s->raw_section) {
			const struct op_raw *r = (const void *)pl;

			s->raw_section = pl + sizeof *r;
			s->raw_len = r->len;
			if (r->len)
				return 0;   /* the text follows */
			pl = "";
		}
		rc = 0;
		if (s->open && !s->dup)
			rc = store_raw(st, s->snap_id, s->raw_section, pl, (size_t)s->raw_len);
		s->raw_section = NULL;
		return rc;
	case OP_END:
		rowreuse_rows_commit(&s->reuse);
		s->prev_id = s->open && !s->dup ? s->snap_id : -1;
		if (!s->open)
			return 0;
		if (s->dup) {
			src->dup_snapshots++;
		} else {
			if ((rc = store_snapshot_finish(st, s->snap_id, s->rows)) < 0)
				return rc;
			src->snapshots++;
		}
		s->open = false;
		return store_release(st);
	case OP_TORN:
		rowreuse_rows_drop(&s->reuse);
		if (s->open) {
			src->sockets -= s->rows;
			s->open = false;
			if ((rc = store_rollback_savepoint(st)) < 0)
				return rc;
		}
		import_bad(src, 0, pl);
		return 0;
	case OP_BAD:
		import_bad(src, 0, pl);
		return 0;
	default:
		return -EINVAL;
	}
}

int segstore_apply_batch(struct segstore *s, const struct buf *b)
{
	size_t pos = 0;

	while (pos + sizeof(struct op_hdr) <= b->len) {
		struct op_hdr h;
		int rc;

		memcpy(&h, b->data + pos, sizeof h);
		pos += sizeof h;
		rc = apply(s, &h, b->data + pos);
		if (rc < 0)
			return rc;
		pos += h.len + (8 - h.len % 8) % 8;
	}
	/* a raw section's name may end a batch, its text start the next: the
	 * batch is reused once handed back, so the name is kept here */
	if (s->raw_section && s->raw_section != s->raw_name) {
		snprintf(s->raw_name, sizeof s->raw_name, "%s", s->raw_section);
		s->raw_section = s->raw_name;
	}
	return 0;
}
