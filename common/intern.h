/* intern — strings numbered in the order first seen (program names in
 * grouping keys; hosts, boots and counter names of a fleet answer): a
 * number is 4 bytes where the name may be any length. */
#ifndef SOCKSCOPE_INTERN_H
#define SOCKSCOPE_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct intern {
	char **v;                /* v[id]: the name, owned */
	size_t n, cap;
	uint32_t *slot;          /* id + 1; 0: empty */
	size_t nslot;            /* power of two */
};

/* A zeroed struct intern is empty and ready. */
void intern_fini(struct intern *t);
/* The number of s (copied when new), or -ENOMEM. */
long intern_id(struct intern *t, const char *s);
/* The number of s, or -1 when it was never seen. */
long intern_find(const struct intern *t, const char *s);

#endif
