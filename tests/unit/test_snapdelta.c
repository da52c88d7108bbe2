/* Unit tests for format 2 (common/snapdelta, common/snap): a seeded random
 * walk of 1,000 snapshots written as v1 and v2 side by side decodes to the
 * same bytes; torn tails, flipped bytes and missing bases never yield a bad
 * snapshot, and reading recovers at the next keyframe. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <inttypes.h>

#include "buf.h"
#include "sha256.h"
#include "snap.h"
#include "snapdelta.h"

static int to_buf(void *ctx, const void *p, size_t n)
{
	return buf_append(ctx, p, n);
}

/* ---- a churning socket population --------------------------------------- */

struct sock {
	bool live;
	unsigned lport, rport, raddr, state, rxq, txq, inode, tr, retr, uid;
	uint64_t deadline;   /* in 1/100 s, absolute */
	int prog;
};

#define NSOCK 96

static const char *const progs[] = {
	"sshd", "nginx", "-", "a\\tb", "we ird", "x\\ny", "\xc3\xa9t\xc3\xa9", "   0: fake",
	"\\-", "",
};

struct walk {
	uint64_t rng;
	uint64_t now;        /* 1/100 s */
	struct sock s[NSOCK];
};

static uint32_t rnd(struct walk *w, uint32_t n)
{
	w->rng = w->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((w->rng >> 33) % n);
}

static void sock_new(struct walk *w, struct sock *s)
{
	memset(s, 0, sizeof(*s));
	s->live = true;
	s->lport = rnd(w, 3) ? 80 : 40000 + rnd(w, 20000);
	s->rport = 1024 + rnd(w, 60000);
	s->raddr = 0xC6120000u | rnd(w, 0x10000);   /* 198.18.0.0/15 */
	s->state = 1 + rnd(w, 11);
	s->inode = 10000 + rnd(w, 1000000);
	s->tr = rnd(w, 5);
	s->deadline = s->tr ? w->now + rnd(w, 12000) : 0;
	s->uid = rnd(w, 4) ? 0 : 1000;
	s->prog = (int)rnd(w, (uint32_t)(sizeof(progs) / sizeof(progs[0])));
}

static void walk_step(struct walk *w)
{
	w->now += 1000 + rnd(w, 3);   /* ~10 s, with jitter */
	for (int i = 0; i < NSOCK; i++) {
		struct sock *s = &w->s[i];
		uint32_t r = rnd(w, 100);

		if (!s->live) {
			if (r < 20)
				sock_new(w, s);
			continue;
		}
		if (r < 8) {
			s->live = false;
		} else if (r < 14) {
			s->state = 1 + rnd(w, 11);
		} else if (r < 22) {
			s->rxq = rnd(w, 3) ? 0 : rnd(w, 100000);
			s->txq = rnd(w, 2) ? 0 : rnd(w, 4096);
		} else if (r < 26) {
			s->tr = rnd(w, 5);
			s->deadline = s->tr ? w->now + rnd(w, 12000) : 0;
			s->retr += 1;
		}
	}
}

static uint64_t expires(const struct walk *w, const struct sock *s, unsigned jitter)
{
	if (!s->tr || s->deadline <= w->now)
		return 0;
	return s->deadline - w->now + jitter;
}

/* Writes one snapshot's sections the way the recorder lays them out. */
static void write_sections(struct snap_writer *sw, struct walk *w, uint64_t seq)
{
	struct buf b = BUF_INIT;
	unsigned sl = 0;

	assert_int_equal(snap_writer_section(sw, "processes"), 0);
	buf_puts(&b, "inode\tpid\tprogram\tcomm\n");
	for (int i = 0; i < NSOCK; i++)
		if (w->s[i].live && w->s[i].prog != 2)
			buf_printf(&b, "%u\t%d\t%s\t%s\n", w->s[i].inode, 100 + w->s[i].prog,
				   progs[w->s[i].prog], progs[w->s[i].prog]);
	assert_int_equal(snap_writer_write(sw, b.data, b.len), 0);
	buf_reset(&b);

	assert_int_equal(snap_writer_section(sw, "sockets"), 0);
	buf_puts(&b, "proto\tfamily\tstate\tladdr\tlport\traddr\trport\trxq\ttxq\tuid\tinode\ttimer"
		     "\texpires_ms\tretrans\tpid\tprogram\n");
	for (int i = 0; i < NSOCK; i++) {
		const struct sock *s = &w->s[i];
		if (!s->live)
			continue;
		buf_printf(&b, "tcp\t4\tS%u\t127.0.0.1\t%u\t198.18.%u.%u\t%u\t%u\t%u\t%u\t%u\t%u\t%" PRIu64
			   "\t%u\t%d\t%s\n", s->state, s->lport, (s->raddr >> 8) & 255, s->raddr & 255,
			   s->rport, s->rxq, s->txq, s->uid, s->inode, s->tr,
			   expires(w, s, (unsigned)(seq % 3)) * 10 + (seq % 7), s->retr,
			   100 + s->prog, progs[s->prog]);
	}
	assert_int_equal(snap_writer_write(sw, b.data, b.len), 0);
	buf_reset(&b);

	assert_int_equal(snap_writer_section(sw, "counters"), 0);
	buf_printf(&b, "name\tvalue\nTcp.ActiveOpens\t%" PRIu64 "\nTcp.Const\t7\n", seq * 13);
	assert_int_equal(snap_writer_write(sw, b.data, b.len), 0);
	buf_reset(&b);

	/* tcp: "%4d: " sequential; one row past 9999 needs the wider number */
	assert_int_equal(snap_writer_section(sw, "proc/net/tcp"), 0);
	buf_puts(&b, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
		     "   uid  timeout inode\n");
	for (int i = 0; i < NSOCK; i++) {
		const struct sock *s = &w->s[i];
		if (!s->live)
			continue;
		buf_printf(&b, "%4u: 0100007F:%04X %08X:%04X %02X %08X:%08X %02X:%08" PRIX64
			   " %08X %5u %8d %u 1 0000000000000000 100 0 0 10 0\n",
			   sl == 7 ? 12345 : sl, s->lport, s->raddr, s->rport, s->state, s->txq, s->rxq,
			   s->tr, expires(w, s, (unsigned)(seq % 2)), s->retr, s->uid, 0, s->inode);
		sl++;
	}
	if (seq % 5 == 0)   /* a row that is not in the kernel's shape */
		buf_puts(&b, "  12: garbage row\n");
	if (seq % 11 == 0)  /* a timer that does not fit in 8 digits */
		buf_puts(&b, "  13: 0100007F:0050 00000000:0000 01 00000000:00000000 02:1FFFFFFFF"
			     " 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n");
	assert_int_equal(snap_writer_write(sw, b.data, b.len), 0);
	buf_reset(&b);

	/* udp: "%5d: " hash bucket, not a count */
	assert_int_equal(snap_writer_section(sw, "proc/net/udp"), 0);
	buf_puts(&b, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
		     "   uid  timeout inode ref pointer drops\n");
	for (int i = 0; i < NSOCK; i += 7)
		if (w->s[i].live)
			buf_printf(&b, "%5u: 00000000:%04X 00000000:0000 07 00000000:00000000 00:00000000"
				   " 00000000     0        0 %u 2 0000000000000000 %u\n",
				   w->s[i].inode % 128, w->s[i].lport, w->s[i].inode, w->s[i].rxq % 3);
	assert_int_equal(snap_writer_write(sw, b.data, b.len), 0);
	buf_reset(&b);

	assert_int_equal(snap_writer_section(sw, "netstat-exec -na"), 0);
	buf_printf(&b, "Active Internet connections (servers and established)\nrow %" PRIu64, seq / 3);
	assert_int_equal(snap_writer_write(sw, b.data, b.len), 0);   /* no final LF */
	assert_int_equal(snap_writer_section(sw, "empty"), 0);
	if (seq % 4 == 0) {
		assert_int_equal(snap_writer_section(sw, "errors"), 0);
		assert_int_equal(snap_writer_write(sw, "\n\n\t\n", 4), 0);
	}
	buf_fini(&b);
}

