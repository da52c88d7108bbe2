/* snap_reader — the verifying push reader (docs/FORMAT.md): framing, header,
 * checksums; format 2 snapshots collected, decoded and handed out whole. */
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
#include "num.h"
#include "sha256.h"
#include "snapdelta.h"
#include "snaprender.h"

#define LINE_MAX_ 4096   /* header/framing lines; data lines are not limited */

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
	const char *const *select;   /* sections handed out (NULL: all) */
	const char *const *track;    /* whose line sources are kept (NULL: none) */
	uint32_t end_dcrc;
	uint32_t prev_dcrc;
	int q;                 /* Q_*: what is handed out next */
	bool prev_valid;
	bool skip_derived;     /* derived sections neither rebuilt nor handed out */
	bool cur_skipped;      /* the section being read is not selected */
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
	snap_sectlist_fini(&r->raw);
	snap_sectlist_fini(&r->prev);
	snap_sectlist_fini(&r->spare);
	free(r);
}

void snap_reader_skip_derived(struct snap_reader *r, bool skip)
{
	r->skip_derived = skip;
}

void snap_reader_select(struct snap_reader *r, const char *const *names)
{
	r->select = names;
}

void snap_reader_track(struct snap_reader *r, const char *const *names)
{
	r->track = names;
}

static bool tracked(const struct snap_reader *r, const char *name)
{
	for (const char *const *n = r->track; n && *n; n++)
		if (!strcmp(*n, name))
			return true;
	return false;
}

static bool selected(const struct snap_reader *r, const char *name)
{
	if (!r->select)
		return true;
	for (const char *const *n = r->select; *n; n++)
		if (!strcmp(*n, name))
			return true;
	return false;
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
		if (!snap_section_name_ok(name))
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
	const struct sect *s = snap_sectlist_find(ctx, name);

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

/* A keyframe section's text is its encoding but the first byte: taken
 * over by out, not copied; the raw slot gets out's old buffer. Its DATA
 * was collected into the buffer out would have reused (raw_key_buffer), so
 * a keyframe holds no third copy of a big section. */
static void key_take(struct sect *raw, struct sect *out)
{
	struct buf t = out->text;

	memmove(raw->text.data, raw->text.data + 1, raw->text.len - 1);
	buf_truncate(&raw->text, raw->text.len - 1);
	out->text = raw->text;
	raw->text = t;
	buf_reset(&raw->text);
}

/* Raw section i starts a keyframe encoding: collected into the buffer of
 * the spare slot its decoded text will take (spare holds the snapshot
 * before the one handed out: nobody reads it), whose room is a decoded
 * section's already. */
static void raw_key_buffer(struct snap_reader *r, size_t i)
{
	struct buf t;

	if (i >= r->spare.cap || r->spare.v[i].text.cap <= r->raw.v[i].text.cap)
		return;
	t = r->raw.v[i].text;
	r->raw.v[i].text = r->spare.v[i].text;
	r->spare.v[i].text = t;
	buf_reset(&r->raw.v[i].text);
}

/* r->prev's section `name` (a delta's base: its kept lines may be made). */
static struct sect *prev_sect(struct snap_reader *r, const char *name)
{
	for (size_t i = 0; i < r->prev.n; i++)
		if (!strcmp(r->prev.v[i].name, name))
			return &r->prev.v[i];
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
	bool partial = false;

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
		struct sect *raw = &r->raw.v[i], *base = NULL;
		struct sect *out = snap_sectlist_add(&dec, raw->name);
		int rc = 0;

		if (!out) {
			what = "out of memory";
			break;
		}
		if (raw->skipped) {
			out->skipped = true;   /* not selected: never decoded, never a base */
			partial = true;
			continue;
		}
		if (raw->text.len && raw->text.data[0] == SNAPDELTA_DERIVED) {
			out->derived = true;
			continue;   /* rebuilt below, from the sections it derives from */
		}
		if (raw->text.len && raw->text.data[0] == SNAPDELTA_DELTA) {
			base = h->frame == SNAP_FRAME_DELTA ? prev_sect(r, raw->name) : NULL;
			if (!base || base->skipped) {
				what = "delta section without a base section";
				break;
			}
		}
		if (raw->text.len && raw->text.data[0] == SNAPDELTA_KEY &&
		    raw->text.len - 1 <= SNAPDELTA_SECTION_MAX) {
			key_take(raw, out);
		} else {
			/* a base decoded from a delta comes with its lines (split);
			 * a keyframe's are made by the first delta against it */
			rc = snapdelta_decode_split(
				base ? base->text.data : NULL, base ? base->text.len : 0,
				base ? &base->split : NULL, raw->text.data, raw->text.len, &out->text,
				&out->split,
				tracked(r, raw->name) ? &out->prov : NULL, &what);
		}
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
	/* With sections left out the decoded checksum cannot be summed; what
	 * was decoded is checked by the encoded CRC and by its base, which the
	 * delta names by seq and by the decoded checksum that base claimed
	 * (docs/FORMAT.md §7.2). */
	if (!what && !partial && snap_sectlist_dcrc(&dec) != r->end_dcrc)
		what = "decoded checksum mismatch: snapshot is corrupt";
	if (what) {
		r->spare = dec;
		return what;
	}
	snap_sectlist_swap(&dec, &r->prev);
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
			if ((s->derived && r->skip_derived) || s->skipped) {
				r->qi++;
				continue;
			}
			r->q = Q_DATA;
			r->qoff = 0;
			ev->type = SNAP_EV_SECTION;
			ev->section = s->name;
			ev->prov = s->prov.valid ? &s->prov : NULL;
			return SNAP_EV_SECTION;
		case Q_DATA:
			if (!s || r->qoff >= s->text.len) {
				r->qi++;
				r->q = Q_SECTION;
				continue;
			}
			ev->type = SNAP_EV_DATA;
			ev->section = s->name;
			ev->prov = s->prov.valid ? &s->prov : NULL;
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
			/* sections not selected are read (the CRC covers them) but
			 * not handed out */
			if (t == SNAP_EV_SECTION)
				r->cur_skipped = !selected(r, ev->section);
			if ((t == SNAP_EV_SECTION || t == SNAP_EV_DATA) && r->cur_skipped)
				continue;
			return t;
		}
		switch (t) {
		case SNAP_EV_BEGIN:
			r->raw.n = 0;
			r->raw_total = 0;
			continue;
		case SNAP_EV_SECTION: {
			struct sect *s = snap_sectlist_add(&r->raw, ev->section);

			if (!s)
				return bad(r, ev, "out of memory");
			s->skipped = !selected(r, ev->section);
			continue;
		}
		case SNAP_EV_DATA:
			r->raw_total += ev->len;
			if (r->raw_total > RAW_SNAPSHOT_MAX)
				return bad(r, ev, "snapshot larger than 256 MiB");
			if (r->raw.v[r->raw.n - 1].skipped)
				continue;
			if (!r->raw.v[r->raw.n - 1].text.len && ev->data[0] == SNAPDELTA_KEY)
				raw_key_buffer(r, r->raw.n - 1);
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
