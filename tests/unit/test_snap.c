/* Unit tests for common/snap: writer/reader round trip, torn tails at every
 * byte offset, corruption, unknown sections, versions and junk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>

#include "buf.h"
#include "crc32c.h"
#include "snap.h"

static int to_buf(void *ctx, const void *p, size_t n)
{
	return buf_append(ctx, p, n);
}

static void header(struct snap_header *h, uint64_t seq)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->host, sizeof(h->host), "web1");
	h->time = 1764079800123456LL + (int64_t)seq * 1000000;
	h->seq = seq;
	h->interval = 1500000;
	snprintf(h->reason, sizeof(h->reason), "burst: syn_recv 300 >= 256");
	snprintf(h->kernel, sizeof(h->kernel), "6.1.0-28-amd64");
	snprintf(h->boot_id, sizeof(h->boot_id), "0c6b6a0e-6d3c-4a8b-9a55-3f4e1c2b7d10");
	snprintf(h->recorder, sizeof(h->recorder), "sockscope-recorder test");
}

/* Writes `n` snapshots; snapshot i has sections "a" (i lines) and "b". */
static void write_stream(struct buf *out, int n, size_t big)
{
	struct snap_writer *w = snap_writer_new(to_buf, out);
	struct snap_header h;

	assert_non_null(w);
	for (int i = 1; i <= n; i++) {
		header(&h, (uint64_t)i);
		assert_int_equal(snap_writer_begin(w, &h), 0);
		assert_int_equal(snap_writer_section(w, "a"), 0);
		for (int j = 0; j < i; j++) {
			char line[32];
			int len = snprintf(line, sizeof(line), "line %d of %d\n", j, i);
			assert_int_equal(snap_writer_write(w, line, (size_t)len), 0);
		}
		assert_int_equal(snap_writer_section(w, "netstat -n -p"), 0);
		for (size_t k = 0; k < big; k++)
			assert_int_equal(snap_writer_write(w, "0123456789abcdef\n", 17), 0);
		assert_int_equal(snap_writer_section(w, "empty"), 0);
		assert_int_equal(snap_writer_end(w), 0);
	}
	snap_writer_free(w);
}

struct result {
	int good, bad, junk;
	uint64_t good_seq[16];
	struct buf sec[16];       /* content of section "a" per good snapshot */
	struct buf cur;
	size_t big_bytes;
	const char *last_error;
};

static void result_fini(struct result *r)
{
	for (int i = 0; i < 16; i++)
		buf_fini(&r->sec[i]);
	buf_fini(&r->cur);
}

/* Reads `len` bytes fed in pieces of `piece` bytes, then EOF. */
static void read_stream(const char *p, size_t len, size_t piece, struct result *res)
{
	struct snap_reader *r = snap_reader_new();
	struct snap_event ev;
	size_t off = 0, big = 0;

	assert_non_null(r);
	memset(res, 0, sizeof(*res));
	for (;;) {
		enum snap_ev e;
		if (off < len) {
			size_t k = len - off < piece ? len - off : piece;
			snap_reader_feed(r, p + off, k);
			off += k;
		}
		while ((e = snap_reader_next(r, &ev)) != SNAP_EV_NONE) {
			switch (e) {
			case SNAP_EV_BEGIN:
				buf_reset(&res->cur);
				big = 0;
				break;
			case SNAP_EV_DATA:
				if (!strcmp(ev.section, "a"))
					buf_append(&res->cur, ev.data, ev.len);
				else
					big += ev.len;
				break;
			case SNAP_EV_END:
				assert_true(res->good < 16);
				assert_string_equal(ev.hdr->host, "web1");
				res->good_seq[res->good] = ev.hdr->seq;
				buf_append(&res->sec[res->good], res->cur.data ? res->cur.data : "",
					   res->cur.len);
				res->big_bytes = big;
				res->good++;
				break;
			case SNAP_EV_BAD:
				res->bad++;
				res->last_error = ev.error;
				break;
			case SNAP_EV_JUNK:
				res->junk++;
				break;
			default:
				break;
			}
		}
		if (off == len)
			break;
	}
	for (;;) {
		enum snap_ev e = snap_reader_eof(r, &ev);
		if (e == SNAP_EV_NONE)
			break;
		if (e == SNAP_EV_BAD) {
			res->bad++;
			res->last_error = ev.error;
		} else if (e == SNAP_EV_JUNK) {
			res->junk++;
		}
	}
	snap_reader_free(r);
}

static void expect_section_a(const struct result *res, int idx, int seq)
{
	struct buf want = BUF_INIT;

	for (int j = 0; j < seq; j++)
		buf_printf(&want, "line %d of %d\n", j, seq);
	assert_int_equal(res->sec[idx].len, want.len);
	assert_memory_equal(res->sec[idx].data, want.data, want.len);
	buf_fini(&want);
}