static void header(struct snap_header *h, uint64_t seq)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->host, sizeof(h->host), "web1");
	h->time = 1764079800123456LL + (int64_t)seq * 10000000;
	h->seq = seq;
	h->interval = 10000000;
	snprintf(h->reason, sizeof(h->reason), "interval");
}

/* Writes n snapshots of the walk as v2 to out2 and, when out1, v1 too.
 * offs[seq] is where snapshot seq starts in out2 (offs[n + 1] = the end). */
static void write_walk(uint64_t seed, unsigned n, unsigned key_every, struct buf *out2,
		       struct buf *out1, size_t *offs)
{
	struct snap_writer *sw = snap_writer_new(to_buf, out2);
	struct walk *w = calloc(1, sizeof(*w));
	struct snap_header h;

	assert_non_null(sw);
	assert_non_null(w);
	w->rng = seed;
	w->now = 500000;
	assert_int_equal(snap_writer_set_delta(sw, key_every), 0);
	if (out1)
		assert_int_equal(snap_writer_set_twin(sw, to_buf, out1), 0);
	for (unsigned i = 1; i <= n; i++) {
		walk_step(w);
		header(&h, i);
		if (offs)
			offs[i] = out2->len;
		assert_int_equal(snap_writer_begin(sw, &h), 0);
		write_sections(sw, w, i);
		assert_int_equal(snap_writer_end(sw), 0);
	}
	if (offs)
		offs[n + 1] = out2->len;
	snap_writer_free(sw);
	free(w);
}

/* ---- reading ------------------------------------------------------------ */

#define MAXSNAP 1100

/* Every good snapshot as "name LF content NUL" per section, by seq. */
struct got {
	struct buf snap[MAXSNAP];
	bool good[MAXSNAP];
	unsigned frame[MAXSNAP];
	unsigned ngood, nbad, nkey;
	struct buf cur;
	bool bad_base;   /* some BAD said its base was missing */
};

static void got_fini(struct got *g)
{
	for (int i = 0; i < MAXSNAP; i++)
		buf_fini(&g->snap[i]);
	buf_fini(&g->cur);
}

static void on_event(struct got *g, const struct snap_event *ev)
{
	switch (ev->type) {
	case SNAP_EV_BEGIN:
		buf_reset(&g->cur);
		break;
	case SNAP_EV_SECTION:
		buf_putc(&g->cur, '\0');
		buf_puts(&g->cur, ev->section);
		buf_putc(&g->cur, '\n');
		break;
	case SNAP_EV_DATA:
		buf_append(&g->cur, ev->data, ev->len);
		break;
	case SNAP_EV_END:
		assert_true(ev->hdr->seq < MAXSNAP);
		assert_false(g->good[ev->hdr->seq]);
		g->good[ev->hdr->seq] = true;
		g->frame[ev->hdr->seq] = ev->hdr->frame;
		g->nkey += ev->hdr->frame == SNAP_FRAME_KEY;
		buf_reset(&g->snap[ev->hdr->seq]);
		buf_append(&g->snap[ev->hdr->seq], g->cur.data, g->cur.len);
		g->ngood++;
		break;
	case SNAP_EV_BAD:
		g->nbad++;
		if (strstr(ev->error, "base"))
			g->bad_base = true;
		break;
	default:
		break;
	}
}

