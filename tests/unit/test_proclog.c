/* Unit tests for analyzer/ingest/proclog: a process's run continues while
 * it is in consecutive kept snapshots with the same values and ends when
 * it goes, changes, misses a snapshot or its chain ends; a pid said twice
 * keeps the last; a dropped snapshot or a reset leaves nothing. A seeded
 * random walk compares every row with a reference: consecutive snapshots
 * of a (chain, pid) with equal values grouped, as the trigger of schema 6
 * built them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proclog.h"

static void set(struct proclog *p, int64_t pid, const char *prog, uint64_t sockets)
{
	assert_int_equal(proclog_set(p, pid, prog, prog ? "comm" : NULL, sockets), 0);
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The pending rows as "chain/pid k_first-k_last program sockets", sorted,
 * space-separated, then cleared. */
static const char *rows(struct proclog *p)
{
	static char out[4096];
	char *v[64];
	size_t o = 0, n = p->npend < 64 ? p->npend : 64;

	for (size_t i = 0; i < n; i++) {
		const struct proclog_row *r = &p->pend[i];
		char line[128];

		snprintf(line, sizeof line, "%lld/%lld %u-%u %s %llu", (long long)r->chain,
			 (long long)r->run.pid, r->run.k_first, r->run.k_last,
			 r->run.program ? r->run.program : "-", (unsigned long long)r->run.sockets);
		v[i] = strdup(line);
		assert_non_null(v[i]);
	}
	qsort(v, n, sizeof *v, row_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? " " : "", v[i]);
		free(v[i]);
	}
	proclog_pend_clear(p);
	return out;
}

static void test_runs(void **state)
{
	struct proclog p;

	(void)state;
	proclog_init(&p);
	for (uint32_t k = 0; k < 3; k++) {
		set(&p, 100, "nginx", 5);
		set(&p, 200, "sshd", 1);
		assert_int_equal(proclog_keep(&p, 7, k), 0);
		assert_string_equal(rows(&p), "");
	}
	/* 100's sockets change, 200 goes */
	set(&p, 100, "nginx", 6);
	assert_int_equal(proclog_keep(&p, 7, 3), 0);
	assert_string_equal(rows(&p), "7/100 0-2 nginx 5 7/200 0-2 sshd 1");
	/* 200 comes back, said twice: the last one counts */
	set(&p, 200, "sshd", 9);
	set(&p, 100, "nginx", 6);
	set(&p, 200, "sshd", 2);
	assert_int_equal(proclog_keep(&p, 7, 4), 0);
	assert_string_equal(rows(&p), "");
	/* a dropped snapshot leaves nothing; a gap (k 5 missing) ends both */
	set(&p, 100, "nginx", 6);
	proclog_drop(&p);
	set(&p, 100, "nginx", 6);
	set(&p, 200, "sshd", 2);
	assert_int_equal(proclog_keep(&p, 7, 6), 0);
	assert_string_equal(rows(&p), "7/100 3-4 nginx 6 7/200 4-4 sshd 2");
	/* program NULL is a value too */
	set(&p, 100, NULL, 6);
	set(&p, 200, "sshd", 2);
	assert_int_equal(proclog_keep(&p, 7, 7), 0);
	assert_string_equal(rows(&p), "7/100 6-6 nginx 6");
	/* a new chain ends every run of the one before */
	set(&p, 100, NULL, 6);
	assert_int_equal(proclog_keep(&p, 9, 0), 0);
	assert_string_equal(rows(&p), "7/100 7-7 - 6 7/200 6-7 sshd 2");
	assert_int_equal(proclog_end(&p), 0);
	assert_string_equal(rows(&p), "9/100 0-0 - 6");
	/* ended: nothing open */
	assert_int_equal(proclog_end(&p), 0);
	assert_string_equal(rows(&p), "");
	/* a reset forgets the open runs and the stage */
	set(&p, 1, "x", 1);
	assert_int_equal(proclog_keep(&p, 11, 0), 0);
	set(&p, 2, "y", 1);
	proclog_reset(&p);
	assert_int_equal(proclog_end(&p), 0);
	assert_string_equal(rows(&p), "");
	proclog_fini(&p);
}

/* The reference: every (chain, k, pid, value) said, grouped into runs. */
struct said {
	int64_t chain;
	uint32_t k;
	int64_t pid;
	unsigned val;
};

