/* snap — snapshot writer and verifying push reader (docs/FORMAT.md). */
#include "snap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crc32c.h"
#include "grow.h"
#include "num.h"
#include "sha256.h"
#include "snapdelta.h"
#include "snaprender.h"

#define MAGIC "SOCKSCOPE "
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define LINE_MAX_ 4096   /* header/framing lines; data lines are not limited */
#define SECTION_NAME_MAX 64

/* ---- decoded sections (format 2 keeps the previous snapshot's) ---------- */

struct sect {
	char name[SECTION_NAME_MAX + 1];
	struct buf text;
	bool derived;        /* writer: only its digest is kept */
	struct snapdelta_base *base;   /* writer: what the next delta is made against */
	struct sha256 sha;
	bool digested;       /* writer: sha given whole (snap_writer_derived) */
	uint8_t digest[SHA256_LEN];
	uint64_t len;        /* writer: bytes written */
};

struct sectlist {
	struct sect *v;
	size_t n, cap;     /* v[n..cap) keep their allocations for reuse */
};

static struct sect *sectlist_add(struct sectlist *l, const char *name)
{
	struct sect *s;

	if (l->n == l->cap) {
		size_t old = l->cap;
		struct sect *v = grow(l->v, &l->cap, l->n, sizeof(*v), 16);
		if (!v)
			return NULL;
		/* the new slots own nothing yet */
		memset(v + old, 0, (l->cap - old) * sizeof(*v));
		l->v = v;
	}
	s = &l->v[l->n++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	buf_reset(&s->text);
	snapdelta_base_free(s->base);
	s->base = NULL;
	s->derived = false;
	s->digested = false;
	s->len = 0;
	return s;
}

static const struct sect *sectlist_find(const struct sectlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static void sectlist_fini(struct sectlist *l)
{
	for (size_t i = 0; i < l->cap; i++) {
		buf_fini(&l->v[i].text);
		snapdelta_base_free(l->v[i].base);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void sectlist_swap(struct sectlist *a, struct sectlist *b)
{
	struct sectlist t = *a;

	*a = *b;
	*b = t;
}

/* The decoded checksum of format 2: CRC-32C over every section as
 * "<content> LF <name> LF <length> LF", in order (content first, so that a
 * writer can sum it as it streams). */
static uint32_t dcrc_trailer(uint32_t crc, const char *name, size_t len)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%zu\n", len);

	crc = crc32c(crc, "\n", 1);
	crc = crc32c(crc, name, strlen(name));
	crc = crc32c(crc, "\n", 1);
	return crc32c(crc, num, (size_t)n);
}

static uint32_t sectlist_dcrc(const struct sectlist *l)
{
	uint32_t crc = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].derived)
			continue;   /* checked by its own SHA-256 */
		crc = crc32c(crc, l->v[i].text.data, l->v[i].text.len);
		crc = dcrc_trailer(crc, l->v[i].name, l->v[i].text.len);
	}
	return crc;
}

/* ---- writer ------------------------------------------------------------ */

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
	sectlist_fini(&w->prev);
	sectlist_fini(&w->cur);
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