static void read_all(const char *p, size_t len, size_t piece, struct got *g)
{
	struct snap_reader *r = snap_reader_new();
	struct snap_event ev;

	assert_non_null(r);
	for (size_t off = 0; off < len; off += piece) {
		snap_reader_feed(r, p + off, len - off < piece ? len - off : piece);
		while (snap_reader_next(r, &ev) != SNAP_EV_NONE)
			on_event(g, &ev);
	}
	while (snap_reader_eof(r, &ev) != SNAP_EV_NONE)
		on_event(g, &ev);
	snap_reader_free(r);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_random_walk_equals_v1(void **state)
{
	struct buf v1 = BUF_INIT, v2 = BUF_INIT;
	struct got *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	const unsigned n = 1000, k = 30;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	write_walk(0x5eed, n, k, &v2, &v1, NULL);
	read_all(v1.data, v1.len, 65536, a);
	read_all(v2.data, v2.len, 4093, b);
	assert_int_equal(a->ngood, n);
	assert_int_equal(b->ngood, n);
	assert_int_equal(a->nbad + b->nbad, 0);
	assert_int_equal(b->nkey, (n + k - 1) / k);
	for (unsigned i = 1; i <= n; i++) {
		assert_int_equal(b->frame[i], (i - 1) % k == 0 ? SNAP_FRAME_KEY : SNAP_FRAME_DELTA);
		assert_int_equal(a->snap[i].len, b->snap[i].len);
		assert_memory_equal(a->snap[i].data, b->snap[i].data, a->snap[i].len);
	}
	/* A delta must cost a fraction of the full text (before zstd). */
	assert_true(v2.len * 3 < v1.len);
	buf_fini(&v1);
	buf_fini(&v2);
	got_fini(a);
	got_fini(b);
	free(a);
	free(b);
}

/* Section `name` of a snapshot as on_event stored it ("\0name\ncontent"...). */
static bool find_section(const struct buf *snap, const char *name, const char **p, size_t *n)
{
	const char *s = snap->data, *end = snap->data + snap->len;
	size_t nl = strlen(name);

	while (s && s < end) {
		const char *next = memchr(s + 1, '\0', (size_t)(end - s - 1));
		const char *body = s + 1 + nl + 1;
		if (body <= end && !memcmp(s + 1, name, nl) && s[1 + nl] == '\n') {
			*p = body;
			*n = (size_t)((next ? next : end) - body);
			return true;
		}
		s = next;
	}
	return false;
}

/* Feeds p[0..n) in pieces of 1..max bytes (seeded). */
static void feed_pieces(struct snapdelta_enc *e, const char *p, size_t n, uint64_t *rng,
			size_t max)
{
	for (size_t off = 0; off < n;) {
		size_t k;
		*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
		k = 1 + (size_t)((*rng >> 33) % max);
		if (k > n - off)
			k = n - off;
		assert_int_equal(snapdelta_enc_feed(e, p + off, k), 0);
		off += k;
	}
}

/* The streaming encoder against a compact base (the writer's) makes the
 * same bytes as the whole-text encoder, on every section of every pair of
 * consecutive snapshots of the 1,000-snapshot random walk, the text fed in
 * random pieces. */
static void test_stream_encoder_same_bytes(void **state)
{
	static const char *const names[] = {"sockets", "processes", "proc/net/tcp", "proc/net/udp",
					    "counters", "netstat-exec -na", "empty", "errors"};
	enum { NN = sizeof(names) / sizeof(names[0]) };
	struct buf v1 = BUF_INIT, v2 = BUF_INIT, old = BUF_INIT, neu = BUF_INIT;
	struct got *a = calloc(1, sizeof(*a));
	struct snapdelta_enc *e = snapdelta_enc_new(42);
	struct snapdelta_base *base[NN] = {0};
	uint64_t rng = 7;
	const unsigned n = 1000;
	unsigned compared = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(e);
	write_walk(0x5eed, n, 30, &v2, &v1, NULL);
	read_all(v1.data, v1.len, 65536, a);
	assert_int_equal(a->ngood, n);
	for (unsigned i = 1; i <= n; i++) {
		for (size_t k = 0; k < NN; k++) {
			const struct buf *head, *body;
			struct snapdelta_base *next;
			const char *c, *p;
			size_t cn, pn;
			bool have_prev = i > 1 && find_section(&a->snap[i - 1], names[k], &p, &pn);

			if (!find_section(&a->snap[i], names[k], &c, &cn))
				continue;
			assert_int_equal(snapdelta_enc_begin(e, names[k], base[k], have_prev, true), 0);
			feed_pieces(e, c, cn, &rng, i % 2 ? 200 : 9000);
			assert_int_equal(snapdelta_enc_end(e, &head, &body, &next), 0);
			assert_non_null(next);
			snapdelta_base_free(base[k]);
			base[k] = next;
			if (!have_prev)
				continue;
			buf_reset(&old);
			buf_reset(&neu);
			assert_int_equal(snapdelta_encode(names[k], p, pn, c, cn, &old), 0);
			buf_append(&neu, head->data, head->len);
			buf_append(&neu, body->data, body->len);
			assert_int_equal(neu.len, old.len);
			assert_memory_equal(neu.data, old.data, old.len);
			compared++;
		}
	}
	assert_true(compared >= 6 * (n - 1));
	for (size_t k = 0; k < NN; k++)
		snapdelta_base_free(base[k]);
	snapdelta_enc_free(e);
	buf_fini(&v1);
	buf_fini(&v2);
	buf_fini(&old);
	buf_fini(&neu);
	got_fini(a);
	free(a);
}

/* The small stream the damage tests cut and flip: keyframes at 1, 4, 7. */
#define DN 8
#define DK 3

static void expect_good_is_original(const struct got *g, const struct got *orig)
{
	for (unsigned i = 0; i < MAXSNAP; i++) {
		if (!g->good[i])
			continue;
		assert_true(i >= 1 && i <= DN);
		assert_int_equal(g->snap[i].len, orig->snap[i].len);
		assert_memory_equal(g->snap[i].data, orig->snap[i].data, g->snap[i].len);
	}
}

static void test_torn_tail_every_offset(void **state)
{
	struct buf v2 = BUF_INIT;
	struct got *orig = calloc(1, sizeof(*orig)), *g = calloc(1, sizeof(*g));
	size_t offs[DN + 2];

	(void)state;
	write_walk(7, DN, DK, &v2, NULL, offs);
	read_all(v2.data, v2.len, v2.len, orig);
	assert_int_equal(orig->ngood, DN);
	for (size_t cut = 0; cut <= v2.len; cut++) {
		memset(g, 0, sizeof(*g));
		read_all(v2.data, cut, cut ? cut : 1, g);
		expect_good_is_original(g, orig);
		/* every snapshot that ended before the cut is returned */
		for (unsigned i = 1; i <= DN; i++)
			assert_int_equal(g->good[i], offs[i + 1] <= cut);
		got_fini(g);
	}
	buf_fini(&v2);
	got_fini(orig);
	free(orig);
	free(g);
}

static void test_flip_every_byte(void **state)
{
	struct buf v2 = BUF_INIT;
	struct got *orig = calloc(1, sizeof(*orig)), *g = calloc(1, sizeof(*g));
	size_t offs[DN + 2];

	(void)state;
	write_walk(11, DN, DK, &v2, NULL, offs);
	read_all(v2.data, v2.len, v2.len, orig);
	assert_int_equal(orig->ngood, DN);
	for (size_t at = 0; at < v2.len; at++) {
		unsigned s = 1, last, next_key;

		while (offs[s + 1] <= at)
			s++;
		/* The LF ending s also starts the next snapshot's magic line. */
		last = at + 1 == offs[s + 1] ? s + 1 : s;
		next_key = ((last - 1) / DK + 1) * DK + 1;   /* first keyframe after it */
		v2.data[at] ^= 0x20;
		memset(g, 0, sizeof(*g));
		read_all(v2.data, v2.len, 4096, g);
		v2.data[at] ^= 0x20;
		expect_good_is_original(g, orig);
		assert_false(g->good[s]);
		for (unsigned i = 1; i < s; i++) {
			assert_true(g->good[i]);
		}
		for (unsigned i = last + 1; i < next_key && i <= DN; i++)
			assert_false(g->good[i]);
		for (unsigned i = next_key; i <= DN; i++) {
			assert_true(g->good[i]);
		}
		got_fini(g);
	}
	buf_fini(&v2);
	got_fini(orig);
	free(orig);
	free(g);
}

/* A snapshot lost from the middle (cut out whole): the deltas after it say
 * their base is missing and are skipped; the next keyframe reads again. */
static void test_missing_base(void **state)
{
	struct buf v2 = BUF_INIT, cut = BUF_INIT;
	struct got *g = calloc(1, sizeof(*g));
	size_t offs[DN + 2];

	(void)state;
	write_walk(3, DN, DK, &v2, NULL, offs);
	buf_append(&cut, v2.data, offs[2]);
	buf_append(&cut, v2.data + offs[3], v2.len - offs[3]);
	read_all(cut.data, cut.len, 100, g);
	assert_true(g->good[1]);
	assert_false(g->good[2]);
	assert_false(g->good[3]);
	assert_true(g->bad_base);
	for (unsigned i = 4; i <= DN; i++)
		assert_true(g->good[i]);
	buf_fini(&v2);
	buf_fini(&cut);
	got_fini(g);
	free(g);
}

/* Reads p with snap_reader_select(names) (NULL: all) into g. */
static void read_selected(const char *p, size_t len, const char *const *names, struct got *g)
{
	struct snap_reader *r = snap_reader_new();
	struct snap_event ev;

	assert_non_null(r);
	snap_reader_select(r, names);
	snap_reader_feed(r, p, len);
	while (snap_reader_next(r, &ev) != SNAP_EV_NONE)
		on_event(g, &ev);
	while (snap_reader_eof(r, &ev) != SNAP_EV_NONE)
		on_event(g, &ev);
	snap_reader_free(r);
}

/* "\0name\ncontent" of section name in a got snapshot, or NULL. */
static const char *got_section(const struct buf *snap, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl + 2 <= snap->len; i++) {
		if (snap->data[i] == '\0' && !memcmp(snap->data + i + 1, name, nl) &&
		    snap->data[i + 1 + nl] == '\n') {
			const char *c = snap->data + i + nl + 2;
			const char *end = memchr(c, '\0', (size_t)(snap->data + snap->len - c));

			*len = end ? (size_t)(end - c) : (size_t)(snap->data + snap->len - c);
			return c;
		}
	}
	return NULL;
}

