/* snap_writer — the snapshot writer (docs/FORMAT.md): format 1 blocks cut at
 * line ends, format 2 keyframes streamed and deltas encoded as sections come. */
#include "snap.h"
#include "snap_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crc32c.h"
#include "sha256.h"
#include "snapdelta.h"

struct snap_writer {
	snap_out_fn out;
	void *ctx;
	bool open;          /* between begin and end */
	bool in_section;
	uint64_t seq;
	uint32_t crc;       /* over everything before the END line */
	uint64_t bytes;
	size_t blen;        /* bytes pending in blk */
	/* format 2 */
	unsigned version;
	unsigned key_every;
	unsigned since_key;    /* snapshots since the last keyframe */
	bool key;              /* the open snapshot is a keyframe */
	bool have_prev;
	bool last;             /* the next snapshot is no base (snap_writer_last) */
	bool keep;             /* the open snapshot is the next one's base */
	uint64_t prev_seq;
	uint32_t prev_dcrc;
	/* Sections keep no text: a keyframe section is streamed out as it
	 * comes, a delta section is encoded line by line; both build the
	 * compact base of the next delta (common/snapenc.c). */
	struct sectlist prev, cur;
	struct snapdelta_enc *senc;
	bool sec_enc;          /* the open section goes through senc */
	struct sect *sec_prev; /* its base section (a delta), else NULL */
	struct buf enc;
	bool derive;
	uint32_t dcrc;         /* decoded checksum so far */
	struct snap_writer *twin;
	char blk[SNAP_BLOCK_MAX];
};

struct snap_writer *snap_writer_new(snap_out_fn out, void *ctx)
{
	struct snap_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	w->ctx = ctx;
	w->version = SNAP_VERSION;
	return w;
}

void snap_writer_free(struct snap_writer *w)
{
	if (!w)
		return;
	snap_sectlist_fini(&w->prev);
	snap_sectlist_fini(&w->cur);
	snapdelta_enc_free(w->senc);
	buf_fini(&w->enc);
	snap_writer_free(w->twin);
	free(w);
}

int snap_writer_set_delta(struct snap_writer *w, unsigned key_every)
{
	if (w->open || key_every == 0)
		return -EINVAL;
	/* The seed keys line digests against crafted collisions; any value
	 * gives the same bytes, so the writer's address (ASLR) does. */
	if (!w->senc && !(w->senc = snapdelta_enc_new((uint64_t)(uintptr_t)w)))
		return -ENOMEM;
	w->version = SNAP_VERSION_DELTA;
	w->key_every = key_every;
	w->have_prev = false;
	return 0;
}

void snap_writer_derive(struct snap_writer *w, bool on)
{
	w->derive = on;
}

void snap_writer_keyframe(struct snap_writer *w)
{
	w->have_prev = false;
}

void snap_writer_last(struct snap_writer *w)
{
	w->last = true;
}

int snap_writer_set_twin(struct snap_writer *w, snap_out_fn twin, void *ctx)
{
	if (w->open || w->twin)
		return -EINVAL;
	w->twin = snap_writer_new(twin, ctx);
	return w->twin ? 0 : -ENOMEM;
}

static int emit(struct snap_writer *w, const void *p, size_t n, bool sum)
{
	int rc = w->out(w->ctx, p, n);

	if (rc < 0)
		return rc;
	if (sum)
		w->crc = crc32c(w->crc, p, n);
	w->bytes += n;
	return 0;
}

/* Writes the first n bytes of blk as one DATA block and keeps the rest. */
static int emit_block(struct snap_writer *w, size_t n)
{
	char line[32];
	int len, rc;

	if (n == 0)
		return 0;
	len = snprintf(line, sizeof(line), "DATA %zu\n", n);
	rc = emit(w, line, (size_t)len, true);
	if (rc < 0)
		return rc;
	rc = emit(w, w->blk, n, true);
	if (rc < 0)
		return rc;
	memmove(w->blk, w->blk + n, w->blen - n);
	w->blen -= n;
	return 0;
}

