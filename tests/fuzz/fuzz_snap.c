/* Fuzz target for the snapshot reader (common/snap_reader.c): arbitrary bytes fed
 * in arbitrary pieces must never crash, events must follow the grammar, and
 * the same bytes written as section content must read back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "snap.h"

static int to_buf(void *ctx, const void *p, size_t n)
{
	return buf_append(ctx, p, n);
}

/* Reads `len` bytes in pieces chosen by `seed`; returns content of section
 * "s" of the last good snapshot in `got` (if any) and the good count. */
static int read_all(const uint8_t *p, size_t len, unsigned seed, struct buf *got)
{
	struct snap_reader *r = snap_reader_new();
	struct buf cur = BUF_INIT;
	struct snap_event ev;
	int good = 0, open = 0;
	size_t off = 0;

	if (!r)
		abort();
	for (;;) {
		enum snap_ev e;
		if (off < len) {
			size_t k = 1 + (seed = seed * 1103515245u + 12345u) % 97;
			if (k > len - off)
				k = len - off;
			snap_reader_feed(r, p + off, k);
			off += k;
		}
		while ((e = snap_reader_next(r, &ev)) != SNAP_EV_NONE) {
			if (e == SNAP_EV_BEGIN) {
				if (open)
					abort();   /* BEGIN inside a snapshot */
				open = 1;
				buf_reset(&cur);
			} else if (e == SNAP_EV_SECTION || e == SNAP_EV_DATA) {
				if (!open || !ev.section)
					abort();
				if (e == SNAP_EV_DATA && (ev.len == 0 || !ev.data))
					abort();
				if (e == SNAP_EV_DATA && !strcmp(ev.section, "s"))
					buf_append(&cur, ev.data, ev.len);
			} else if (e == SNAP_EV_END) {
				if (!open)
					abort();
				open = 0;
				good++;
				buf_reset(got);
				buf_append(got, cur.data ? cur.data : "", cur.len);
			} else if (e == SNAP_EV_BAD) {
				if (!ev.error)
					abort();
				open = 0;
			}
		}
		if (off == len)
			break;
	}
	while (snap_reader_eof(r, &ev) != SNAP_EV_NONE)
		if (ev.type == SNAP_EV_BAD)
			open = 0;
	if (open)
		abort();   /* eof must close every snapshot */
	snap_reader_free(r);
	buf_fini(&cur);
	return good;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf got = BUF_INIT, out = BUF_INIT;
	struct snap_writer *w;
	struct snap_header h;

	read_all(data, size, (unsigned)size, &got);

	/* Round trip: the input as a section's content. */
	memset(&h, 0, sizeof(h));
	memcpy(h.host, "fuzz", 5);
	h.seq = 1;
	w = snap_writer_new(to_buf, &out);
	if (!w || snap_writer_begin(w, &h) || snap_writer_section(w, "s") ||
	    snap_writer_write(w, data, size) || snap_writer_end(w))
		abort();
	snap_writer_free(w);
	buf_reset(&got);
	if (read_all((const uint8_t *)out.data, out.len, 7, &got) != 1)
		abort();
	if (got.len != size || (size && memcmp(got.data, data, size)))
		abort();
	buf_fini(&got);
	buf_fini(&out);
	return 0;
}