/* Import reads only sockets, counters and processes: every good snapshot
 * gives those sections exactly as a full read does, nothing else, and
 * damage is found all the same (the encoded CRC, the chain of bases). */
static void test_select_reads_the_same(void **state)
{
	static const char *const names[] = {"sockets", "counters", NULL};
	struct buf v2 = BUF_INIT, cut = BUF_INIT;
	struct got *all = calloc(1, sizeof(*all)), *sel = calloc(1, sizeof(*sel));
	size_t offs[DN + 2];

	(void)state;
	assert_non_null(all);
	assert_non_null(sel);
	write_walk(7, DN, DK, &v2, NULL, offs);
	read_selected(v2.data, v2.len, NULL, all);
	read_selected(v2.data, v2.len, names, sel);
	assert_int_equal(all->ngood, DN);
	assert_int_equal(sel->ngood, DN);
	for (unsigned i = 1; i <= DN; i++) {
		size_t la, ls;
		const char *a, *b;

		assert_true(sel->good[i]);
		for (int k = 0; names[k]; k++) {
			a = got_section(&all->snap[i], names[k], &la);
			b = got_section(&sel->snap[i], names[k], &ls);
			assert_non_null(a);
			assert_non_null(b);
			assert_int_equal(la, ls);
			assert_memory_equal(a, b, la);
		}
		assert_null(got_section(&sel->snap[i], "proc/net/tcp", &ls));
		assert_null(got_section(&sel->snap[i], "processes", &ls));
	}
	/* a byte flipped in a section left out still makes its snapshot bad,
	 * and the deltas after it wait for the next keyframe */
	buf_append(&cut, v2.data, v2.len);
	{
		const char *t = memmem(cut.data + offs[3], offs[4] - offs[3], "SECTION proc/net/tcp\n", 21);
		const char *dl;

		assert_non_null(t);
		dl = memchr(t + 21, '\n', (size_t)(cut.data + offs[4] - t - 21));   /* "DATA n" */
		assert_non_null(dl);
		cut.data[dl + 3 - cut.data] ^= 0x20;
	}
	got_fini(sel);
	memset(sel, 0, sizeof(*sel));
	read_selected(cut.data, cut.len, names, sel);
	assert_true(sel->good[2]);
	assert_false(sel->good[3]);
	for (unsigned i = 4; i <= DN; i++)
		assert_int_equal(sel->good[i], sel->frame[i] == SNAP_FRAME_KEY || i > DK);
	buf_fini(&v2);
	buf_fini(&cut);
	got_fini(all);
	got_fini(sel);
	free(all);
	free(sel);
}

static const char *const tracked_sockets[] = {"sockets", NULL};

/* The line sources a delta gives for the tracked section are true: a copy
 * is its base line but for the countdown column, which holds `when`. */
