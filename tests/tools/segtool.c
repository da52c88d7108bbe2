/* segtool — test helper to verify segments and print their sections (the
 * analyzer's `sockscope verify/dump` will supersede it).
 *   segtool verify FILE...          integrity report; exit 1 on any bad snapshot
 *   segtool list FILE               one line per good snapshot
 *   segtool cat FILE SECTION [SEQ]  section content of good snapshots (or SEQ) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "segread.h"
#include "utctime.h"

struct ctx {
	const char *file;
	const char *section;   /* cat: wanted section */
	uint64_t seq;          /* cat: wanted seq, 0 = all */
	int mode;              /* 0 verify, 1 list, 2 cat */
	struct buf pending;    /* provisional output of the open snapshot */
	struct buf names;
};

static int on_event(void *vctx, const struct snap_event *ev)
{
	struct ctx *c = vctx;
	char t[UTCTIME_STRLEN];

	switch (ev->type) {
	case SNAP_EV_BEGIN:
		buf_reset(&c->pending);
		buf_reset(&c->names);
		break;
	case SNAP_EV_SECTION:
		buf_printf(&c->names, " [%s]", ev->section);
		break;
	case SNAP_EV_DATA:
		if (c->mode == 2 && !strcmp(ev->section, c->section) &&
		    (!c->seq || c->seq == ev->hdr->seq))
			buf_append(&c->pending, ev->data, ev->len);
		break;
	case SNAP_EV_END:
		if (c->mode == 1) {
			utctime_format(ev->hdr->time, 6, t, sizeof(t));
			printf("%" PRIu64 "\t%s\t%s\t%s\t%s\n", ev->hdr->seq, t, ev->hdr->host,
			       ev->hdr->reason[0] ? ev->hdr->reason : "-",
			       c->names.len ? c->names.data + 1 : "");
		} else if (c->mode == 2 && c->pending.len) {
			fwrite(c->pending.data, 1, c->pending.len, stdout);
		}
		break;
	case SNAP_EV_BAD:
		fprintf(stderr, "%s: snapshot at offset %" PRIu64 " (seq %" PRIu64 "): %s\n", c->file,
			ev->offset, ev->hdr ? ev->hdr->seq : 0, ev->error);
		break;
	case SNAP_EV_JUNK:
		fprintf(stderr, "%s: %zu bytes of junk at offset %" PRIu64 "\n", c->file, ev->len,
			ev->offset);
		break;
	default:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = {0};
	struct segread_stats st;
	int status = 0, first = 2, last;

	if (argc < 3) {
		fprintf(stderr, "usage: segtool verify FILE... | list FILE | cat FILE SECTION [SEQ]\n");
		return 2;
	}
	last = argc - 1;
	if (!strcmp(argv[1], "list")) {
		c.mode = 1;
		last = 2;
	} else if (!strcmp(argv[1], "cat")) {
		if (argc < 4)
			return 2;
		c.mode = 2;
		c.section = argv[3];
		c.seq = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
		last = 2;
	} else if (strcmp(argv[1], "verify")) {
		fprintf(stderr, "segtool: unknown command %s\n", argv[1]);
		return 2;
	}
	for (int i = first; i <= last; i++) {
		int rc;
		c.file = argv[i];
		rc = segread_path(argv[i], on_event, &c, &st);
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(-rc));
			status = 1;
			continue;
		}
		if (c.mode == 0)
			printf("%s: good=%" PRIu64 " bad=%" PRIu64 " junk=%" PRIu64 " frame=%s%s%s\n",
			       argv[i], st.good, st.bad, st.junk,
			       !st.compressed ? "plain" : st.frame_complete ? "complete" : "open",
			       st.zstd_error[0] ? " zstd-error=" : "", st.zstd_error);
		if (st.bad || st.junk)
			status = 1;
	}
	buf_fini(&c.pending);
	buf_fini(&c.names);
	return status;
}
