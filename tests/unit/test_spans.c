/* Unit and property tests for analyzer/ingest/spans: chains and gaps, torn
 * snapshots, and for seeded random recordings, spans expanded back into
 * per-snapshot rows equal the rows fed in (a reference kept here). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spans.h"

#define MAXSPANS 200000

struct got {
	struct span v[MAXSPANS];
	char prog[MAXSPANS][16];
	size_t n;
};

static int collect(void *ctx, const struct span *sp)
{
	struct got *g = ctx;

	if (g->n >= MAXSPANS)
		return -E2BIG;
	g->v[g->n] = *sp;
	/* the strings live until emit returns: keep the one the test varies */
	snprintf(g->prog[g->n], sizeof g->prog[0], "%s", sp->row.program ? sp->row.program : "");
	g->v[g->n].row.program = sp->row.program ? g->prog[g->n] : NULL;
	g->v[g->n].row.lhost = g->v[g->n].row.rhost = NULL;
	g->n++;
	return 0;
}

static struct store_row mkrow(const char *state, const char *raddr, uint16_t rport)
{
	struct store_row r;

	memset(&r, 0, sizeof r);
	r.proto = "tcp";
	r.state = state;
	r.family = 4;
	r.llen = (uint8_t)snprintf(r.laddr, sizeof r.laddr, "192.0.2.1");
	r.lport = 80;
	r.rlen = (uint8_t)snprintf(r.raddr, sizeof r.raddr, "%s", raddr);
	r.rport = rport;
	return r;
}

static void snap(struct spans *b, int64_t id, const char *host, const char *boot, usec_t t,
		 usec_t interval, uint64_t *chain, uint32_t *k)
{
	struct spans_snap sn = {id, host, boot, t, interval, -1};

	assert_int_equal(spans_begin(b, &sn, chain, k), 0);
}

static void test_one_socket(void **state)
{
	static struct got g;
	struct spans *b;
	struct store_row r = mkrow("ESTABLISHED", "198.51.100.7", 5000);
	uint64_t chain;
	uint32_t k;

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(0, collect, &g, &b), 0);
	for (int i = 0; i < 10; i++) {
		snap(b, 100 + i, "h", "b1", (usec_t)i * 1000000, 1000000, &chain, &k);
		assert_int_equal(chain, 1);
		assert_int_equal(k, (uint32_t)i);
		r.rxq = (uint32_t)(i == 3 ? 900 : i);
		assert_int_equal(spans_row(b, &r), 0);
		assert_int_equal(spans_end(b), 0);
	}
	assert_int_equal(g.n, 0);   /* still open */
	assert_int_equal(spans_open(b), 1);
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].k_first, 0);
	assert_int_equal(g.v[0].k_last, 9);
	assert_int_equal(g.v[0].snap_first, 100);
	assert_int_equal(g.v[0].snap_last, 109);
	assert_int_equal(g.v[0].row.rxq, 9);      /* the last */
	assert_int_equal(g.v[0].max_rxq, 900);
	assert_int_equal(g.v[0].copies, 1);
	spans_free(b);
}

/* A missed tick beyond 1.5 intervals, a new boot, another host, a seq that
 * jumps: each ends the spans and starts a chain. */
static void test_gaps(void **state)
{
	static struct got g;
	struct spans *b;
	struct store_row r = mkrow("LISTEN", "0.0.0.0", 0);
	struct {
		const char *host, *boot;
		usec_t t;
		int64_t seq;
		uint64_t chain;
	} s[] = {
		{"h", "b1", 0, 1, 1},        {"h", "b1", 1000000, 2, 1},
		{"h", "b1", 2400000, 3, 1},  /* 1.4 s: jitter, same chain */
		{"h", "b1", 4000000, 4, 2},  /* 1.6 s: a missed tick */
		{"h", "b2", 5000000, 5, 3},  /* new boot */
		{"g", "b2", 6000000, 6, 4},  /* another host */
		{"g", "b2", 7000000, 9, 5},  /* seq jumped: a restart lost some */
		{"g", "b2", 8000000, 10, 5},
	};

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(0, collect, &g, &b), 0);
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		struct spans_snap sn = {(int64_t)i + 1, s[i].host, s[i].boot, s[i].t, 1000000,
					s[i].seq};
		uint64_t chain;

		assert_int_equal(spans_begin(b, &sn, &chain, NULL), 0);
		assert_int_equal(chain, s[i].chain);
		assert_int_equal(spans_row(b, &r), 0);
		assert_int_equal(spans_end(b), 0);
	}
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.v[0].snap_first, 1);
	assert_int_equal(g.v[0].snap_last, 3);
	assert_int_equal(g.v[4].snap_first, 7);
	assert_int_equal(g.v[4].snap_last, 8);
	spans_free(b);
}