static void test_provenance_is_true(void **state)
{
	struct buf v2 = BUF_INIT, prev = BUF_INIT, cur = BUF_INIT;
	struct snap_reader *r = snap_reader_new();
	struct snap_event ev;
	const struct snapdelta_prov *pv = NULL;
	bool in_sockets = false;
	unsigned copies = 0, moved = 0, others = 0, deltas = 0;

	(void)state;
	assert_non_null(r);
	write_walk(11, 120, 40, &v2, NULL, NULL);
	snap_reader_track(r, tracked_sockets);
	snap_reader_feed(r, v2.data, v2.len);
	while (snap_reader_next(r, &ev) != SNAP_EV_NONE) {
		if (ev.type == SNAP_EV_SECTION) {
			in_sockets = !strcmp(ev.section, "sockets");
			if (in_sockets) {
				pv = ev.prov;
				buf_reset(&cur);
				assert_true(!pv || ev.hdr->frame == SNAP_FRAME_DELTA);
			}
			continue;
		}
		if (ev.type == SNAP_EV_DATA && in_sockets) {
			buf_append(&cur, ev.data, ev.len);
			continue;
		}
		if (ev.type != SNAP_EV_END)
			continue;
		in_sockets = false;
		if (pv) {
			/* the lines of both, by number */
			const char *pl[4096], *cl[4096];
			size_t pn = 0, cn = 0;

			for (const char *q = prev.data, *e = prev.data + prev.len; q < e && pn < 4096;
			     q = (const char *)memchr(q, '\n', (size_t)(e - q)) + 1)
				pl[pn++] = q;
			for (const char *q = cur.data, *e = cur.data + cur.len; q < e && cn < 4096;
			     q = (const char *)memchr(q, '\n', (size_t)(e - q)) + 1)
				cl[cn++] = q;
			deltas++;
			assert_int_equal(pv->n, cn);
			assert_int_equal(pv->mode, 2);
			for (size_t i = 0; i < cn; i++) {
				const struct snapdelta_src *src = &pv->v[i];
				size_t clen = strcspn(cl[i], "\n"), plen;
				char want[512];

				assert_int_equal(src->len, clen);
				if (!src->base) {
					others++;
					continue;
				}
				copies++;
				assert_true(src->base - 1 < pn);
				plen = strcspn(pl[src->base - 1], "\n");
				if (src->same) {
					assert_int_equal(clen, plen);
					assert_memory_equal(cl[i], pl[src->base - 1], clen);
				} else {
					/* the base line with column col replaced by when */
					const char *b = pl[src->base - 1], *c0 = b, *c1;
					int n;

					moved++;
					for (uint64_t c = 0; c < pv->col; c++)
						c0 = memchr(c0, '\t', plen - (size_t)(c0 - b)) + 1;
					c1 = memchr(c0, '\t', plen - (size_t)(c0 - b));
					if (!c1)
						c1 = b + plen;
					n = snprintf(want, sizeof want, "%.*s%" PRIu64 "%.*s",
						     (int)(c0 - b), b, src->when, (int)(b + plen - c1), c1);
					assert_int_equal((size_t)n, clen);
					assert_memory_equal(want, cl[i], clen);
				}
			}
		}
		buf_reset(&prev);
		buf_append(&prev, cur.data, cur.len);
		pv = NULL;
	}
	/* the walk copies, moves countdowns, and changes rows */
	assert_true(deltas > 100);
	assert_true(copies > others);
	assert_true(moved > 0 && moved < copies);
	assert_true(others > 0);
	snap_reader_free(r);
	buf_fini(&v2);
	buf_fini(&prev);
	buf_fini(&cur);
}

/* Decodes texts[0..n) of section name as a chain of deltas, twice: each
 * against the plain base, and against the base's kept lines (what the
 * reader does); the two give the same bytes, and the text each step. */
static void chain_same(const char *name, const char *const *texts, size_t n)
{
	struct snapdelta_split sp[2] = {{0}, {0}};
	struct snapdelta_prov prov = {0};
	struct buf out[2] = {BUF_INIT, BUF_INIT}, plain = BUF_INIT, enc = BUF_INIT;
	const char *what;
	unsigned kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct snapdelta_split *ps = &sp[(i + 1) % 2], *os = &sp[i % 2];
		struct buf *pb = &out[(i + 1) % 2], *ob = &out[i % 2];

		buf_reset(&enc);
		if (i == 0)
			assert_int_equal(snapdelta_encode_key(texts[0], strlen(texts[0]), &enc), 0);
		else
			assert_int_equal(snapdelta_encode(name, texts[i - 1], strlen(texts[i - 1]),
							  texts[i], strlen(texts[i]), &enc),
					 0);
		buf_reset(ob);
		buf_reset(&plain);
		kept += ps->valid;
		assert_int_equal(snapdelta_decode_split(pb->data, pb->len, ps, enc.data, enc.len, ob,
							os, &prov, &what),
				 0);
		/* each line's source gives its length (a delta's: a keyframe
		 * has no sources) */
		assert_int_equal(prov.valid, enc.data[0] == SNAPDELTA_DELTA);
		for (size_t k = 0, off = 0; prov.valid && k < prov.n; k++) {
			size_t len = strcspn(ob->data + off, "\n");

			assert_true(off + len <= ob->len);
			assert_int_equal(prov.v[k].len, len);
			off += len + 1;
		}
		assert_int_equal(snapdelta_decode(i ? texts[i - 1] : NULL,
						  i ? strlen(texts[i - 1]) : 0, enc.data, enc.len,
						  &plain, &what),
				 0);
		assert_int_equal(ob->len, strlen(texts[i]));
		assert_memory_equal(ob->data, texts[i], ob->len);
		assert_int_equal(plain.len, ob->len);
	}
	assert_true(n < 3 || kept > 0);   /* the kept lines were used */
	for (int k = 0; k < 2; k++) {
		snapdelta_split_fini(&sp[k]);
		buf_fini(&out[k]);
	}
	snapdelta_prov_fini(&prov);
	buf_fini(&plain);
	buf_fini(&enc);
}

/* The lines a decode keeps are those splitting its text gives, also where
 * the moving numbers grow to 19 and 20 digits, a row number outgrows the
 * width, the last line is empty, or a section ends without LF. */
static void test_kept_lines_are_the_split(void **state)
{
	static const char *const tsv[] = {
		"proto\tx\texpires_ms\ty\nA\t1\t500\tz\nB\t2\t9\tz\nC\t3\t0\t\n",
		"proto\tx\texpires_ms\ty\nA\t1\t400\tz\nB\t2\t8\tz\nC\t3\t0\t\nD\t4\t7\tq\n",
		"proto\tx\texpires_ms\ty\nA\t1\t9999999999999999999\tz\nB\t2\t7\tz\nD\t4\t6\tq\n",
		"proto\tx\texpires_ms\ty\nA\t1\t18446744073709551615\tz\nB\t2\t6\tz\nD\t4\t5\tq\n",
		"proto\tx\texpires_ms\ty\nA\t1\t300\tz\nB\t2\t05\tz\nD\t4\t4\tq\n",
		"proto\tx\texpires_ms\ty\nA\t1\t200\tz\nB\t2\t5\tz\nD\t4\t3\tq\n\n",
		"proto\tx\texpires_ms\ty\nA\t1\t100\tz\nB\t2\t4\tz\nD\t4\t2\tq",
		"proto\tx\texpires_ms\ty\nA\t1\t90\tz\nB\t2\t3\tz\nD\t4\t1\tq\n",
		"proto\tx\texpires_ms\ty\nA\t1\t80\tz\nB\t2\t2\tz\nD\t4\t0\tq\n",
	};
	static const char *const proc[] = {
		"  sl  local\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 02:000000FF 0\n"
		"   1: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 0\n",
		"  sl  local\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 02:000000F0 0\n"
		"   1: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 0\n"
		"   2: 0100007F:0052 00000000:0000 0A 00000000:00000000 02:00000010 0\n",
		"  sl  local\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 02:000000E0 0\n"
		"9999: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 0\n"
		"10000: 0100007F:0052 00000000:0000 0A 00000000:00000000 02:00000008 0\n",
		"  sl  local\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 02:000000D0 0\n"
		"   1: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 0\n"
		"   2: 0100007F:0052 00000000:0000 0A 00000000:00000000 02:00000004 0",
		"  sl  local\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 02:000000C0 0\n"
		"   1: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 0\n"
		"   2: 0100007F:0052 00000000:0000 0A 00000000:00000000 02:00000002 0\n",
		"  sl  local\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 02:000000B0 0\n"
		"   1: 0100007F:0051 00000000:0000 0A 00000000:00000000 00:00000000 0\n"
		"   2: 0100007F:0052 00000000:0000 0A 00000000:00000000 02:00000001 0\n",
	};
	static const char *const plain[] = {"a\nb\nc\n", "a\nb\nc\nd\n", "a\nc\nd\n\n", "a\nc\nd\n",
					    "a\nc\nd\n", ""};

	(void)state;
	chain_same("sockets", tsv, sizeof tsv / sizeof tsv[0]);
	chain_same("proc/net/tcp", proc, sizeof proc / sizeof proc[0]);
	chain_same("counters", plain, sizeof plain / sizeof plain[0]);
}