static bool section_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SECTION_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ' ' || c == '.' || c == '/' || c == '_' || c == '-'))
			return false;
	}
	return true;
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
	w->dcrc = dcrc_trailer(w->dcrc, cur->name, (size_t)cur->len);
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

	if (!w->open || !section_name_ok(name))
		return -EINVAL;
	if (w->twin && (rc = snap_writer_section(w->twin, name)) < 0)
		return rc;
	if (w->version == SNAP_VERSION_DELTA) {
		rc = finish_section(w);
		if (rc < 0)
			return rc;
		struct sect *sc = sectlist_add(&w->cur, name);

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
		sectlist_swap(&w->prev, &w->cur);
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

/* ---- reader ------------------------------------------------------------ */

enum rstate { R_OUTSIDE, R_HEADER, R_BODY, R_DATA };

struct snap_reader {
	enum rstate st;
	const char *in;        /* fed bytes not yet consumed */
	size_t in_n;
	uint64_t pos;          /* stream offset of *in */
	char line[LINE_MAX_ + 1];
	size_t line_len;
	bool line_overlong;    /* discarding the rest of an overlong line */
	bool replay;           /* r->line holds a line to parse again */
	bool line_done;        /* r->line holds a complete, consumed line */
	uint64_t line_off;     /* stream offset of the line being assembled */
	uint64_t start;        /* offset of the current snapshot */
	uint32_t crc;
	uint64_t remaining;    /* R_DATA: bytes left in the block */
	uint64_t junk_off, junk_len;
	unsigned have;         /* header fields seen (bit set) */
	char section[SECTION_NAME_MAX + 1];
	struct snap_header hdr;
	/* format 2: a snapshot is collected, verified and decoded whole, then
	 * handed out from prev (queued events); prev is the last good one. */
	struct sectlist raw, prev;
	struct sectlist spare;  /* the one before prev: its buffers are reused */
	uint64_t raw_total;
	uint64_t prev_seq;
	size_t qi, qoff;
	uint32_t end_dcrc;
	uint32_t prev_dcrc;
	int q;                 /* Q_*: what is handed out next */
	bool prev_valid;
	bool skip_derived;     /* derived sections neither rebuilt nor handed out */
	char what[160];
};

enum { Q_NONE, Q_BEGIN, Q_SECTION, Q_DATA, Q_END };
#define RAW_SNAPSHOT_MAX (256u << 20)
#define DECODED_SNAPSHOT_MAX (512ull << 20)

enum { H_HOST = 1, H_TIME = 2, H_SEQ = 4 };

struct snap_reader *snap_reader_new(void)
{
	return calloc(1, sizeof(struct snap_reader));
}

void snap_reader_free(struct snap_reader *r)
{
	if (!r)
		return;
	sectlist_fini(&r->raw);
	sectlist_fini(&r->prev);
	sectlist_fini(&r->spare);
	free(r);
}

void snap_reader_skip_derived(struct snap_reader *r, bool skip)
{
	r->skip_derived = skip;
}

void snap_reader_feed(struct snap_reader *r, const void *p, size_t n)
{
	r->in = p;
	r->in_n = n;
}

static void consume(struct snap_reader *r, size_t n)
{
	r->in += n;
	r->in_n -= n;
	r->pos += n;
}

/* Assembles the next line into r->line (without '\n'). Returns 1 when a
 * line is complete, 0 when more input is needed, -1 when the line is
 * overlong (the rest of it will be discarded). */
static int take_line(struct snap_reader *r)
{
	const char *nl;
	size_t k;

	if (r->line_done) {
		r->line_len = 0;
		r->line_done = false;
	}
	if (r->line_len == 0 && !r->line_overlong)
		r->line_off = r->pos;
	while (r->in_n) {
		nl = memchr(r->in, '\n', r->in_n);
		k = nl ? (size_t)(nl - r->in) : r->in_n;
		if (r->line_overlong) {
			consume(r, nl ? k + 1 : k);
			if (nl) {
				r->line_overlong = false;
				r->line_len = 0;
				r->line_off = r->pos;
			}
			continue;
		}
		if (r->line_len + k > LINE_MAX_) {
			r->line_overlong = true;
			r->line_len = 0;
			return -1;
		}
		memcpy(r->line + r->line_len, r->in, k);
		r->line_len += k;
		consume(r, nl ? k + 1 : k);
		if (nl) {
			r->line[r->line_len] = '\0';
			r->line_done = true;
			return 1;
		}
	}
	return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	return num_parse_dec(s, strlen(s), UINT64_MAX, out) == 0;
}

/* "S.ffffff" seconds (fraction optional, up to 6 digits) to µs. */
static bool parse_seconds(const char *s, usec_t *out)
{
	uint64_t sec = 0, frac = 0, scale = 1000000;
	const char *dot = strchr(s, '.');
	char ip[24];

	if (dot) {
		size_t n = (size_t)(dot - s), fd = strlen(dot + 1);
		if (n == 0 || n >= sizeof(ip) || fd == 0 || fd > 6)
			return false;
		memcpy(ip, s, n);
		ip[n] = '\0';
		if (!parse_u64(ip, &sec) || !parse_u64(dot + 1, &frac))
			return false;
		for (size_t i = 0; i < fd; i++)
			scale /= 10;
		frac *= scale;
	} else if (!parse_u64(s, &sec)) {
		return false;
	}
	if (sec > (uint64_t)INT64_MAX / USEC_PER_SEC - 1)
		return false;
	*out = (usec_t)sec * USEC_PER_SEC + (usec_t)frac;
	return true;
}

static void copy_field(char *dst, size_t dsz, const char *v)
{
	snprintf(dst, dsz, "%s", v);
}

/* Parses a "key: value" header line. Returns NULL or what was expected.
 * The grammar of docs/FORMAT.md §2 is enforced on the whole line (a NUL
 * included): a value with a control character would reach every terminal
 * that shows the host, and the writer never produces one. */
static const char *header_line(struct snap_reader *r)
{
	size_t klen = strspn(r->line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789-");
	char *colon = r->line + klen;
	const char *k = r->line, *v;
	struct snap_header *h = &r->hdr;

	if (klen == 0 || klen + 2 > r->line_len || colon[0] != ':' || colon[1] != ' ')
		return "expected 'key: value' header line (key of [A-Za-z0-9-]) or blank line";
	for (size_t i = klen + 2; i < r->line_len; i++) {
		unsigned char c = (unsigned char)r->line[i];

		if (c < 0x20 || c == 0x7f)
			return "expected a header value without control characters";
	}
	*colon = '\0';
	v = colon + 2;
	if (!strcmp(k, "host")) {
		if (!*v)
			return "expected non-empty host";
		copy_field(h->host, sizeof(h->host), v);
		r->have |= H_HOST;
	} else if (!strcmp(k, "time")) {
		if (utctime_parse(v, strlen(v), &h->time) < 0)
			return "expected UTC time like 2026-11-25T14:10:00.123456Z";
		r->have |= H_TIME;
	} else if (!strcmp(k, "seq")) {
		if (!parse_u64(v, &h->seq))
			return "expected decimal seq";
		r->have |= H_SEQ;
	} else if (!strcmp(k, "interval")) {
		if (!parse_seconds(v, &h->interval))
			return "expected interval in seconds like 1.000000";
	} else if (!strcmp(k, "reason")) {
		copy_field(h->reason, sizeof(h->reason), v);
	} else if (!strcmp(k, "kernel")) {
		copy_field(h->kernel, sizeof(h->kernel), v);
	} else if (!strcmp(k, "boot-id")) {
		copy_field(h->boot_id, sizeof(h->boot_id), v);
	} else if (!strcmp(k, "recorder")) {
		copy_field(h->recorder, sizeof(h->recorder), v);
	} else if (!strcmp(k, "thinned")) {
		h->thinned = true;
	} else if (!strcmp(k, "frame") && h->version == SNAP_VERSION_DELTA) {
		char seq[24];
		unsigned long crc;
		char *endp;
		const char *sp;

		if (!strcmp(v, "key")) {
			h->frame = SNAP_FRAME_KEY;
			return NULL;
		}
		sp = strncmp(v, "delta ", 6) ? NULL : strchr(v + 6, ' ');
		if (!sp || (size_t)(sp - v - 6) >= sizeof(seq) || strlen(sp + 1) != 8 ||
		    strspn(sp + 1, "0123456789abcdef") != 8)
			return "expected 'frame: key' or 'frame: delta <seq> <crc32c>'";
		memcpy(seq, v + 6, (size_t)(sp - v - 6));
		seq[sp - v - 6] = '\0';
		crc = strtoul(sp + 1, &endp, 16);
		if (!parse_u64(seq, &h->base_seq) || *endp)
			return "expected 'frame: key' or 'frame: delta <seq> <crc32c>'";
		h->base_dcrc = (uint32_t)crc;
		h->frame = SNAP_FRAME_DELTA;
	}
	/* Unknown keys are ignored: later versions may add fields. */
	return NULL;
}

static enum snap_ev bad(struct snap_reader *r, struct snap_event *ev, const char *what)
{
	ev->type = SNAP_EV_BAD;
	ev->offset = r->start;
	ev->error = what;
	ev->hdr = &r->hdr;
	r->st = R_OUTSIDE;
	return SNAP_EV_BAD;
}

static bool is_magic(const char *line, size_t len)
{
	return len >= MAGIC_LEN && !memcmp(line, MAGIC, MAGIC_LEN);
}

/* A "SOCKSCOPE N" line: starts a snapshot if N is a version we read. */
static enum snap_ev start_snapshot(struct snap_reader *r, struct snap_event *ev)
{
	uint64_t v;

	memset(&r->hdr, 0, sizeof(r->hdr));
	r->have = 0;
	r->start = r->line_off;
	if (!parse_u64(r->line + MAGIC_LEN, &v))
		return bad(r, ev, "expected 'SOCKSCOPE <version>'");
	if (v != SNAP_VERSION && v != SNAP_VERSION_DELTA)
		return bad(r, ev, "unsupported format version (this reader knows 1 and 2)");
	r->hdr.version = (unsigned)v;
	r->crc = crc32c(0, r->line, r->line_len);
	r->crc = crc32c(r->crc, "\n", 1);
	r->st = R_HEADER;
	return SNAP_EV_NONE;
}

static enum snap_ev flush_junk(struct snap_reader *r, struct snap_event *ev)
{
	ev->type = SNAP_EV_JUNK;
	ev->offset = r->junk_off;
	ev->len = (size_t)r->junk_len;
	r->junk_len = 0;
	return SNAP_EV_JUNK;
}

/* A framing line of a snapshot's body: SECTION, DATA, END, or the magic of
 * a snapshot that starts before this one ended. The event to return, or -1
 * to read on (DATA: its bytes follow). */
static int body_line(struct snap_reader *r, struct snap_event *ev)
{
	if (!strncmp(r->line, "SECTION ", 8)) {
		const char *name = r->line + 8;
		if (!section_name_ok(name))
			return bad(r, ev, "expected a section name of [A-Za-z0-9 ./_-]{1,64}");
		r->crc = crc32c(r->crc, r->line, r->line_len);
		r->crc = crc32c(r->crc, "\n", 1);
		memcpy(r->section, name, strlen(name) + 1);
		ev->type = SNAP_EV_SECTION;
		ev->hdr = &r->hdr;
		ev->section = r->section;
		ev->offset = r->start;
		return SNAP_EV_SECTION;
	}
	if (!strncmp(r->line, "DATA ", 5)) {
		uint64_t n;
		if (!r->section[0])
			return bad(r, ev, "expected SECTION before DATA");
		if (!parse_u64(r->line + 5, &n) || n == 0 || n > SNAP_READER_BLOCK_LIMIT)
			return bad(r, ev, "expected DATA length 1..16777216");
		r->crc = crc32c(r->crc, r->line, r->line_len);
		r->crc = crc32c(r->crc, "\n", 1);
		r->remaining = n;
		r->st = R_DATA;
		return -1;
	}
	if (!strncmp(r->line, "END ", 4)) {
		char *sp = strchr(r->line + 4, ' ');
		uint64_t seq;
		unsigned long crc;
		char *endp;
		if (!sp)
			return bad(r, ev, "expected 'END <seq> <crc32c>'");
		*sp = '\0';
		if (!parse_u64(r->line + 4, &seq) || seq != r->hdr.seq)
			return bad(r, ev, "expected END with the header's seq");
		if (r->hdr.version == SNAP_VERSION_DELTA) {
			/* "END <seq> <crc> <decoded crc>" */
			char *sp2 = strchr(sp + 1, ' ');
			if (!sp2 || strlen(sp2 + 1) != 8 || strspn(sp2 + 1, "0123456789abcdef") != 8)
				return bad(r, ev, "expected 'END <seq> <crc32c> <crc32c>'");
			*sp2 = '\0';
			r->end_dcrc = (uint32_t)strtoul(sp2 + 1, NULL, 16);
		}
		if (strlen(sp + 1) != 8 || strspn(sp + 1, "0123456789abcdef") != 8)
			return bad(r, ev, "expected 8 lowercase hex digits of CRC-32C after END");
		crc = strtoul(sp + 1, &endp, 16);
		if (*endp || crc != r->crc)
			return bad(r, ev, "checksum mismatch: snapshot is corrupt");
		r->st = R_OUTSIDE;
		ev->type = SNAP_EV_END;
		ev->hdr = &r->hdr;
		ev->offset = r->start;
		return SNAP_EV_END;
	}
	if (is_magic(r->line, r->line_len)) {
		/* A new snapshot began before this one ended: report
		 * this one torn, then read the magic line again. */
		r->replay = true;
		return bad(r, ev, "torn: next snapshot starts before END");
	}
	return bad(r, ev, "expected SECTION, DATA or END");
}

static enum snap_ev raw_next(struct snap_reader *r, struct snap_event *ev)
{
	int got;

	memset(ev, 0, sizeof(*ev));
	for (;;) {
		if (r->st == R_DATA) {
			size_t k;
			if (!r->in_n)
				return SNAP_EV_NONE;
			k = r->remaining < r->in_n ? (size_t)r->remaining : r->in_n;
			r->crc = crc32c(r->crc, r->in, k);
			ev->type = SNAP_EV_DATA;
			ev->hdr = &r->hdr;
			ev->section = r->section;
			ev->data = r->in;
			ev->len = k;
			ev->offset = r->start;
			consume(r, k);
			r->remaining -= k;
			if (!r->remaining)
				r->st = R_BODY;
			return SNAP_EV_DATA;
		}
		if (r->replay) {
			r->replay = false;
			got = 1;
		} else {
			got = take_line(r);
		}
		if (got == 0)
			return SNAP_EV_NONE;
		if (got < 0) {
			if (r->st == R_OUTSIDE) {
				if (!r->junk_len)
					r->junk_off = r->line_off;
				r->junk_len += LINE_MAX_;
				continue;
			}
			return bad(r, ev, "expected a framing line of at most 4096 bytes");
		}
		switch (r->st) {
		case R_OUTSIDE:
			if (is_magic(r->line, r->line_len)) {
				uint64_t junk = r->junk_len;
				/* On a bad version the junk stays pending. */
				if (start_snapshot(r, ev) == SNAP_EV_BAD)
					return SNAP_EV_BAD;
				if (junk)
					return flush_junk(r, ev);
				continue;
			}
			if (!r->junk_len)
				r->junk_off = r->line_off;
			r->junk_len += r->line_len + 1;
			continue;
		case R_HEADER:
			r->crc = crc32c(r->crc, r->line, r->line_len);
			r->crc = crc32c(r->crc, "\n", 1);
			if (r->line_len == 0) {
				if ((r->have & (H_HOST | H_TIME | H_SEQ)) != (H_HOST | H_TIME | H_SEQ))
					return bad(r, ev, "expected host, time and seq in the header");
				if (r->hdr.version == SNAP_VERSION_DELTA && !r->hdr.frame)
					return bad(r, ev, "expected 'frame:' in a format 2 header");
				r->section[0] = '\0';
				r->st = R_BODY;
				ev->type = SNAP_EV_BEGIN;
				ev->hdr = &r->hdr;
				ev->offset = r->start;
				return SNAP_EV_BEGIN;
			} else {
				const char *what = header_line(r);
				if (what)
					return bad(r, ev, what);
			}
			continue;
		case R_BODY: {
			int e = body_line(r, ev);

			if (e >= 0)
				return (enum snap_ev)e;
			continue;
		}
		case R_DATA:
			break;
		}
	}
}

static const char *get_section(void *ctx, const char *name, size_t *len)
{
	const struct sect *s = sectlist_find(ctx, name);

	if (!s || s->derived)
		return NULL;   /* a rendering is not rendered from another */
	*len = s->text.len;
	return s->text.data ? s->text.data : "";
}

/* A derived section: its rendering from the decoded sections, which must
 * hash to the digest the writer stored (never silently different). */
static const char *rebuild(struct snap_reader *r, const struct sect *raw,
			   const struct sectlist *dec, struct sect *out)
{
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEXLEN + 1];
	struct sha256 sha;
	const char *what = NULL;
	int rc;

	if (raw->text.len != 2 + SHA256_HEXLEN || raw->text.data[1 + SHA256_HEXLEN] != '\n' ||
	    strncmp(raw->name, "netstat ", 8))
		return "derived section that is not 'netstat <args>' with a SHA-256";
	rc = snaprender_netstat(raw->name + 8, get_section, (void *)dec, &out->text, &what);
	if (rc == -ENOMEM)
		return "out of memory";
	if (rc < 0)
		return what ? what : "derived section does not rebuild";
	sha256_init(&sha);
	sha256_update(&sha, out->text.data ? out->text.data : "", out->text.len);
	sha256_final(&sha, d);
	sha256_hex(d, hex);
	if (memcmp(hex, raw->text.data + 1, SHA256_HEXLEN)) {
		snprintf(r->what, sizeof(r->what),
			 "derived section '%s' does not rebuild to its SHA-256", raw->name);
		return r->what;
	}
	return NULL;
}

/* Decodes the collected format 2 snapshot into r->prev. NULL or what is
 * wrong (the snapshot is then bad; r->prev is no longer a base). */
static const char *decode_snapshot(struct snap_reader *r)
{
	const struct snap_header *h = &r->hdr;
	struct sectlist dec;
	const char *what = NULL;
	uint64_t total = 0;

	if (h->frame == SNAP_FRAME_DELTA &&
	    (!r->prev_valid || r->prev_seq != h->base_seq || r->prev_dcrc != h->base_dcrc)) {
		snprintf(r->what, sizeof(r->what),
			 "delta whose base (seq %" PRIu64 ") is missing or bad: skipped until the "
			 "next keyframe", h->base_seq);
		return r->what;
	}
	dec = r->spare;
	dec.n = 0;
	memset(&r->spare, 0, sizeof(r->spare));
	for (size_t i = 0; i < r->raw.n && !what; i++) {
		const struct sect *raw = &r->raw.v[i], *base = NULL;
		struct sect *out = sectlist_add(&dec, raw->name);
		int rc;

		if (!out) {
			what = "out of memory";
			break;
		}
		if (raw->text.len && raw->text.data[0] == SNAPDELTA_DERIVED) {
			out->derived = true;
			continue;   /* rebuilt below, from the sections it derives from */
		}
		if (raw->text.len && raw->text.data[0] == SNAPDELTA_DELTA) {
			base = h->frame == SNAP_FRAME_DELTA ? sectlist_find(&r->prev, raw->name) : NULL;
			if (!base) {
				what = "delta section without a base section";
				break;
			}
		}
		rc = snapdelta_decode(base ? base->text.data : NULL, base ? base->text.len : 0,
				      raw->text.data, raw->text.len, &out->text, &what);
		if (rc == -ENOMEM)
			what = "out of memory";
		else if (rc < 0 && !what)
			what = "section does not decode";
		/* copies can repeat base rows: bound the whole snapshot too */
		total += out->text.len;
		if (!what && total > DECODED_SNAPSHOT_MAX)
			what = "snapshot larger than 512 MiB decoded";
	}
	for (size_t i = 0; i < r->raw.n && !what && !r->skip_derived; i++)
		if (dec.v[i].derived)
			what = rebuild(r, &r->raw.v[i], &dec, &dec.v[i]);
	if (!what && sectlist_dcrc(&dec) != r->end_dcrc)
		what = "decoded checksum mismatch: snapshot is corrupt";
	if (what) {
		r->spare = dec;
		return what;
	}
	sectlist_swap(&dec, &r->prev);
	r->spare = dec;
	r->prev_valid = true;
	r->prev_seq = h->seq;
	r->prev_dcrc = r->end_dcrc;
	return NULL;
}

/* Hands out the decoded snapshot in r->prev, one event at a time. */
static enum snap_ev queued(struct snap_reader *r, struct snap_event *ev)
{
	ev->hdr = &r->hdr;
	ev->offset = r->start;
	for (;;) {
		const struct sect *s = r->qi < r->prev.n ? &r->prev.v[r->qi] : NULL;

		switch (r->q) {
		case Q_BEGIN:
			r->q = Q_SECTION;
			r->qi = 0;
			ev->type = SNAP_EV_BEGIN;
			return SNAP_EV_BEGIN;
		case Q_SECTION:
			if (!s) {
				r->q = Q_END;
				continue;
			}
			if (s->derived && r->skip_derived) {
				r->qi++;
				continue;
			}
			r->q = Q_DATA;
			r->qoff = 0;
			ev->type = SNAP_EV_SECTION;
			ev->section = s->name;
			return SNAP_EV_SECTION;
		case Q_DATA:
			if (!s || r->qoff >= s->text.len) {
				r->qi++;
				r->q = Q_SECTION;
				continue;
			}
			ev->type = SNAP_EV_DATA;
			ev->section = s->name;
			ev->data = s->text.data + r->qoff;
			ev->len = s->text.len - r->qoff < SNAP_BLOCK_MAX ? s->text.len - r->qoff
									  : SNAP_BLOCK_MAX;
			r->qoff += ev->len;
			return SNAP_EV_DATA;
		case Q_END:
		default:
			r->q = Q_NONE;
			ev->type = SNAP_EV_END;
			return SNAP_EV_END;
		}
	}
}

enum snap_ev snap_reader_next(struct snap_reader *r, struct snap_event *ev)
{
	for (;;) {
		enum snap_ev t;

		if (r->q != Q_NONE) {
			memset(ev, 0, sizeof(*ev));
			return queued(r, ev);
		}
		t = raw_next(r, ev);
		if (t == SNAP_EV_NONE || t == SNAP_EV_JUNK || t == SNAP_EV_BAD)
			return t;
		if (r->hdr.version != SNAP_VERSION_DELTA) {
			if (t == SNAP_EV_END)
				r->prev_valid = false;
			return t;
		}
		switch (t) {
		case SNAP_EV_BEGIN:
			r->raw.n = 0;
			r->raw_total = 0;
			continue;
		case SNAP_EV_SECTION:
			if (!sectlist_add(&r->raw, ev->section))
				return bad(r, ev, "out of memory");
			continue;
		case SNAP_EV_DATA:
			r->raw_total += ev->len;
			if (r->raw_total > RAW_SNAPSHOT_MAX)
				return bad(r, ev, "snapshot larger than 256 MiB");
			if (buf_append(&r->raw.v[r->raw.n - 1].text, ev->data, ev->len) < 0)
				return bad(r, ev, "out of memory");
			continue;
		case SNAP_EV_END: {
			const char *what = decode_snapshot(r);

			r->raw.n = 0;
			if (what) {
				memset(ev, 0, sizeof(*ev));
				ev->type = SNAP_EV_BAD;
				ev->hdr = &r->hdr;
				ev->offset = r->start;
				ev->error = what;
				return SNAP_EV_BAD;
			}
			r->q = Q_BEGIN;
			continue;
		}
		default:
			return t;
		}
	}
}

enum snap_ev snap_reader_eof(struct snap_reader *r, struct snap_event *ev)
{
	r->raw.n = 0;
	memset(ev, 0, sizeof(*ev));
	if (r->replay) {
		/* The input ends right after a snapshot's first line. */
		r->replay = false;
		r->start = r->line_off;
		r->line_len = 0;
		memset(&r->hdr, 0, sizeof(r->hdr));
		return bad(r, ev, "torn tail: input ends before the snapshot's END line");
	}
	if (r->st != R_OUTSIDE) {
		r->line_len = 0;
		r->line_overlong = false;
		return bad(r, ev, "torn tail: input ends before the snapshot's END line");
	}
	if ((r->line_len && !r->line_done) || r->line_overlong) {
		if (!r->junk_len)
			r->junk_off = r->line_off;
		r->junk_len += r->line_len;
		r->line_overlong = false;
	}
	r->line_len = 0;
	r->line_done = false;
	if (r->junk_len)
		return flush_junk(r, ev);
	return SNAP_EV_NONE;
}
