/* test_blocklist — blocklist_decide on hand-made evidence: the baseline and its
 * threshold, scores to the decimal, subnets named only when their hosts
 * behave alike and none looks legitimate, every reason of a near miss, the
 * rails, and the spoofed-spread verdict with and without a SYN surge. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "blocklist.h"

#define T0 ((usec_t)1795608000 * USEC_PER_SEC)   /* 2026-11-25T12:00:00Z */

/* Evidence of many peers and their subnets, built up by the tests. */
struct ev {
	struct blocklist_group h[4096], s[1024];
	size_t nh, ns;
	uint32_t syn[64], all[64];
	usec_t time[64];
	size_t nsnaps;
	uint64_t rows;
};

static struct cidr net(const char *s)
{
	struct cidr c;

	if (cidr_parse(s, strlen(s), &c) < 0)
		fail_msg("bad test CIDR %s", s);
	return c;
}

static void ev_init(struct ev *e, size_t nsnaps)
{
	memset(e, 0, sizeof *e);
	e->nsnaps = nsnaps;
	for (size_t i = 0; i < nsnaps; i++)
		e->time[i] = T0 + (usec_t)i * 5 * USEC_PER_SEC;
}

/* The /24 (or /64) of a peer, made or found, with the peer's sockets added
 * as if all peers of the subnet peaked together. */
static void sub_add(struct ev *e, const struct blocklist_group *h)
{
	struct cidr c = h->net;
	struct blocklist_group *s = NULL;

	c.prefix = c.addr.family == AF_INET ? 24 : 64;
	addr_mask(&c.addr, c.prefix);
	for (size_t i = 0; i < e->ns; i++)
		if (!memcmp(&e->s[i].net, &c, sizeof c))
			s = &e->s[i];
	if (!s) {
		s = &e->s[e->ns++];
		memset(s, 0, sizeof *s);
		s->net = c;
		s->first = h->first;
		s->peak_time = h->peak_time;
	}
	s->peak += h->peak;
	s->syn += h->syn;
	s->est += h->est;
	s->closing += h->closing;
	s->total += h->total;
	s->hosts++;
	if (h->present > s->present)
		s->present = h->present;
	if (h->last > s->last)
		s->last = h->last;
}

/* A peer: peak sockets, of them syn in SYN_RECV (the rest ESTABLISHED),
 * present in `present` snapshots from the first, the same every time. */
static void peer(struct ev *e, const char *addr, uint32_t peak, uint32_t syn, uint32_t present)
{
	struct blocklist_group *h = &e->h[e->nh++];

	memset(h, 0, sizeof *h);
	h->net = net(addr);
	h->peak = peak;
	h->syn = syn;
	h->est = peak - syn;
	h->present = present;
	h->hosts = 1;
	h->total = (uint64_t)peak * present;
	h->syn_total = (uint64_t)syn * present;
	h->first = h->peak_time = T0;
	h->last = T0 + (usec_t)(present - 1) * 5 * USEC_PER_SEC;
	e->rows += h->total;
	for (uint32_t i = 0; i < present && i < e->nsnaps; i++) {
		e->syn[i] += syn;
		e->all[i] += peak;
	}
	sub_add(e, h);
}

/* Legitimate clients: 40 peers of 198.51.100.0/24 holding 1..3. */
static void clients(struct ev *e)
{
	char a[32];

	for (int i = 0; i < 40; i++) {
		snprintf(a, sizeof a, "198.51.100.%d", 10 + i);
		peer(e, a, 1 + (uint32_t)i % 3, 0, (uint32_t)e->nsnaps);
	}
}

static void decide(const struct ev *e, const struct blockrail *r, const struct blocklist_params *p,
		   struct blocklist_result *res)
{
	struct blocklist_input in = {e->h, e->nh, e->s, e->ns, e->nsnaps, e->rows, e->syn, e->all, e->time};

	assert_int_equal(blocklist_decide(&in, r, p, res), 0);
}

static const struct blocklist_rec *find(const struct blocklist_result *res, const char *cidr)
{
	struct cidr c = net(cidr);

	for (size_t i = 0; i < res->n; i++)
		if (!memcmp(&res->v[i].g.net, &c, sizeof c))
			return &res->v[i];
	return NULL;
}

static void expect_block(const struct blocklist_result *res, const char *cidr)
{
	const struct blocklist_rec *r = find(res, cidr);

	if (!r || r->action != BLOCKLIST_BLOCK)
		fail_msg("%s: %s, want blocked", cidr, r ? r->why : "not listed");
}