static void put_field(struct buf *b, const char *key, const char *val)
{
	buf_puts(b, key);
	buf_puts(b, ": ");
	for (const char *p = val; *p; p++)
		buf_putc(b, (unsigned char)*p < ' ' || *p == 0x7f ? '?' : *p);
	buf_putc(b, '\n');
}

int snap_writer_begin(struct snap_writer *w, const struct snap_header *h)
{
	struct buf b = BUF_INIT;
	char t[UTCTIME_STRLEN];
	int rc;

	if (w->open)
		return -EINVAL;
	if (w->twin && (rc = snap_writer_begin(w->twin, h)) < 0)
		return rc;
	w->crc = 0;
	w->bytes = 0;
	w->blen = 0;
	w->in_section = false;
	w->seq = h->seq;
	w->cur.n = 0;
	w->dcrc = 0;
	w->key = !w->have_prev || w->since_key + 1 >= w->key_every;
	/* No base for a snapshot no delta follows: the last one, or any with
	 * keyframes only (thinning). */
	w->keep = !w->last && w->key_every > 1;
	w->last = false;
	for (size_t i = 0; i < w->cur.cap; i++) {   /* bases two snapshots old */
		snapdelta_base_free(w->cur.v[i].base);
		w->cur.v[i].base = NULL;
	}
	utctime_format(h->time, 6, t, sizeof(t));
	buf_printf(&b, MAGIC "%u\n", w->version);
	put_field(&b, "host", h->host);
	put_field(&b, "time", t);
	buf_printf(&b, "seq: %" PRIu64 "\n", h->seq);
	buf_printf(&b, "interval: %" PRId64 ".%06" PRId64 "\n", h->interval / USEC_PER_SEC,
		   h->interval % USEC_PER_SEC);
	put_field(&b, "reason", h->reason);
	put_field(&b, "kernel", h->kernel);
	put_field(&b, "boot-id", h->boot_id);
	put_field(&b, "recorder", h->recorder);
	if (h->thinned)
		buf_puts(&b, "thinned: keyframes only\n");
	if (w->version == SNAP_VERSION_DELTA && w->key)
		buf_puts(&b, "frame: key\n");
	else if (w->version == SNAP_VERSION_DELTA)
		buf_printf(&b, "frame: delta %" PRIu64 " %08" PRIx32 "\n", w->prev_seq, w->prev_dcrc);
	rc = buf_putc(&b, '\n');   /* the blank line ends the header */
	if (rc < 0)
		goto out;
	rc = emit(w, b.data, b.len, true);
	if (rc < 0)
		goto out;
	w->open = true;
out:
	buf_fini(&b);
	return rc;
}

/* Writes head + tail (one encoding in two pieces) as DATA blocks of
 * SNAP_BLOCK_MAX bytes, the last one shorter. */
static int emit_data(struct snap_writer *w, const char *head, size_t hn, const char *tail,
		     size_t tn)
{
	char line[32];
	size_t total = hn + tn;
	int len, rc = 0;

	for (size_t off = 0; rc == 0 && off < total; off += SNAP_BLOCK_MAX) {
		size_t k = total - off < SNAP_BLOCK_MAX ? total - off : SNAP_BLOCK_MAX;
		size_t kh = off < hn ? (hn - off < k ? hn - off : k) : 0;

		len = snprintf(line, sizeof(line), "DATA %zu\n", k);
		rc = emit(w, line, (size_t)len, true);
		if (rc == 0 && kh)
			rc = emit(w, head + off, kh, true);
		if (rc == 0 && k > kh)
			rc = emit(w, tail + (off + kh - hn), k - kh, true);
	}
	return rc;
}

/* Format 2: ends the open section. A derived one is its SHA-256; a delta is
 * written now, encoded as its lines came; a keyframe section was streamed
 * but for its last block. */
