/* counterlog — a stream of snapshots' kernel counters turned into what
 * schema 5 stores: a row where a counter's value (or its presence) differs
 * from the kept snapshot before it in the chain. Pure: no database, no I/O
 * (store.c writes the rows; docs/SCHEMA.md §4.4). */
#ifndef SOCKSCOPE_COUNTERLOG_H
#define SOCKSCOPE_COUNTERLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intern.h"

/* A change to store: from snapshot k of chain on, counter `name` (a number
 * of counterlog_name) has value, or is absent (!present). */
struct counterlog_change {
	int64_t chain;
	uint32_t name;
	uint32_t k;
	bool present;
	int64_t value;
};

struct counterlog {
	struct intern names;     /* counter names, numbered as first seen */
	/* per name: the kept state of the current chain, and the snapshot
	 * being read (cur_set: said in it) */
	struct counterlog_val {
		int64_t value, cur;
		bool present, cur_set;
	} *v;
	size_t cap;
	int64_t chain;           /* the chain the kept state is of; -1 none */
	struct counterlog_change *pend;   /* to store, oldest first */
	size_t npend, cpend;
};

/* A zeroed struct counterlog is not ready: counterlog_init it. */
void counterlog_init(struct counterlog *c);
void counterlog_fini(struct counterlog *c);

/* The snapshot being read says counter name[0..nlen) has value (a repeat
 * replaces it, as the old table's INSERT OR REPLACE did). 0, -EINVAL (a
 * name with a NUL) or -ENOMEM. */
int counterlog_set(struct counterlog *c, const char *name, size_t nlen, int64_t value);
/* The snapshot being read is kept as snapshot k of chain: its differences
 * from the chain's state become changes (every counter it has when it
 * starts a chain). 0 or -ENOMEM. */
int counterlog_keep(struct counterlog *c, int64_t chain, uint32_t k);
/* The snapshot being read is not kept: its values are forgotten. */
void counterlog_drop(struct counterlog *c);
/* Everything but the names forgotten: no chain state, no pending change
 * (a rolled-back transaction took them). */
void counterlog_reset(struct counterlog *c);
/* Name number i (from a change). */
const char *counterlog_name(const struct counterlog *c, uint32_t i);

#endif