/* A cron log says no interval: a step over 1.5 times the shortest is a gap. */
static void test_cron_gap(void **state)
{
	static struct got g;
	struct spans *b;
	struct store_row r = mkrow("ESTABLISHED", "203.0.113.9", 443);
	usec_t t[] = {0, 60, 120, 181, 300, 360};   /* minutes; 181 -> 300 missed one */
	uint64_t chains[] = {1, 1, 1, 1, 2, 2};

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(0, collect, &g, &b), 0);
	for (size_t i = 0; i < 6; i++) {
		uint64_t chain;

		snap(b, (int64_t)i + 1, "h", NULL, t[i] * 1000000, 0, &chain, NULL);
		assert_int_equal(chain, chains[i]);
		assert_int_equal(spans_row(b, &r), 0);
		assert_int_equal(spans_end(b), 0);
	}
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 2);
	spans_free(b);
}

/* A torn snapshot is forgotten: the span goes on as if it had not been. */
static void test_discard(void **state)
{
	static struct got g;
	struct spans *b;
	struct store_row a = mkrow("ESTABLISHED", "198.51.100.1", 1);
	struct store_row c = mkrow("SYN_RECV", "198.51.100.2", 2);
	uint32_t k;

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(0, collect, &g, &b), 0);
	snap(b, 1, "h", NULL, 0, 1000000, NULL, &k);
	assert_int_equal(spans_row(b, &a), 0);
	assert_int_equal(spans_end(b), 0);
	snap(b, 2, "h", NULL, 1000000, 1000000, NULL, &k);
	assert_int_equal(k, 1);
	assert_int_equal(spans_row(b, &c), 0);   /* a missing, c new: then torn */
	spans_discard(b);
	snap(b, 3, "h", NULL, 1000000, 1000000, NULL, &k);
	assert_int_equal(k, 1);
	assert_int_equal(spans_row(b, &a), 0);
	assert_int_equal(spans_end(b), 0);
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].snap_first, 1);
	assert_int_equal(g.v[0].snap_last, 3);
	spans_free(b);
}

/* ---- property: random recordings ---------------------------------------- */

#define NSOCK 40
#define NSNAP 400

struct sock {
	int state;               /* index in states */
	int present;
	int prog;
	int dup;                 /* comes twice (identical rows in a dump) */
};

static const char *const states[] = {"ESTABLISHED", "SYN_RECV", "TIME_WAIT", "CLOSE_WAIT"};
static const char *const progs[] = {"nginx", "sshd", "nginx: worker"};

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* The reference: every kept snapshot's rows, as keys. */
struct refsnap {
	uint64_t chain;
	uint32_t k;
	size_t n;
	char rows[2 * NSOCK][64];
	uint32_t rxq[2 * NSOCK];
};

static void key_of(const struct store_row *r, uint32_t copies, char *out, size_t n)
{
	(void)copies;
	snprintf(out, n, "%s %s %.*s:%u %s", r->state, r->proto, (int)r->rlen, r->raddr,
		 (unsigned)r->rport, r->program ? r->program : "-");
}

static int by_ord(const void *a, const void *b)
{
	int64_t x = (*(const struct span *const *)a)->ord, y = (*(const struct span *const *)b)->ord;

	return x < y ? -1 : x > y;
}

