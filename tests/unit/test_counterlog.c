/* Unit tests for analyzer/ingest/counterlog: what becomes a change row (a
 * chain's first snapshot, a value that moved, a counter that vanished or
 * came back), what does not (an unchanged value), and that a dropped
 * snapshot or a reset leaves nothing behind. A random walk checks that the
 * changes give every kept snapshot's values back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counterlog.h"

static void set(struct counterlog *c, const char *name, int64_t v)
{
	assert_int_equal(counterlog_set(c, name, strlen(name), v), 0);
}

/* The pending changes as "name@k=v" (or "name@k-" for absent), then cleared. */
static const char *changes(struct counterlog *c)
{
	static char out[1024];
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < c->npend; i++) {
		const struct counterlog_change *p = &c->pend[i];

		if (p->present)
			o += (size_t)snprintf(out + o, sizeof out - o, "%s%s@%u=%lld", o ? " " : "",
					      counterlog_name(c, p->name), p->k, (long long)p->value);
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "%s%s@%u-", o ? " " : "",
					      counterlog_name(c, p->name), p->k);
	}
	c->npend = 0;
	return out;
}

static void test_changes(void **state)
{
	struct counterlog c;

	(void)state;
	counterlog_init(&c);
	set(&c, "a", 1);
	set(&c, "b", 5);
	assert_int_equal(counterlog_keep(&c, 10, 0), 0);
	assert_string_equal(changes(&c), "a@0=1 b@0=5");
	/* the same values: nothing */
	set(&c, "a", 1);
	set(&c, "b", 5);
	assert_int_equal(counterlog_keep(&c, 10, 1), 0);
	assert_string_equal(changes(&c), "");
	/* a rise, said twice (the last counts), and a fall (a reset) */
	set(&c, "a", 7);
	set(&c, "a", 2);
	set(&c, "b", 4);
	assert_int_equal(counterlog_keep(&c, 10, 2), 0);
	assert_string_equal(changes(&c), "a@2=2 b@2=4");
	/* a dropped snapshot leaves no trace: the next compares with k 2 */
	set(&c, "a", 99);
	counterlog_drop(&c);
	set(&c, "a", 2);
	assert_int_equal(counterlog_keep(&c, 10, 3), 0);
	assert_string_equal(changes(&c), "b@3-");
	/* back, a new one, and a snapshot with no counters at all */
	set(&c, "a", 2);
	set(&c, "b", 4);
	set(&c, "c", -1);
	assert_int_equal(counterlog_keep(&c, 10, 4), 0);
	assert_string_equal(changes(&c), "b@4=4 c@4=-1");
	assert_int_equal(counterlog_keep(&c, 10, 5), 0);
	assert_string_equal(changes(&c), "a@5- b@5- c@5-");
	/* a new chain starts from nothing, even with the same values */
	set(&c, "a", 2);
	assert_int_equal(counterlog_keep(&c, 20, 0), 0);
	assert_string_equal(changes(&c), "a@0=2");
	/* reset: the state is gone, and what was pending */
	set(&c, "a", 3);
	assert_int_equal(counterlog_keep(&c, 20, 1), 0);
	counterlog_reset(&c);
	assert_int_equal(c.npend, 0);
	set(&c, "a", 3);
	assert_int_equal(counterlog_keep(&c, 20, 2), 0);
	assert_string_equal(changes(&c), "a@2=3");
	/* a name with a NUL cannot be a key */
	assert_int_equal(counterlog_set(&c, "x\0y", 3, 1), -EINVAL);
	counterlog_fini(&c);
}

/* Random snapshots of 12 counters over chains: replaying the changes gives
 * each kept snapshot's values back, and only those. */
static void test_replay(void **state)
{
	enum { NC = 12, NS = 2000 };
	static int64_t want[NS][NC];
	static bool has[NS][NC];
	static int64_t chain_of[NS];
	static uint32_t k_of[NS];
	int64_t val[NC] = {0}, cur[NC];
	bool cpres[NC];
	char name[NC][16];
	struct counterlog c;
	size_t kept = 0;
	int64_t chain = 1;
	uint32_t k = 0;

	(void)state;
	srand(17);
	counterlog_init(&c);
	for (int i = 0; i < NC; i++)
		snprintf(name[i], sizeof name[i], "n%d", i);
	for (int s = 0; s < NS; s++) {
		bool drop = rand() % 10 == 0;

		if (rand() % 50 == 0 && kept && k > 0) {
			chain += 100;
			k = 0;
		}
		for (int i = 0; i < NC; i++) {
			cpres[i] = rand() % 20 != 0;
			cur[i] = rand() % (i + 2) == 0 ? rand() % 5 - 2 : val[i];
			if (cpres[i])
				set(&c, name[i], cur[i]);
		}
		if (drop) {
			counterlog_drop(&c);
			continue;
		}
		assert_int_equal(counterlog_keep(&c, chain, k), 0);
		for (int i = 0; i < NC; i++) {
			want[kept][i] = cur[i];
			has[kept][i] = cpres[i];
			if (cpres[i])
				val[i] = cur[i];
		}
		chain_of[kept] = chain;
		k_of[kept++] = k++;
	}
	/* replay: each kept snapshot's values from the changes at or before it */
	for (size_t s = 0; s < kept; s++) {
		for (int i = 0; i < NC; i++) {
			bool found = false, present = false;
			int64_t v = 0;

			for (size_t j = 0; j < c.npend; j++) {
				const struct counterlog_change *ch = &c.pend[j];

				if (ch->chain != chain_of[s] || ch->k > k_of[s] ||
				    strcmp(counterlog_name(&c, ch->name), name[i]))
					continue;
				found = true;
				present = ch->present;
				v = ch->value;   /* in k order: the last one counts */
			}
			assert_int_equal(found && present, has[s][i]);
			if (has[s][i])
				assert_int_equal(v, want[s][i]);
		}
	}
	assert_true(c.npend < kept * NC / 2);
	counterlog_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