static void expect_skip(const struct blocklist_result *res, const char *cidr, const char *why)
{
	const struct blocklist_rec *r = find(res, cidr);

	if (!r || r->action != BLOCKLIST_SKIP || strncmp(r->why, why, strlen(why)))
		fail_msg("%s: %s, want skipped: %s...", cidr,
			 r ? (r->action == BLOCKLIST_BLOCK ? "blocked" : r->why) : "not listed", why);
}

static void test_baseline(void **state)
{
	static struct ev e;
	struct blocklist_params p;
	struct blocklist_result res;
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	blocklist_params_default(&p);
	ev_init(&e, 10);
	clients(&e);   /* peaks 1, 2, 3: median 2, MAD 1 */
	decide(&e, &r, &p, &res);
	assert_int_equal(res.typical, 2);
	assert_true(res.sigma > 1.4825 && res.sigma < 1.4827);
	assert_int_equal(res.threshold, 20);   /* the floor beats 10 and 11 */
	assert_int_equal(res.clients, 40);
	assert_int_equal(res.min_snapshots, 2);
	assert_int_equal(res.nblock, 0);
	assert_int_equal(res.n, 0);            /* nobody near 20 */
	blocklist_result_fini(&res);

	/* busier clients raise it: 40 peers at 9..11 -> 5 x 10 = 50 */
	ev_init(&e, 10);
	for (int i = 0; i < 40; i++) {
		char a[32];

		snprintf(a, sizeof a, "192.0.2.%d", 10 + i);
		peer(&e, a, 9 + (uint32_t)i % 3, 0, 10);
	}
	peer(&e, "203.0.113.9", 45, 0, 10);    /* 45: a near miss now */
	decide(&e, &r, &p, &res);
	assert_int_equal(res.threshold, 50);
	assert_int_equal(res.nblock, 0);
	expect_skip(&res, "203.0.113.9/32", "45 sockets at peak, below 50 (--min-conns)");
	blocklist_result_fini(&res);

	/* --min-conns replaces it; one snapshot needs one */
	p.min_conns = 40;
	ev_init(&e, 1);
	peer(&e, "203.0.113.9", 45, 0, 1);
	peer(&e, "203.0.113.10", 4, 0, 1);
	decide(&e, &r, &p, &res);
	assert_int_equal(res.threshold, 40);
	assert_int_equal(res.min_snapshots, 1);
	expect_block(&res, "203.0.113.9/32");
	blocklist_result_fini(&res);

	/* nobody completed a handshake: the floor alone */
	p.min_conns = 0;
	ev_init(&e, 3);
	for (int i = 0; i < 20; i++) {
		char a[32];

		snprintf(a, sizeof a, "203.0.113.%d", 10 + i);
		peer(&e, a, 25, 25, 3);
	}
	decide(&e, &r, &p, &res);
	assert_int_equal(res.clients, 0);
	assert_int_equal(res.threshold, 20);
	expect_block(&res, "203.0.113.0/24");   /* 20 alike hosts: their subnet */
	assert_null(find(&res, "203.0.113.10/32"));
	blocklist_result_fini(&res);
	blockrail_fini(&r);
}

static void test_score(void **state)
{
	static struct ev e;
	struct blocklist_params p;
	struct blocklist_result res;
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	blocklist_params_default(&p);
	ev_init(&e, 10);
	clients(&e);                               /* 79 sockets per snapshot */
	peer(&e, "203.0.113.9", 80, 0, 10);      /* 4 x 20, always, all held, 50% */
	peer(&e, "203.0.113.77", 30, 0, 5);      /* 30/80, half the time */
	decide(&e, &r, &p, &res);
	assert_int_equal(res.nblock, 2);
	assert_string_equal(blocklist_pattern_name(res.v[0].pattern), "held");
	/* 40 + 25 + 20 + 15 */
	assert_true(res.v[0].score > 99.95 && res.v[0].score < 100.05);
	/* 40 * 30/80 = 15, 25 * 5/10 = 12.5, 20, 15 * min(1, 150/1740 = 8.6% / 5%) = 15 */
	expect_block(&res, "203.0.113.77/32");
	assert_true(res.v[1].score > 62.45 && res.v[1].score < 62.55);
	blocklist_result_fini(&res);
	blockrail_fini(&r);
}