static int finish_section(struct snap_writer *w)
{
	struct sect *cur, *prev = w->sec_prev;
	const struct buf *head = NULL, *body = NULL;
	char line[SECTION_NAME_MAX + 16];
	int len, rc = 0;

	if (!w->in_section || !w->cur.n)
		return 0;
	cur = &w->cur.v[w->cur.n - 1];
	w->in_section = false;
	w->sec_prev = NULL;
	if (cur->derived) {
		uint8_t d[SHA256_LEN];
		char hex[SHA256_HEXLEN + 1];

		/* "R<sha256 hex>" LF: a line, so zstdcat shows it as one */
		if (cur->digested)
			memcpy(d, cur->digest, sizeof(d));
		else
			sha256_final(&cur->sha, d);
		sha256_hex(d, hex);
		buf_reset(&w->enc);
		rc = buf_printf(&w->enc, "%c%s\n", SNAPDELTA_DERIVED, hex);
		len = snprintf(line, sizeof(line), "SECTION %s\n", cur->name);
		rc = rc < 0 ? rc : emit(w, line, (size_t)len, true);
		return rc < 0 ? rc : emit_data(w, w->enc.data, w->enc.len, NULL, 0);
	}
	w->dcrc = snap_dcrc_trailer(w->dcrc, cur->name, (size_t)cur->len);
	if (w->sec_enc)
		rc = snapdelta_enc_end(w->senc, &head, &body, &cur->base);
	w->sec_enc = false;
	if (rc < 0)
		return rc;
	/* A keyframe section: SECTION and the full blocks are out, 'K' at
	 * least is left. (A delta section always went through senc.) */
	if (!prev || !head || !body)
		return emit_block(w, w->blen);
	/* Each base section serves once. */
	snapdelta_base_free(prev->base);
	prev->base = NULL;
	len = snprintf(line, sizeof(line), "SECTION %s\n", cur->name);
	rc = emit(w, line, (size_t)len, true);
	return rc < 0 ? rc : emit_data(w, head->data, head->len, body->data, body->len);
}

int snap_writer_section(struct snap_writer *w, const char *name)
{
	char line[SECTION_NAME_MAX + 16];
	int len, rc;

	if (!w->open || !snap_section_name_ok(name))
		return -EINVAL;
	if (w->twin && (rc = snap_writer_section(w->twin, name)) < 0)
		return rc;
	if (w->version == SNAP_VERSION_DELTA) {
		rc = finish_section(w);
		if (rc < 0)
			return rc;
		struct sect *sc = snap_sectlist_add(&w->cur, name);

		if (!sc)
			return -ENOMEM;
		w->in_section = true;
		if (w->derive && !strncmp(name, "netstat ", 8)) {
			sc->derived = true;
			sha256_init(&sc->sha);
			return 0;
		}
		/* A section stored derived last time has no base to delta
		 * against; one a delta used (a name written twice) has none left.
		 * Both become keyframe sections, which need no base. */
		/* Readers take the first section of the name as the base. */
		for (size_t i = 0; !w->key && i < w->prev.n; i++) {
			if (strcmp(w->prev.v[i].name, name))
				continue;
			w->sec_prev = w->prev.v[i].base ? &w->prev.v[i] : NULL;
			break;
		}
		w->sec_enc = w->sec_prev || w->keep;
		if (w->sec_enc) {
			rc = snapdelta_enc_begin(w->senc, sc->name,
						 w->sec_prev ? w->sec_prev->base : NULL,
						 w->sec_prev != NULL, w->keep);
			if (rc < 0)
				return rc;
		}
		if (w->sec_prev)
			return 0;
		/* A keyframe section: SECTION, then 'K' + text cut into
		 * SNAP_BLOCK_MAX blocks as it comes. */
		len = snprintf(line, sizeof(line), "SECTION %s\n", name);
		rc = emit(w, line, (size_t)len, true);
		if (rc < 0)
			return rc;
		w->blen = 0;
		w->blk[w->blen++] = SNAPDELTA_KEY;
		return 0;
	}
	rc = emit_block(w, w->blen);
	if (rc < 0)
		return rc;
	len = snprintf(line, sizeof(line), "SECTION %s\n", name);
	rc = emit(w, line, (size_t)len, true);
	if (rc < 0)
		return rc;
	w->in_section = true;
	return 0;
}