static void test_round_trip(void **state)
{
	struct buf s = BUF_INIT;
	struct result res;
	(void)state;

	/* 5000 * 17 bytes spans several 64 KiB blocks. */
	write_stream(&s, 3, 5000);
	for (size_t piece = 1; piece <= 70001; piece = piece * 7 + 3) {
		read_stream(s.data, s.len, piece, &res);
		assert_int_equal(res.good, 3);
		assert_int_equal(res.bad, 0);
		assert_int_equal(res.junk, 0);
		for (int i = 0; i < 3; i++) {
			assert_int_equal(res.good_seq[i], (uint64_t)i + 1);
			expect_section_a(&res, i, i + 1);
		}
		assert_int_equal(res.big_bytes, 5000 * 17);
		result_fini(&res);
	}
	buf_fini(&s);
}

static void test_header_fields(void **state)
{
	struct buf s = BUF_INIT;
	struct snap_reader *r = snap_reader_new();
	struct snap_event ev;
	struct snap_header h;
	(void)state;

	write_stream(&s, 1, 0);
	assert_memory_equal(s.data, "SOCKSCOPE 1\nhost: web1\ntime: 2025-11-25T14:10:01.123456Z\n", 56);
	snap_reader_feed(r, s.data, s.len);
	assert_int_equal(snap_reader_next(r, &ev), SNAP_EV_BEGIN);
	header(&h, 1);
	assert_int_equal(ev.hdr->time, h.time);
	assert_int_equal(ev.hdr->seq, 1);
	assert_int_equal(ev.hdr->interval, 1500000);
	assert_string_equal(ev.hdr->reason, h.reason);
	assert_string_equal(ev.hdr->kernel, h.kernel);
	assert_string_equal(ev.hdr->boot_id, h.boot_id);
	assert_string_equal(ev.hdr->recorder, h.recorder);
	assert_int_equal(ev.offset, 0);
	snap_reader_free(r);
	buf_fini(&s);
}

/* The core promise: cut the stream anywhere, every complete snapshot before
 * the cut reads back, the cut one is reported torn and never returned. */
static void test_torn_tail_every_offset(void **state)
{
	struct buf s = BUF_INIT, one = BUF_INIT;
	struct result res;
	size_t end1, end2;
	(void)state;

	write_stream(&one, 1, 3);
	end1 = one.len;
	write_stream(&s, 3, 3);
	/* snapshot 1 is identical in both streams */
	assert_memory_equal(s.data, one.data, end1);
	end2 = 0;
	{
		struct buf two = BUF_INIT;
		write_stream(&two, 2, 3);
		end2 = two.len;
		buf_fini(&two);
	}
	for (size_t cut = 0; cut <= s.len; cut++) {
		int want_good = cut >= s.len ? 3 : cut >= end2 ? 2 : cut >= end1 ? 1 : 0;
		bool at_boundary = cut == 0 || cut == end1 || cut == end2 || cut == s.len;

		read_stream(s.data, cut, 4096, &res);
		assert_int_equal(res.good, want_good);
		for (int i = 0; i < want_good; i++)
			expect_section_a(&res, i, i + 1);
		if (at_boundary) {
			assert_int_equal(res.bad, 0);
			assert_int_equal(res.junk, 0);
		} else {
			/* torn: reported exactly once, as torn or junk for a
			 * partial first line */
			assert_int_equal(res.bad + res.junk, 1);
		}
		result_fini(&res);
	}
	buf_fini(&s);
	buf_fini(&one);
}

static void test_corruption_detected(void **state)
{
	struct buf s = BUF_INIT;
	struct result res;
	(void)state;

	write_stream(&s, 2, 10);
	/* flip every byte of snapshot 1 in turn: never accepted as good */
	size_t end1;
	{
		struct buf one = BUF_INIT;
		write_stream(&one, 1, 10);
		end1 = one.len;
		buf_fini(&one);
	}
	for (size_t i = 0; i < end1; i++) {
		char saved = s.data[i];
		s.data[i] = (char)(saved ^ 0x20);
		read_stream(s.data, s.len, 1000, &res);
		/* snapshot 1 must not be good; snapshot 2 usually survives */
		for (int k = 0; k < res.good; k++)
			assert_int_not_equal(res.good_seq[k], 1);
		assert_true(res.bad + res.junk >= 1);
		result_fini(&res);
		s.data[i] = saved;
	}
	buf_fini(&s);
}

static void test_unknown_and_version(void **state)
{
	struct buf s = BUF_INIT;
	struct result res;
	(void)state;

	buf_puts(&s, "garbage before\n");
	buf_puts(&s, "SOCKSCOPE 2\nhost: x\n\nSECTION new\nDATA 3\nabcEND 1 00000000\n");
	write_stream(&s, 1, 0);
	read_stream(s.data, s.len, 7, &res);
	assert_int_equal(res.good, 1);
	assert_true(res.bad >= 1);   /* version 2 reported */
	assert_true(res.junk >= 1);
	result_fini(&res);
	buf_fini(&s);
}