static void test_subnets(void **state)
{
	static struct ev e;
	struct blocklist_params p;
	struct blocklist_result res;
	struct blockrail r;
	char a[32];

	(void)state;
	blockrail_init(&r);
	blocklist_params_default(&p);
	ev_init(&e, 10);
	clients(&e);
	for (int i = 1; i <= 30; i++) {   /* a SYN flood: 30 hosts, 2 each */
		snprintf(a, sizeof a, "203.0.113.%d", i);
		peer(&e, a, 2, 2, 6);
	}
	for (int i = 1; i <= 7; i++) {    /* 7 alike: fewer than 8 */
		snprintf(a, sizeof a, "192.0.2.%d", i);
		peer(&e, a, 4, 4, 6);
	}
	for (int i = 1; i <= 10; i++) {   /* 10 alike and 12 others */
		snprintf(a, sizeof a, "198.18.0.%d", i);
		peer(&e, a, 3, 3, 6);
	}
	for (int i = 11; i <= 22; i++) {
		snprintf(a, sizeof a, "198.18.0.%d", i);
		peer(&e, a, 1, 0, 1);
	}
	for (int i = 1; i <= 12; i++) {   /* 12 alike and one client */
		snprintf(a, sizeof a, "198.18.1.%d", i);
		peer(&e, a, 3, 3, 6);
	}
	peer(&e, "198.18.1.200", 2, 0, 10);
	decide(&e, &r, &p, &res);
	expect_block(&res, "203.0.113.0/24");
	assert_int_equal(res.nblock, 1);
	assert_string_equal(blocklist_pattern_name(res.v[0].pattern), "syn-flood");
	assert_int_equal(res.v[0].alike, 30);
	assert_null(find(&res, "203.0.113.1/32"));   /* covered, not listed */
	expect_skip(&res, "192.0.2.0/24", "7 of its 7 hosts behave alike, fewer than 8 (--min-hosts)");
	expect_skip(&res, "198.18.0.0/24", "only 10 of its 22 hosts behave alike");
	expect_skip(&res, "198.18.1.0/24", "holds 1 peer that looks legitimate, e.g. 198.18.1.200");
	/* near misses after the blocks, the biggest first */
	assert_true(res.v[1].g.peak >= res.v[2].g.peak && res.v[2].g.peak >= res.v[3].g.peak);

	/* the rails: a protected subnet is a near miss with the rail's words */
	blocklist_result_fini(&res);
	assert_int_equal(blockrail_allow(&r, &(struct cidr){net("203.0.113.128/25").addr, 25}), 0);
	decide(&e, &r, &p, &res);
	expect_skip(&res, "203.0.113.0/24", "overlaps --allow 203.0.113.128/25");
	assert_int_equal(res.nblock, 0);
	blocklist_result_fini(&res);
	blockrail_fini(&r);

	/* --min-hosts 7 names 192.0.2.0/24 too; max_near caps the near misses */
	blockrail_init(&r);
	p.min_hosts = 7;
	p.max_near = 1;
	decide(&e, &r, &p, &res);
	expect_block(&res, "192.0.2.0/24");
	assert_int_equal(res.nblock, 2);
	assert_int_equal(res.n, 3);
	blocklist_result_fini(&res);
	blockrail_fini(&r);
}

static void test_thresholds_and_rails(void **state)
{
	static struct ev e;
	struct blocklist_params p;
	struct blocklist_result res;
	struct blockrail r;
	struct addr own;

	(void)state;
	blockrail_init(&r);
	assert_int_equal(addr_parse("203.0.113.50", 12, &own), 0);
	assert_int_equal(blockrail_own(&r, &own), 0);
	blocklist_params_default(&p);
	ev_init(&e, 10);
	clients(&e);
	peer(&e, "203.0.113.50", 60, 0, 10);     /* the host itself */
	peer(&e, "127.0.0.1", 60, 0, 10);
	peer(&e, "10.1.2.3", 60, 0, 10);
	peer(&e, "fe80::1", 60, 0, 10);
	peer(&e, "2001:db8:bad::7", 60, 0, 10);
	peer(&e, "198.18.0.9", 60, 0, 1);        /* one snapshot */
	decide(&e, &r, &p, &res);
	expect_skip(&res, "203.0.113.50/32", "holds the host's own address 203.0.113.50");
	expect_skip(&res, "127.0.0.1/32", "loopback");
	expect_skip(&res, "10.1.2.3/32", "private (RFC 1918");
	expect_skip(&res, "fe80::1/128", "link-local");
	expect_skip(&res, "198.18.0.9/32", "present in 1 of 10 snapshots, fewer than 2 (--min-snapshots)");
	expect_block(&res, "2001:db8:bad::7/128");
	assert_int_equal(res.nblock, 1);
	blocklist_result_fini(&res);

	r.include_private = true;
	p.min_share = 20;                          /* 600 of 3,850: 15.6% */
	decide(&e, &r, &p, &res);
	expect_skip(&res, "10.1.2.3/32", "15.584% of all sockets, below 20.000% (--min-share)");
	assert_int_equal(res.nblock, 0);
	blocklist_result_fini(&res);
	p.min_share = 0.1;
	decide(&e, &r, &p, &res);
	expect_block(&res, "10.1.2.3/32");
	blocklist_result_fini(&res);
	blockrail_fini(&r);
}

