/* segdump — printing and verifying segments through the verifying reader:
 * content is printed only once its snapshot's checksum matched. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "segdump.h"
#include "segread.h"
#include "termsafe.h"

struct dctx {
	const struct segdump_opts *o;
	const char *path;        /* made visible (termsafe), for messages */
	FILE *out, *msg;
	struct buf cur;          /* the open snapshot's output, provisional */
	struct buf kept;         /* --at: the newest snapshot so far */
	struct buf shown;        /* output made visible */
	bool want;               /* the open snapshot is selected */
	bool in_section;         /* the current section is selected */
	int status;
	/* verify: format 2 structure of the good snapshots */
	uint64_t keys, deltas, v1;
	bool after_bad;          /* a bad snapshot was seen: say where reading resumed */
};

static void on_problem(struct dctx *c, const struct snap_event *ev)
{
	if (ev->type == SNAP_EV_BAD)
		fprintf(c->msg, "%s: snapshot at offset %" PRIu64 " (seq %" PRIu64 "): %s\n",
			c->path, ev->offset, ev->hdr ? ev->hdr->seq : 0, ev->error);
	else
		fprintf(c->msg, "%s: %zu bytes of junk at offset %" PRIu64 "\n", c->path, ev->len,
			ev->offset);
	c->status = 1;
}

/* A snapshot's output: a segment's sections hold any bytes (a program
 * name in the sockets table, a crafted netstat section), made visible
 * unless --raw. */
static void emit(struct dctx *c, const struct buf *b)
{
	if (!b->len)
		return;   /* an empty section's buffer may have no storage yet */
	if (c->o->raw || termsafe_clean(b->data, b->len, TS_KEEP_LF | TS_KEEP_TAB)) {
		fwrite(b->data, 1, b->len, c->out);
		return;
	}
	buf_reset(&c->shown);
	if (termsafe_append(&c->shown, b->data, b->len, TS_KEEP_LF | TS_KEEP_TAB) < 0) {
		fprintf(c->msg, "%s: out of memory\n", c->path);
		c->status = 1;
		return;
	}
	fwrite(c->shown.data, 1, c->shown.len, c->out);
}

static int on_dump(void *vctx, const struct snap_event *ev)
{
	struct dctx *c = vctx;
	const struct segdump_opts *o = c->o;
	const struct snap_header *h = ev->hdr;
	char t[UTCTIME_STRLEN];

	switch (ev->type) {
	case SNAP_EV_BEGIN:
		buf_reset(&c->cur);
		c->want = (!o->seq || h->seq == o->seq) && (!o->have_at || h->time <= o->at);
		c->in_section = false;
		if (c->want && (!o->section || o->list)) {
			utctime_format(h->time, 6, t, sizeof t);
			if (o->list)
				buf_printf(&c->cur, "%" PRIu64 "\t%s\t%s\t%s\t", h->seq, t, h->host,
					   h->reason[0] ? h->reason : "-");
			else
				buf_printf(&c->cur, "# snapshot seq %" PRIu64 ", %s, host %s, reason %s\n",
					   h->seq, t, h->host, h->reason[0] ? h->reason : "-");
		}
		break;
	case SNAP_EV_SECTION:
		/* --list ignores --section: it lists the snapshots */
		c->in_section = c->want && !o->list && (!o->section || !strcmp(ev->section, o->section));
		if (c->want && o->list)
			buf_printf(&c->cur, "[%s]", ev->section);
		else if (c->in_section && !o->section)
			buf_printf(&c->cur, "## %s\n", ev->section);
		break;
	case SNAP_EV_DATA:
		if (c->in_section && buf_append(&c->cur, ev->data, ev->len) < 0)
			return -ENOMEM;
		break;
	case SNAP_EV_END:
		if (!c->want)
			break;
		if (o->list)
			buf_putc(&c->cur, '\n');
		if (o->have_at) {
			/* keep only the newest at or before --at */
			struct buf tmp = c->kept;

			c->kept = c->cur;
			c->cur = tmp;
			buf_reset(&c->cur);
		} else {
			emit(c, &c->cur);
		}
		break;
	case SNAP_EV_BAD:
	case SNAP_EV_JUNK:
		on_problem(c, ev);
		break;
	default:
		break;
	}
	return 0;
}