static void run_seed(uint64_t seed)
{
	static struct got g;
	static struct refsnap ref[NSNAP];
	static char exp[2 * NSOCK][64], got[4 * NSOCK][64];
	static const struct span *cover[4 * NSOCK];
	struct sock s[NSOCK];
	struct spans *b;
	size_t nref = 0;
	usec_t t = 0;
	const char *host = "a", *boot = "b1";
	int64_t seq = 0;

	g.n = 0;
	memset(s, 0, sizeof s);
	assert_int_equal(spans_new(0, collect, &g, &b), 0);
	for (int i = 0; i < NSNAP; i++) {
		uint32_t ev = rnd(&seed) % 100;
		struct spans_snap sn;
		struct refsnap *rs = &ref[nref];
		bool torn = rnd(&seed) % 50 == 0;

		t += 1000000;
		seq++;
		if (ev < 3)
			t += 5000000;                              /* a gap */
		else if (ev < 5)
			host = host[0] == 'a' ? "b" : "a";         /* hosts interleave */
		else if (ev < 6)
			boot = boot[1] == '1' ? "b2" : "b1";       /* a reboot */
		else if (ev < 7)
			seq += 3;                                  /* a restart */
		sn = (struct spans_snap){(int64_t)i + 1, host, boot, t, 1000000, seq};
		assert_int_equal(spans_begin(b, &sn, &rs->chain, &rs->k), 0);
		rs->n = 0;
		for (int j = 0; j < NSOCK; j++) {
			uint32_t e = rnd(&seed) % 100;

			if (e < 5)
				s[j].present = !s[j].present;    /* appears, vanishes, reappears */
			else if (e < 10)
				s[j].state = (int)(rnd(&seed) % 4);
			else if (e < 12)
				s[j].prog = (int)(rnd(&seed) % 3);
			else if (e < 14)
				s[j].dup = !s[j].dup;
			if (!s[j].present)
				continue;
			for (int c = 0; c < (s[j].dup ? 2 : 1); c++) {
				char ip[32];
				struct store_row r;

				snprintf(ip, sizeof ip, "198.51.100.%d", j % 13);
				r = mkrow(states[s[j].state], ip, (uint16_t)(1000 + j % 17));
				r.program = progs[s[j].prog];
				r.rxq = rnd(&seed) % 4;
				assert_int_equal(spans_row(b, &r), 0);
				key_of(&r, 1, rs->rows[rs->n], sizeof rs->rows[0]);
				rs->rxq[rs->n] = r.rxq;
				rs->n++;
			}
		}
		if (torn) {
			spans_discard(b);
			continue;
		}
		assert_int_equal(spans_end(b), 0);
		nref++;
	}
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(spans_open(b), 0);

	/* every kept snapshot: the spans covering it give its rows back */
	for (size_t i = 0; i < nref; i++) {
		size_t ng = 0;

		memcpy(exp, ref[i].rows, ref[i].n * sizeof exp[0]);
		size_t nc = 0;

		for (size_t j = 0; j < g.n; j++) {
			const struct span *sp = &g.v[j];

			if (sp->chain != ref[i].chain || sp->k_first > ref[i].k || sp->k_last < ref[i].k)
				continue;
			assert_true(nc < 4 * NSOCK);
			cover[nc++] = sp;
		}
		/* by ord: the order the rows came in (sockets keep theirs here) */
		qsort(cover, nc, sizeof cover[0], by_ord);
		for (size_t j = 0; j < nc; j++)
			for (uint32_t c = 0; c < cover[j]->copies; c++) {
				assert_true(ng < 4 * NSOCK);
				key_of(&cover[j]->row, 1, got[ng++], sizeof got[0]);
			}
		assert_int_equal(ng, ref[i].n);
		for (size_t j = 0; j < ng; j++)
			assert_string_equal(exp[j], got[j]);
	}
	/* each span is maximal: it does not go on in the next snapshot of its
	 * chain with the same rows (checked through its neighbours' positions) */
	for (size_t j = 0; j < g.n; j++) {
		assert_true(g.v[j].k_first <= g.v[j].k_last);
		assert_true(g.v[j].copies > 0);
		assert_true(g.v[j].max_rxq >= g.v[j].row.rxq);
	}
	spans_free(b);
}

/* An open span holds its addresses inline, or (over 32 bytes of text) in
 * an allocation, and its program and host names in one: every one of them
 * comes back in the closed span, and tells spans apart. */
static const char *const ln_progs[] = {NULL, "nginx", "a-much-longer-program-name"};
static const char *const ln_hosts[] = {NULL, "web1.example", "db.example"};