/* Hostile encodings: d1 against base, then d2 against what it gave, read
 * with d1's kept lines and without; the same result either way. */
static void kept_same(const char *base, const char *d1, size_t n1, const char *d2, size_t n2,
		      int want)
{
	struct snapdelta_split s1 = {0}, s2 = {0};
	struct buf o1 = BUF_INIT, o2 = BUF_INIT, plain = BUF_INIT;
	const char *what;
	int rc;

	assert_int_equal(snapdelta_decode_split(base, strlen(base), NULL, d1, n1, &o1, &s1, NULL,
						&what),
			 0);
	rc = snapdelta_decode_split(o1.data, o1.len, &s1, d2, n2, &o2, &s2, NULL, &what);
	assert_int_equal(rc, want);
	assert_int_equal(snapdelta_decode(o1.data, o1.len, d2, n2, &plain, &what), rc);
	assert_int_equal(plain.len, o2.len);
	if (rc == 0)
		assert_memory_equal(plain.data, o2.data, o2.len);
	snapdelta_split_fini(&s1);
	snapdelta_split_fini(&s2);
	buf_fini(&o1);
	buf_fini(&o2);
	buf_fini(&plain);
}

/* Lines a split would read otherwise than the encoding made them: a
 * literal with a LF in it (two lines), an empty last line without LF (no
 * line), a copied countdown of 20 digits (no countdown: the next copy of
 * it has no residual). */
static void test_kept_lines_hostile(void **state)
{
	/* plain: a literal "a\nb", final LF; then a copy of line 1 */
	static const char lf1[] = "D\x00\x00\x01\x01\x05\x00\x03"
				  "a\nb";
	static const char lf2[] = "D\x00\x00\x01\x01\x04\x02";
	/* plain: literals "a" and "", no final LF; then a copy of line 1 */
	static const char em1[] = "D\x00\x00\x02\x00\x09\x00\x01"
				  "a\x00\x00";
	static const char em2[] = "D\x00\x00\x01\x01\x04\x02";
	/* TSV, column 1: "a\t5" copied with its countdown moved to 10^19; then
	 * copied again, as it is */
	static const char big1[] = "D\x02\x01\x00\x01\x01\x04\x00"
				   "\x89\x80\xc0\xe1\xee\xbe\xee\xb8\xea\x01";
	static const char big2[] = "D\x02\x01\x00\x01\x01\x04\x00";
	/* the same inside a run of copies: "a\t5" as it is, then "b\t6" moved
	 * to 10^19 (the run's rest goes the general way); then both copied */
	static const char mid1[] = "D\x02\x01\x00\x02\x01\x08\x00\x00"
				   "\x8b\x80\xc0\xe1\xee\xbe\xee\xb8\xea\x01";
	static const char mid2[] = "D\x02\x01\x00\x02\x01\x08\x00\x00";

	(void)state;
	kept_same("x\n", lf1, sizeof lf1 - 1, lf2, sizeof lf2 - 1, 0);
	kept_same("x\n", em1, sizeof em1 - 1, em2, sizeof em2 - 1, -EINVAL);
	kept_same("a\t5\n", big1, sizeof big1 - 1, big2, sizeof big2 - 1, 0);
	kept_same("a\t5\nb\t6\n", mid1, sizeof mid1 - 1, mid2, sizeof mid2 - 1, 0);
	{
		struct buf o = BUF_INIT;
		const char *what;
		static const char want[] = "a\t5\nb\t10000000000000000000\n";

		assert_int_equal(snapdelta_decode("a\t5\nb\t6\n", 8, mid1, sizeof mid1 - 1, &o, &what),
				 0);
		assert_int_equal(o.len, sizeof want - 1);
		assert_memory_equal(o.data, want, o.len);
		buf_fini(&o);
	}
}

static void decode_rejects(const char *enc, size_t n, const char *prev)
{
	struct buf out = BUF_INIT;
	const char *what = NULL;

	assert_int_equal(snapdelta_decode(prev, prev ? strlen(prev) : 0, enc, n, &out, &what),
			 -EINVAL);
	assert_non_null(what);
	buf_fini(&out);
}

static void test_hostile_deltas(void **state)
{
	(void)state;
	decode_rejects("", 0, NULL);
	decode_rejects("Z", 1, NULL);
	/* mode 0, tick 0, 1 line, final LF, copy 1 line at 0 from an empty base */
	decode_rejects("D\x00\x00\x01\x01\x04\x00", 7, "");
	/* copy far outside the base */
	decode_rejects("D\x00\x00\x01\x01\x04\x7e", 7, "a\n");
	/* absurd line count */
	decode_rejects("D\x00\x00\xff\xff\xff\xff\x0f\x01\x04\x00", 11, "a\n");
	/* literal longer than the input */
	decode_rejects("D\x00\x00\x01\x01\x05\x00\x7f" "ab", 10, NULL);
	/* trailing bytes */
	decode_rejects("D\x00\x00\x01\x01\x04\x00" "x", 8, "a\n");
	/* an edit keeping more of the base row than it has */
	decode_rejects("D\x00\x00\x01\x01\x06\x09\x00\x00", 9, "a\n");
	/* an edit past the end of the base */
	decode_rejects("D\x00\x00\x01\x01\x06\x00\x00\x00", 9, "");
	/* run kind 3 */
	decode_rejects("D\x00\x00\x01\x01\x07", 6, "a\n");
	/* bad mode, width out of range */
	decode_rejects("D\x07\x00\x00\x01", 5, NULL);
	decode_rejects("D\x01\x7f\x00\x00\x01", 6, NULL);
}

