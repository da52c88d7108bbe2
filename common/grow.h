/* grow — the one rule of every growable array here: room for one more
 * element, the capacity doubling from a first size, the byte count checked
 * against overflow. */
#ifndef SOCKSCOPE_GROW_H
#define SOCKSCOPE_GROW_H

#include <stdbool.h>
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

/* Big arrays: a report's tables of 10^5 .. 10^7 entries that live a
 * second. A block of 2 MiB or more is placed on a 2 MiB boundary, in whole
 * 2 MiB pages, and hinted for transparent huge pages ("madvise" mode): its
 * first touch then costs a page fault per 2 MiB instead of one per 4 KiB
 * (~10 us each on a VM, 2.5 ms a MiB: more than the work on it), and
 * random reads miss the TLB less. Smaller blocks are plain malloc ones.
 * free() frees them. Not for the recorder: a huge-page fault may wait for
 * the kernel to compact memory. */

/* n elements of elem bytes (zeroed when zero). NULL on overflow or out of
 * memory. */
void *big_alloc(size_t n, size_t elem, bool zero);
/* grow and grow_to for big arrays: a block that reaches 2 MiB is copied
 * into a big_alloc one (realloc would keep no alignment) and v freed. */
void *grow_big(void *v, size_t *cap, size_t n, size_t elem, size_t first);
void *grow_big_to(void *v, size_t *cap, size_t want, size_t elem, size_t first);

#endif
