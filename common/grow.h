/* grow — the one rule of every growable array here: room for one more
 * element, the capacity doubling from a first size, the byte count checked
 * against overflow. */
#ifndef SOCKSCOPE_GROW_H
#define SOCKSCOPE_GROW_H

#include <stddef.h>

/* v holds *cap elements of elem bytes, n of them in use. With room left
 * (n < *cap) returns v as it is; otherwise v reallocated to twice *cap
 * elements (first when *cap is 0) and *cap updated. NULL when out of memory
 * or the size would overflow: then v is untouched and still owned by the
 * caller, *cap unchanged. The caller stores the result over its pointer:
 *
 *	struct x *nv = grow(a->v, &a->cap, a->n, sizeof *nv, 16);
 *	if (!nv)
 *		return -ENOMEM;
 *	a->v = nv;
 */
void *grow(void *v, size_t *cap, size_t n, size_t elem, size_t first);
/* The same rule for room for `want` elements at once: doubled (from first)
 * as often as it takes. v as it is when *cap >= want (so call it when
 * want > *cap, or v may be NULL for an empty array); NULL as grow's. */
void *grow_to(void *v, size_t *cap, size_t want, size_t elem, size_t first);

/* A hint that the block p of `bytes` (from malloc, calloc or realloc, not
 * yet touched where new) be backed by huge pages where the kernel allows
 * (transparent huge pages in "madvise" mode): for blocks of 4 MiB and
 * more, each 2 MiB of first touches then costs one page fault instead of
 * 512, and random reads miss the TLB less. For a report's big arrays that
 * live a second; not for the recorder (a fault may then wait for the
 * kernel to compact memory), so grow() does not give it. */
void grow_hint_huge(void *p, size_t bytes);

#endif
