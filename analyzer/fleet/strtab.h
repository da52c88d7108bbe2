/* strtab — strings interned to dense numbers 0, 1, ... (the hosts and
 * counter names of a batch or of a server's answer), so that rows can be
 * sorted and grouped by number. */
#ifndef SOCKSCOPE_STRTAB_H
#define SOCKSCOPE_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab {
	char **v;                /* v[id]: the string, owned */
	size_t n, cap;
	uint32_t *slot;          /* open addressing: id + 1, 0 empty */
	size_t nslot;            /* a power of two, more than twice n */
};

#define STRTAB_INIT {NULL, 0, 0, NULL, 0}

void strtab_fini(struct strtab *t);
/* The number of s, added if new: >= 0, or -ENOMEM. */
long strtab_id(struct strtab *t, const char *s);
/* The number of s, or -1 if it is not there. */
long strtab_find(const struct strtab *t, const char *s);

#endif
