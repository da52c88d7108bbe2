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
#include "num.h"

#define MAGIC "SOCKSCOPE "
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define LINE_MAX_ 4096   /* header/framing lines; data lines are not limited */
#define SECTION_NAME_MAX 64

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
	char blk[SNAP_BLOCK_MAX];
};

struct snap_writer *snap_writer_new(snap_out_fn out, void *ctx)
{
	struct snap_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	w->ctx = ctx;
	return w;
}

void snap_writer_free(struct snap_writer *w)
{
	free(w);
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
	w->crc = 0;
	w->bytes = 0;
	w->blen = 0;
	w->in_section = false;
	w->seq = h->seq;
	utctime_format(h->time, 6, t, sizeof(t));
	buf_printf(&b, MAGIC "%d\n", SNAP_VERSION);
	put_field(&b, "host", h->host);
	put_field(&b, "time", t);
	buf_printf(&b, "seq: %" PRIu64 "\n", h->seq);
	buf_printf(&b, "interval: %" PRId64 ".%06" PRId64 "\n", h->interval / USEC_PER_SEC,
		   h->interval % USEC_PER_SEC);
	put_field(&b, "reason", h->reason);
	put_field(&b, "kernel", h->kernel);
	put_field(&b, "boot-id", h->boot_id);
	put_field(&b, "recorder", h->recorder);
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

int snap_writer_section(struct snap_writer *w, const char *name)
{
	char line[SECTION_NAME_MAX + 16];
	int len, rc;

	if (!w->open || !section_name_ok(name))
		return -EINVAL;
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
	w->open = false;
	w->in_section = false;
	w->blen = 0;
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
};

enum { H_HOST = 1, H_TIME = 2, H_SEQ = 4 };

struct snap_reader *snap_reader_new(void)
{
	return calloc(1, sizeof(struct snap_reader));
}

void snap_reader_free(struct snap_reader *r)
{
	free(r);
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
	if (v != SNAP_VERSION)
		return bad(r, ev, "unsupported format version (this reader knows 1)");
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

enum snap_ev snap_reader_next(struct snap_reader *r, struct snap_event *ev)
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

enum snap_ev snap_reader_eof(struct snap_reader *r, struct snap_event *ev)
{
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