static int said_cmp(const void *a, const void *b)
{
	const struct said *x = a, *y = b;

	if (x->chain != y->chain)
		return x->chain < y->chain ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static const char *const progs[] = {"nginx", "sshd", "postgres"};

/* The pending rows appended to got[n..max) as text, then cleared. */
static size_t take_rows(struct proclog *p, char **got, size_t n, size_t max)
{
	for (size_t i = 0; i < p->npend && n < max; i++) {
		const struct proclog_row *r = &p->pend[i];
		char line[96];

		snprintf(line, sizeof line, "%lld/%lld %u-%u %s %llu", (long long)r->chain,
			 (long long)r->run.pid, r->run.k_first, r->run.k_last, r->run.program,
			 (unsigned long long)r->run.sockets);
		got[n++] = strdup(line);
	}
	proclog_pend_clear(p);
	return n;
}

static void test_random_walk(void **state)
{
	enum { MAXSAID = 20000 };
	struct said *said = calloc(MAXSAID, sizeof *said);
	size_t nsaid = 0, ngot = 0, nwant = 0;
	char **got = calloc(MAXSAID, sizeof *got), **want = calloc(MAXSAID, sizeof *want);
	struct proclog p;
	unsigned seed = 12345;
	int64_t chain = 1;
	uint32_t k = 0;

	(void)state;
	assert_non_null(said);
	assert_non_null(got);
	assert_non_null(want);
	proclog_init(&p);
	for (int snap = 0; snap < 1500; snap++) {
		unsigned vals[12];
		bool kept;

		seed = seed * 1103515245u + 12345u;
		if (seed % 97 == 0) {
			chain += 5;   /* a new chain */
			k = 0;
		} else if (snap > 0 && seed % 53 == 0) {
			k++;          /* a gap */
		}
		/* 12 pids, each present 3 times in 4, its value changing now and then */
		for (int pid = 0; pid < 12; pid++) {
			seed = seed * 1103515245u + 12345u;
			vals[pid] = (seed >> 16) % 4 == 0 ? 0 : 1 + ((seed >> 20) % 7 == 0 ? seed % 3 : 0);
		}
		for (int pid = 0; pid < 12; pid++) {
			if (!vals[pid])
				continue;
			set(&p, 1000 + pid, progs[vals[pid] - 1], vals[pid] * 10u);
			if (pid % 5 == 0)   /* said twice: the second one counts */
				set(&p, 1000 + pid, progs[vals[pid] - 1], vals[pid] * 10u);
		}
		seed = seed * 1103515245u + 12345u;
		kept = seed % 23 != 0;
		if (!kept) {
			proclog_drop(&p);
			continue;
		}
		assert_int_equal(proclog_keep(&p, chain, k), 0);
		for (int pid = 0; pid < 12; pid++)
			if (vals[pid] && nsaid < MAXSAID)
				said[nsaid++] = (struct said){chain, k, 1000 + pid, vals[pid]};
		ngot = take_rows(&p, got, ngot, MAXSAID);
		k++;
	}
	assert_int_equal(proclog_end(&p), 0);
	ngot = take_rows(&p, got, ngot, MAXSAID);
	/* the reference's runs */
	qsort(said, nsaid, sizeof *said, said_cmp);
	for (size_t i = 0; i < nsaid;) {
		size_t j = i + 1;
		char line[96];

		while (j < nsaid && said[j].chain == said[i].chain && said[j].pid == said[i].pid &&
		       said[j].k == said[j - 1].k + 1 && said[j].val == said[i].val)
			j++;
		snprintf(line, sizeof line, "%lld/%lld %u-%u %s %u", (long long)said[i].chain,
			 (long long)said[i].pid, said[i].k, said[j - 1].k, progs[said[i].val - 1],
			 said[i].val * 10u);
		want[nwant++] = strdup(line);
		i = j;
	}
	assert_true(nwant > 500);
	assert_int_equal(ngot, nwant);
	qsort(got, ngot, sizeof *got, row_cmp);
	qsort(want, nwant, sizeof *want, row_cmp);
	for (size_t i = 0; i < ngot; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	for (size_t i = 0; i < ngot; i++)
		free(got[i]);
	for (size_t i = 0; i < nwant; i++)
		free(want[i]);
	free(got);
	free(want);
	free(said);
	proclog_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_random_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