/* A derived section that does not rebuild to its digest is an error, never
 * different output; a reader skipping renderings still reads the rest. */
static void test_derived_mismatch(void **state)
{
	struct buf v2 = BUF_INIT;
	struct snap_writer *w = snap_writer_new(to_buf, &v2);
	struct snap_header h;
	const char *na = "Active Internet connections (servers and established)\n"
			 "Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n";

	(void)state;
	assert_int_equal(snap_writer_set_delta(w, 10), 0);
	snap_writer_derive(w, true);
	for (uint64_t seq = 1; seq <= 2; seq++) {
		header(&h, seq);
		assert_int_equal(snap_writer_begin(w, &h), 0);
		assert_int_equal(snap_writer_section(w, "counters"), 0);
		assert_int_equal(snap_writer_write(w, "name\tvalue\n", 11), 0);
		assert_int_equal(snap_writer_section(w, "netstat -na"), 0);
		/* seq 1: what the rebuild gives (no sockets); seq 2: a forgery */
		assert_int_equal(snap_writer_write(w, na, strlen(na)), 0);
		if (seq == 2)
			assert_int_equal(snap_writer_write(w, "tcp forged\n", 11), 0);
		assert_int_equal(snap_writer_end(w), 0);
	}
	snap_writer_free(w);
	for (int skip = 0; skip <= 1; skip++) {
		struct snap_reader *r = snap_reader_new();
		struct snap_event ev;
		int good = 0, bad = 0, sections = 0;

		snap_reader_skip_derived(r, skip);
		snap_reader_feed(r, v2.data, v2.len);
		while (snap_reader_next(r, &ev) != SNAP_EV_NONE || snap_reader_eof(r, &ev) != SNAP_EV_NONE) {
			good += ev.type == SNAP_EV_END;
			sections += ev.type == SNAP_EV_SECTION;
			if (ev.type == SNAP_EV_BAD) {
				bad++;
				assert_non_null(strstr(ev.error, "does not rebuild to its SHA-256"));
			}
		}
		assert_int_equal(good, skip ? 2 : 1);
		assert_int_equal(bad, skip ? 0 : 1);
		assert_int_equal(sections, skip ? 2 : 2);
		snap_reader_free(r);
	}
	buf_fini(&v2);
}

struct failing {
	struct buf b;
	int fail_at;      /* the call that fails (0: none) */
	int calls;
};

static int to_failing(void *ctx, const void *p, size_t n)
{
	struct failing *f = ctx;

	if (++f->calls == f->fail_at)
		return -ENOSPC;
	return buf_append(&f->b, p, n);
}

/* After a write error the base is gone: the next snapshot is a keyframe,
 * and so is the first after snap_writer_keyframe() (a new segment). */
static void test_keyframe_after_error(void **state)
{
	struct failing f = {BUF_INIT, 0, 0};
	struct snap_writer *w = snap_writer_new(to_failing, &f);
	struct snap_header h;
	struct got *g = calloc(1, sizeof(*g));
	int rc;

	(void)state;
	assert_int_equal(snap_writer_set_delta(w, 100), 0);
	for (uint64_t seq = 1; seq <= 6; seq++) {
		size_t start = f.b.len;

		header(&h, seq);
		f.fail_at = seq == 3 ? f.calls + 2 : 0;   /* seq 3 fails mid-way */
		if (seq == 5)
			snap_writer_keyframe(w);
		rc = snap_writer_begin(w, &h);
		if (rc == 0)
			rc = snap_writer_section(w, "counters");
		if (rc == 0)
			rc = snap_writer_write(w, "name\tvalue\nTcp.X\t1\n", 19);
		if (rc == 0)
			rc = snap_writer_end(w);
		if (seq == 3) {
			assert_int_equal(rc, -ENOSPC);
			snap_writer_abort(w);
			/* as the segment does: back to the last complete snapshot */
			buf_truncate(&f.b, start);
		} else {
			assert_int_equal(rc, 0);
		}
	}
	snap_writer_free(w);
	read_all(f.b.data, f.b.len, 97, g);
	assert_int_equal(g->nbad, 0);
	assert_true(g->good[1] && g->good[2] && !g->good[3] && g->good[4] && g->good[5] && g->good[6]);
	assert_int_equal(g->frame[1], SNAP_FRAME_KEY);
	assert_int_equal(g->frame[2], SNAP_FRAME_DELTA);
	assert_int_equal(g->frame[4], SNAP_FRAME_KEY);   /* after the error */
	assert_int_equal(g->frame[5], SNAP_FRAME_KEY);   /* new segment */
	assert_int_equal(g->frame[6], SNAP_FRAME_DELTA);
	buf_fini(&f.b);
	got_fini(g);
	free(g);
}

/* A keyframe that is no base (snap_writer_last: the recorder's --once or
 * last --count snapshot) is streamed instead of kept: the same bytes, block
 * for block, and the snapshot after it is a keyframe again. */
static void test_last_streams_same_bytes(void **state)
{
	struct buf kept = BUF_INIT, streamed = BUF_INIT, big = BUF_INIT, exact = BUF_INIT;
	size_t end1[2] = {0, 0};
	struct got *g = calloc(1, sizeof(*g));

	(void)state;
	assert_non_null(g);
	for (int i = 0; i < 20000; i++)   /* ~0.8 MB: many blocks */
		buf_printf(&big, "row %d of a section longer than one block\n", i);
	while (exact.len < 65535)         /* 'K' + text = exactly one block */
		buf_putc(&exact, exact.len % 64 == 63 ? '\n' : 'x');
	for (int pass = 0; pass < 2; pass++) {
		struct buf *out = pass ? &streamed : &kept;
		struct snap_writer *sw = snap_writer_new(to_buf, out);
		struct walk *w = calloc(1, sizeof(*w));
		struct snap_header h;

		assert_non_null(sw);
		assert_non_null(w);
		w->rng = 7;
		w->now = 500000;
		assert_int_equal(snap_writer_set_delta(sw, 60), 0);
		for (uint64_t seq = 1; seq <= 3; seq++) {
			walk_step(w);
			header(&h, seq);
			/* 1: a keyframe, streamed; 3: a delta, which cannot be */
			if (pass && seq != 2)
				snap_writer_last(sw);
			assert_int_equal(snap_writer_begin(sw, &h), 0);
			assert_int_equal(snap_writer_section(sw, "big"), 0);
			for (size_t off = 0; off < big.len; off += 1000)
				assert_int_equal(snap_writer_write(sw, big.data + off,
								   big.len - off < 1000 ? big.len - off : 1000), 0);
			assert_int_equal(snap_writer_section(sw, "exact"), 0);
			assert_int_equal(snap_writer_write(sw, exact.data, exact.len), 0);
			write_sections(sw, w, seq);
			assert_int_equal(snap_writer_end(sw), 0);
			if (seq == 1)
				end1[pass] = out->len;
		}
		snap_writer_free(sw);
		free(w);
	}
	assert_int_equal(end1[0], end1[1]);
	assert_memory_equal(kept.data, streamed.data, end1[0]);
	read_all(streamed.data, streamed.len, 4093, g);
	assert_int_equal(g->nbad, 0);
	assert_int_equal(g->ngood, 3);
	assert_int_equal(g->frame[1], SNAP_FRAME_KEY);
	assert_int_equal(g->frame[2], SNAP_FRAME_KEY);   /* its base was not kept */
	assert_int_equal(g->frame[3], SNAP_FRAME_DELTA);
	buf_fini(&kept);
	buf_fini(&streamed);
	buf_fini(&big);
	buf_fini(&exact);
	got_fini(g);
	free(g);
}