int snap_writer_write(struct snap_writer *w, const void *p, size_t n)
{
	const char *s = p;
	int rc;

	if (!w->in_section)
		return -EINVAL;
	if (w->twin && (rc = snap_writer_write(w->twin, p, n)) < 0)
		return rc;
	if (w->version == SNAP_VERSION_DELTA) {
		struct sect *sc = &w->cur.v[w->cur.n - 1];

		sc->len += n;
		if (sc->derived) {
			sha256_update(&sc->sha, p, n);
			return 0;
		}
		w->dcrc = crc32c(w->dcrc, p, n);
		if (w->sec_enc && (rc = snapdelta_enc_feed(w->senc, p, n)) < 0)
			return rc;
		if (w->sec_prev)
			return 0;
		while (n) {
			size_t k = SNAP_BLOCK_MAX - w->blen < n ? SNAP_BLOCK_MAX - w->blen : n;

			memcpy(w->blk + w->blen, s, k);
			w->blen += k;
			s += k;
			n -= k;
			if (w->blen == SNAP_BLOCK_MAX && (rc = emit_block(w, w->blen)) < 0)
				return rc;
		}
		return 0;
	}
	while (n) {
		size_t room = SNAP_BLOCK_MAX - w->blen;
		size_t k = n < room ? n : room;
		const char *nl;

		memcpy(w->blk + w->blen, s, k);
		w->blen += k;
		s += k;
		n -= k;
		if (w->blen < SNAP_BLOCK_MAX)
			break;
		/* Full: cut after the last newline so blocks hold whole lines
		 * (zstdcat | grep stays clean); a line longer than a block is cut. */
		nl = memrchr(w->blk, '\n', w->blen);
		rc = emit_block(w, nl ? (size_t)(nl - w->blk) + 1 : w->blen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int snap_writer_end(struct snap_writer *w)
{
	char line[64];
	int len, rc;

	if (!w->open)
		return -EINVAL;
	if (w->twin && (rc = snap_writer_end(w->twin)) < 0)
		return rc;
	if (w->version == SNAP_VERSION_DELTA) {
		uint32_t dcrc;

		rc = finish_section(w);
		if (rc < 0)
			return rc;
		dcrc = w->dcrc;
		len = snprintf(line, sizeof(line), "END %" PRIu64 " %08" PRIx32 " %08" PRIx32 "\n",
			       w->seq, w->crc, dcrc);
		rc = emit(w, line, (size_t)len, false);
		if (rc < 0)
			return rc;
		snap_sectlist_swap(&w->prev, &w->cur);
		w->since_key = w->key ? 0 : w->since_key + 1;
		/* The last snapshot built no bases: the next is a keyframe. */
		w->have_prev = w->keep;
		w->prev_seq = w->seq;
		w->prev_dcrc = dcrc;
		w->open = false;
		w->in_section = false;
		return 0;
	}
	rc = emit_block(w, w->blen);
	if (rc < 0)
		return rc;
	len = snprintf(line, sizeof(line), "END %" PRIu64 " %08" PRIx32 "\n", w->seq, w->crc);
	rc = emit(w, line, (size_t)len, false);
	if (rc < 0)
		return rc;
	w->open = false;
	w->in_section = false;
	return 0;
}

void snap_writer_abort(struct snap_writer *w)
{
	if (w->twin)
		snap_writer_abort(w->twin);
	/* What was written of this snapshot is gone: the next is a keyframe. */
	w->have_prev = false;
	w->sec_enc = false;
	w->sec_prev = NULL;
	w->cur.n = 0;
	w->open = false;
	w->in_section = false;
	w->blen = 0;
}

bool snap_writer_takes_digests(const struct snap_writer *w)
{
	return w->version == SNAP_VERSION_DELTA && w->derive && !w->twin;
}

int snap_writer_derived(struct snap_writer *w, const char *name, const uint8_t *digest,
			uint64_t len)
{
	int rc;

	if (!snap_writer_takes_digests(w) || strncmp(name, "netstat ", 8))
		return -EINVAL;
	rc = snap_writer_section(w, name);
	if (rc < 0)
		return rc;
	w->cur.v[w->cur.n - 1].digested = true;
	memcpy(w->cur.v[w->cur.n - 1].digest, digest, SHA256_LEN);
	w->cur.v[w->cur.n - 1].len = len;
	return 0;
}

uint64_t snap_writer_bytes(const struct snap_writer *w)
{
	return w->bytes;
}