static void test_writer_rejects(void **state)
{
	struct buf s = BUF_INIT;
	struct snap_writer *w = snap_writer_new(to_buf, &s);
	struct snap_header h;
	(void)state;

	header(&h, 7);
	assert_int_equal(snap_writer_section(w, "x"), -22);
	assert_int_equal(snap_writer_begin(w, &h), 0);
	assert_int_equal(snap_writer_begin(w, &h), -22);
	assert_int_equal(snap_writer_write(w, "x", 1), -22);   /* no section yet */
	assert_int_equal(snap_writer_section(w, "bad\nname"), -22);
	assert_int_equal(snap_writer_section(w, ""), -22);
	assert_int_equal(snap_writer_section(w, "ok name/1.2_x-y"), 0);
	snap_writer_abort(w);
	assert_int_equal(snap_writer_begin(w, &h), 0);
	snap_writer_free(w);
	snap_writer_free(NULL);
	buf_fini(&s);
}

static void test_header_control_chars(void **state)
{
	struct buf s = BUF_INIT;
	struct snap_writer *w = snap_writer_new(to_buf, &s);
	struct snap_header h;
	struct result res;
	(void)state;

	header(&h, 1);
	snprintf(h.reason, sizeof(h.reason), "evil\nEND 1 00000000\nx");
	assert_int_equal(snap_writer_begin(w, &h), 0);
	assert_int_equal(snap_writer_end(w), 0);
	snap_writer_free(w);
	assert_non_null(strstr(s.data, "reason: evil?END 1 00000000?x\n"));
	read_stream(s.data, s.len, 100, &res);
	assert_int_equal(res.good, 1);
	result_fini(&res);
	buf_fini(&s);
}

/* A snapshot with header lines hdr (each ending in LF) and a valid
 * checksum: only the header's grammar can make it bad. */
static void crafted(struct buf *s, const char *hdr, size_t hdrlen)
{
	size_t start = s->len;
	uint32_t crc;

	buf_puts(s, "SOCKSCOPE 1\n");
	buf_append(s, hdr, hdrlen);
	buf_puts(s, "time: 2026-11-25T14:10:00.000000Z\nseq: 1\n\nSECTION a\nDATA 2\nx\n");
	crc = crc32c(0, s->data + start, s->len - start);
	buf_printf(s, "END 1 %08" PRIx32 "\n", crc);
}

#define CRAFTED(s, lit) crafted(s, lit, sizeof(lit) - 1)

/* FORMAT.md §2: key = 1*(ALPHA / DIGIT / "-"), value without control
 * characters. A header breaking it is reported, never returned. */
static void test_header_grammar(void **state)
{
	static const char *const bad[] = {
		"host: we\033]0;owned\007b1\n",
		"host: web1\nreason: a\033[2Jb\n",
		"host: web1\nkernel: 6.1\x7f\n",
		"host: web1\nboot-id: a\rb\n",
		"host: web1\nho st: x\n",
		"host: web1\n: x\n",
		"host: web1\nkey:x\n",
	};
	struct buf s = BUF_INIT;
	struct result res;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&s);
		CRAFTED(&s, "host: web1\n");   /* the control case is good */
		crafted(&s, bad[i], strlen(bad[i]));
		read_stream(s.data, s.len, 5, &res);
		assert_int_equal(res.good, 1);
		assert_int_equal(res.bad, 1);
		assert_non_null(res.last_error);
		result_fini(&res);
	}
	/* a NUL inside a value would cut it short: bad as well */
	buf_reset(&s);
	CRAFTED(&s, "host: web1\0\033[2J\n");
	read_stream(s.data, s.len, 5, &res);
	assert_int_equal(res.good, 0);
	assert_int_equal(res.bad, 1);
	assert_non_null(strstr(res.last_error, "control"));
	result_fini(&res);
	/* bytes 0x80-0xFF are allowed; unknown keys are skipped */
	buf_reset(&s);
	CRAFTED(&s, "host: web1\nx-new-2: caf\xc3\xa9 \x9b ok\nempty: \n");
	read_stream(s.data, s.len, 5, &res);
	assert_int_equal(res.good, 1);
	assert_int_equal(res.bad, 0);
	result_fini(&res);
	buf_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_torn_tail_every_offset),
		cmocka_unit_test(test_corruption_detected),
		cmocka_unit_test(test_unknown_and_version),
		cmocka_unit_test(test_writer_rejects),
		cmocka_unit_test(test_header_control_chars),
		cmocka_unit_test(test_header_grammar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