/* The writer frees each base section once a delta used it: a section name
 * written twice in one snapshot must still decode to what was written. */
static void test_section_name_twice(void **state)
{
	struct buf out = BUF_INIT;
	struct snap_writer *w = snap_writer_new(to_buf, &out);
	struct snap_header h;
	struct got *g = calloc(1, sizeof(*g));
	static const char *const txt[3][2] = {
		{"x\n1\n2\n", "y\n7\n"}, {"x\n1\n3\n", "y\n7\n8\n"}, {"x\n", "y\n"}};

	(void)state;
	assert_non_null(w);
	assert_non_null(g);
	assert_int_equal(snap_writer_set_delta(w, 100), 0);
	for (uint64_t seq = 1; seq <= 3; seq++) {
		header(&h, seq);
		assert_int_equal(snap_writer_begin(w, &h), 0);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(snap_writer_section(w, "a"), 0);
			assert_int_equal(snap_writer_write(w, txt[seq - 1][k], strlen(txt[seq - 1][k])), 0);
		}
		assert_int_equal(snap_writer_end(w), 0);
	}
	snap_writer_free(w);
	read_all(out.data, out.len, 5, g);
	assert_int_equal(g->nbad, 0);
	for (uint64_t seq = 1; seq <= 3; seq++) {
		char want[64];
		int n = snprintf(want, sizeof(want), "%ca\n%s%ca\n%s", 0, txt[seq - 1][0], 0,
				 txt[seq - 1][1]);

		assert_true(g->good[seq]);
		assert_int_equal(g->snap[seq].len, (size_t)n);
		assert_memory_equal(g->snap[seq].data, want, (size_t)n);
	}
	assert_int_equal(g->frame[3], SNAP_FRAME_DELTA);
	buf_fini(&out);
	got_fini(g);
	free(g);
}

/* A rendering whose digest the recorder took itself, row by row
 * (snap_writer_derived), is written with the same bytes as one whose text
 * went through the writer; the writer refuses it where the text is needed
 * (a twin) or where no rendering is derived. */
static void test_derived_digest_given_whole(void **state)
{
	static const char text[] = "Active Internet connections\nrow 1\nrow 2\n";
	struct buf a = BUF_INIT, b = BUF_INIT, t = BUF_INIT;
	uint8_t d[SHA256_LEN];
	struct sha256 sh;
	struct snap_header h;

	(void)state;
	sha256_init(&sh);
	sha256_update(&sh, text, 10);
	sha256_update(&sh, text + 10, strlen(text) - 10);
	sha256_final(&sh, d);
	for (int k = 0; k < 2; k++) {
		struct snap_writer *w = snap_writer_new(to_buf, k ? &b : &a);

		assert_non_null(w);
		assert_int_equal(snap_writer_set_delta(w, 10), 0);
		snap_writer_derive(w, true);
		assert_true(snap_writer_takes_digests(w));
		for (uint64_t seq = 1; seq <= 2; seq++) {
			header(&h, seq);
			assert_int_equal(snap_writer_begin(w, &h), 0);
			assert_int_equal(snap_writer_section(w, "a"), 0);
			assert_int_equal(snap_writer_write(w, "x\n", 2), 0);
			if (k) {
				assert_int_equal(snap_writer_derived(w, "netstat -na", d, strlen(text)), 0);
			} else {
				assert_int_equal(snap_writer_section(w, "netstat -na"), 0);
				assert_int_equal(snap_writer_write(w, text, strlen(text)), 0);
			}
			assert_int_equal(snap_writer_section(w, "b"), 0);
			assert_int_equal(snap_writer_end(w), 0);
		}
		/* not a rendering's name; and no digests when not derived */
		header(&h, 3);
		assert_int_equal(snap_writer_begin(w, &h), 0);
		assert_int_equal(snap_writer_derived(w, "sockets", d, 1), -EINVAL);
		snap_writer_derive(w, false);
		assert_false(snap_writer_takes_digests(w));
		assert_int_equal(snap_writer_derived(w, "netstat -na", d, 1), -EINVAL);
		snap_writer_free(w);
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	{
		struct snap_writer *w = snap_writer_new(to_buf, &a);

		assert_non_null(w);
		assert_int_equal(snap_writer_set_delta(w, 10), 0);
		assert_int_equal(snap_writer_set_twin(w, to_buf, &t), 0);
		snap_writer_derive(w, true);
		assert_false(snap_writer_takes_digests(w));
		snap_writer_free(w);
	}
	buf_fini(&a);
	buf_fini(&b);
	buf_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_walk_equals_v1),
		cmocka_unit_test(test_stream_encoder_same_bytes),
		cmocka_unit_test(test_torn_tail_every_offset),
		cmocka_unit_test(test_flip_every_byte),
		cmocka_unit_test(test_missing_base),
		cmocka_unit_test(test_select_reads_the_same),
		cmocka_unit_test(test_provenance_is_true),
		cmocka_unit_test(test_hostile_deltas),
		cmocka_unit_test(test_kept_lines_are_the_split),
		cmocka_unit_test(test_kept_lines_hostile),
		cmocka_unit_test(test_derived_mismatch),
		cmocka_unit_test(test_keyframe_after_error),
		cmocka_unit_test(test_last_streams_same_bytes),
		cmocka_unit_test(test_section_name_twice),
		cmocka_unit_test(test_derived_digest_given_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