/* A stream that lost data (segread.h's verdict, the one import applies
 * too) is a problem even when every snapshot it still held was intact. */
static void on_end(struct dctx *c, const struct segread_stats *st)
{
	if (!segread_end_damaged(st->end))
		return;
	fprintf(c->msg, "%s: %s%s%s%s\n", c->path, segread_end_text(st->end),
		st->zstd_error[0] ? " (zstd: " : "", st->zstd_error, st->zstd_error[0] ? ")" : "");
	c->status = 1;
}

int segdump(const char *path, const struct segdump_opts *o, FILE *out, FILE *msg)
{
	struct dctx c = {.o = o, .out = out, .msg = msg};
	struct segread_stats st;
	char *shown = termsafe_dup(path);
	int rc;

	if (!shown) {
		fprintf(msg, "sockscope dump: out of memory\n");
		return -ENOMEM;
	}
	c.path = shown;
	buf_init(&c.cur);
	buf_init(&c.kept);
	buf_init(&c.shown);
	rc = segread_path(path, on_dump, &c, &st);
	if (rc < 0) {
		fprintf(msg, "%s: %s\n", shown, strerror(-rc));
	} else {
		if (o->have_at)
			emit(&c, &c.kept);
		on_end(&c, &st);
		rc = c.status;
	}
	buf_fini(&c.cur);
	buf_fini(&c.kept);
	buf_fini(&c.shown);
	free(shown);
	return rc;
}

static int on_verify(void *vctx, const struct snap_event *ev)
{
	struct dctx *c = vctx;

	if (ev->type == SNAP_EV_BAD || ev->type == SNAP_EV_JUNK) {
		on_problem(c, ev);
		c->after_bad = c->after_bad || ev->type == SNAP_EV_BAD;
	}
	if (ev->type == SNAP_EV_END) {
		c->keys += ev->hdr->frame == SNAP_FRAME_KEY;
		c->deltas += ev->hdr->frame == SNAP_FRAME_DELTA;
		c->v1 += ev->hdr->frame == 0;
		if (c->after_bad)
			fprintf(c->msg, "%s: reading resumes at seq %" PRIu64 " (%s)\n", c->path,
				ev->hdr->seq, ev->hdr->frame == SNAP_FRAME_KEY ? "a keyframe"
					      : ev->hdr->frame ? "a delta" : "format 1");
		c->after_bad = false;
	}
	return 0;
}

int segdump_verify(const char *path, FILE *out, FILE *msg)
{
	struct dctx c = {.out = out, .msg = msg};
	struct segread_stats st;
	char *shown = termsafe_dup(path);
	int rc;

	if (!shown) {
		fprintf(msg, "sockscope verify: out of memory\n");
		return -ENOMEM;
	}
	c.path = shown;
	rc = segread_path(path, on_verify, &c, &st);
	if (rc < 0) {
		fprintf(msg, "%s: %s\n", shown, strerror(-rc));
		goto out;
	}
	fprintf(out, "%s: good=%" PRIu64 " bad=%" PRIu64 " junk=%" PRIu64 " frame=%s%s%s\n", shown,
		st.good, st.bad, st.junk,
		!st.compressed ? "plain" : st.frame_complete ? "complete" : "open",
		st.zstd_error[0] ? " zstd-error=" : "", st.zstd_error);
	on_end(&c, &st);
	if (c.keys || c.deltas)
		fprintf(out, "%s: format 2: %" PRIu64 " keyframes, %" PRIu64 " deltas%s\n", shown,
			c.keys, c.deltas, c.v1 ? " (and format 1 snapshots)" : "");
	if (st.good == 0 && st.bad == 0) {
		fprintf(msg, "%s: no snapshot found (not a sockscope segment?)\n", shown);
		c.status = 1;
	}
	rc = c.status;
out:
	free(shown);
	return rc;
}