/* 200 one-off sources, one per /24 of 100.64.0.0/10, in snapshots 4..7;
 * and a SYN flood of 40 hosts in 198.51.100.0/24 at the same time. */
static void spread(struct ev *e, bool surge)
{
	char a[32];

	ev_init(e, 12);
	clients(e);
	for (int i = 0; i < 200; i++) {
		struct blocklist_group *h;

		snprintf(a, sizeof a, "100.%d.%d.7", 64 + i / 256, i % 256);
		peer(e, a, 1, 1, 1);
		h = &e->h[e->nh - 1];
		h->first = h->last = h->peak_time = T0 + (usec_t)(4 + i % 4) * 5 * USEC_PER_SEC;
	}
	for (int i = 1; i <= 40; i++) {
		snprintf(a, sizeof a, "203.0.113.%d", i);
		peer(e, a, 1, 1, 4);
	}
	/* the snapshots' SYN_RECV: what peer() summed assumed every peer from
	 * snapshot 0; put the flood where it was */
	memset(e->syn, 0, sizeof e->syn);
	for (int i = 0; i < 12; i++)
		e->syn[i] = surge ? (i >= 4 && i < 8 ? 90 : 1) : 20;
}

static void test_spoofed(void **state)
{
	static struct ev e;
	struct blocklist_params p;
	struct blocklist_result res;
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	r.include_private = true;   /* 100.64/10 could be blocked: it still is not */
	blocklist_params_default(&p);
	spread(&e, true);
	decide(&e, &r, &p, &res);
	assert_true(res.spoof.found);
	assert_int_equal(res.spoof.sources, 200);
	assert_int_equal(res.spoof.subnets, 200);
	assert_int_equal(res.spoof.syn_peak, 90);
	assert_int_equal(res.spoof.syn_q1, 1);
	assert_int_equal(res.spoof.first, T0 + 20 * USEC_PER_SEC);
	assert_int_equal(res.spoof.last, T0 + 35 * USEC_PER_SEC);
	assert_int_equal(res.spoof.peak_time, T0 + 20 * USEC_PER_SEC);
	/* the concentrated subnet stands out of the spread (40 >= 8 x 1) */
	expect_block(&res, "203.0.113.0/24");
	assert_int_equal(res.nblock, 1);
	for (size_t i = 0; i < res.nblock; i++)
		assert_int_not_equal(res.v[i].g.net.addr.a[0], 100);
	blocklist_result_fini(&res);

	/* with a larger --min-hosts the concentrated one is part of the spread
	 * only when the spread's median is high: here it is refused by
	 * --min-hosts itself */
	p.min_hosts = 50;
	decide(&e, &r, &p, &res);
	expect_skip(&res, "203.0.113.0/24", "40 of its 40 hosts behave alike, fewer than 50");
	assert_int_equal(res.spoof.sources, 240);
	blocklist_result_fini(&res);

	/* no surge (SYN_RECV flat at 20): no verdict */
	p.min_hosts = 8;
	spread(&e, false);
	decide(&e, &r, &p, &res);
	assert_false(res.spoof.found);
	blocklist_result_fini(&res);

	/* fewer subnets than --spread: no spread at all */
	p.spread = 500;
	spread(&e, true);
	decide(&e, &r, &p, &res);
	assert_false(res.spoof.found);
	assert_int_equal(res.spoof.sources, 0);
	expect_block(&res, "203.0.113.0/24");
	blocklist_result_fini(&res);
	blockrail_fini(&r);
}

static void test_empty(void **state)
{
	static struct ev e;
	struct blocklist_params p;
	struct blocklist_result res;
	struct blockrail r;

	(void)state;
	blockrail_init(&r);
	blocklist_params_default(&p);
	ev_init(&e, 0);
	decide(&e, &r, &p, &res);
	assert_int_equal(res.n, 0);
	assert_false(res.spoof.found);
	assert_int_equal(res.threshold, 20);
	blocklist_result_fini(&res);
	blockrail_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline), cmocka_unit_test(test_score),
		cmocka_unit_test(test_subnets),  cmocka_unit_test(test_thresholds_and_rails),
		cmocka_unit_test(test_spoofed),  cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