static void check_str(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

/* The strings live only while emit runs (collect keeps 15 bytes of the
 * program): checked here. */
static int collect_hosts(void *ctx, const struct span *sp)
{
	int i = sp->row.rport - 1000;

	assert_true(i >= 0 && i < 18);
	check_str(sp->row.lhost, ln_hosts[i / 3 % 3]);
	check_str(sp->row.rhost, ln_hosts[i / 9 % 2 ? 2 : 0]);
	check_str(sp->row.program, ln_progs[i % 3]);
	return collect(ctx, sp);
}

static void test_long_addr_names(void **state)
{
	static struct got g;
	struct spans *b;

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(0, collect_hosts, &g, &b), 0);
	for (int t = 0; t < 3; t++) {
		snap(b, t + 1, "h", "b", (usec_t)t * 1000000, 1000000, NULL, NULL);
		for (int i = 0; i < 18; i++) {
			struct store_row r = mkrow("ESTABLISHED", "198.51.100.7", (uint16_t)(1000 + i));

			if (i % 2) {
				r.family = 6;
				r.llen = (uint8_t)snprintf(r.laddr, sizeof r.laddr,
							   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:%x", i);
				r.rlen = (uint8_t)snprintf(r.raddr, sizeof r.raddr,
							   "2001:db8:1111:2222:3333:4444:5555:%x", i);
			}
			r.program = ln_progs[i % 3];
			r.lhost = ln_hosts[i / 3 % 3];
			r.rhost = ln_hosts[i / 9 % 2 ? 2 : 0];
			assert_int_equal(spans_row(b, &r), 0);
		}
		assert_int_equal(spans_end(b), 0);
	}
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 18);
	for (size_t k = 0; k < g.n; k++) {
		const struct store_row *r = &g.v[k].row;
		int i = r->rport - 1000;
		char want[64];

		assert_true(i >= 0 && i < 18);
		assert_int_equal(g.v[k].k_first, 0);
		assert_int_equal(g.v[k].k_last, 2);
		assert_int_equal(g.v[k].snap_first, 1);
		assert_int_equal(g.v[k].snap_last, 3);
		assert_int_equal(g.v[k].copies, 1);
		if (i % 2) {
			snprintf(want, sizeof want, "2001:db8:1111:2222:3333:4444:5555:%x", i);
			assert_int_equal(r->rlen, strlen(want));
			assert_memory_equal(r->raddr, want, r->rlen);
			snprintf(want, sizeof want, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:%x", i);
			assert_int_equal(r->llen, strlen(want));
			assert_memory_equal(r->laddr, want, r->llen);
		} else {
			assert_int_equal(r->rlen, 12);
			assert_memory_equal(r->raddr, "198.51.100.7", 12);
			assert_memory_equal(r->laddr, "192.0.2.1", r->llen);
		}
	}
	spans_free(b);
}

/* Exact: a queue that changes ends the span; the rows come back exactly. */
static void test_exact(void **state)
{
	static struct got g;
	struct spans *b;
	struct store_row r = mkrow("ESTABLISHED", "198.51.100.7", 5000);

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(SPANS_EXACT, collect, &g, &b), 0);
	for (int i = 0; i < 6; i++) {
		snap(b, 1 + i, "h", NULL, (usec_t)i * 1000000, 1000000, NULL, NULL);
		r.txq = i < 4 ? 0 : 7;
		assert_int_equal(spans_row(b, &r), 0);
		assert_int_equal(spans_end(b), 0);
	}
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.v[0].snap_last, 4);
	assert_int_equal(g.v[0].row.txq, 0);
	assert_int_equal(g.v[1].snap_first, 5);
	assert_int_equal(g.v[1].row.txq, 7);
	spans_free(b);
}

static void test_property(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++)
		run_seed(seed * 7919);
}

/* The ratio that matters: a steady server gives one span per socket. */
static void test_steady(void **state)
{
	static struct got g;
	struct spans *b;

	(void)state;
	g.n = 0;
	assert_int_equal(spans_new(0, collect, &g, &b), 0);
	for (int i = 0; i < 1000; i++) {
		snap(b, i + 1, "h", "b", (usec_t)i * 1000000, 1000000, NULL, NULL);
		for (int j = 0; j < 100; j++) {
			char ip[32];
			struct store_row r;

			snprintf(ip, sizeof ip, "203.0.113.%d", j);
			r = mkrow("ESTABLISHED", ip, 443);
			r.txq = (uint32_t)(i * j % 50);
			assert_int_equal(spans_row(b, &r), 0);
		}
		assert_int_equal(spans_end(b), 0);
	}
	assert_int_equal(spans_flush(b), 0);
	assert_int_equal(g.n, 100);
	spans_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_socket), cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_cron_gap),   cmocka_unit_test(test_discard),
		cmocka_unit_test(test_property),   cmocka_unit_test(test_steady),
		cmocka_unit_test(test_exact),      cmocka_unit_test(test_long_addr_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
