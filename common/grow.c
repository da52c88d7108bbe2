/* grow — room for one more element in a growable array (grow.h), and the
 * huge-page hint for big ones. */
#define _DEFAULT_SOURCE   /* madvise, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "grow.h"

void *grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t nc;
	void *nv;

	if (n < *cap)
		return v;
	nc = *cap ? *cap * 2 : first;
	if (nc <= *cap || elem == 0 || nc > SIZE_MAX / elem)
		return NULL;
	nv = realloc(v, nc * elem);
	if (!nv)
		return NULL;
	*cap = nc;
	return nv;
}

void *grow_to(void *v, size_t *cap, size_t want, size_t elem, size_t first)
{
	size_t c = *cap;
	void *nv;

	if (want <= c)
		return v;
	for (c = c ? c : first; c < want; c *= 2)
		if (c == 0 || c > SIZE_MAX / 2)
			return NULL;
	if (elem == 0 || c > SIZE_MAX / elem || !(nv = realloc(v, c * elem)))
		return NULL;
	*cap = c;
	return nv;
}

#define HUGE_PAGE ((size_t)2 << 20)
#define PAGE ((uintptr_t)4096)

void grow_hint_huge(void *p, size_t bytes)
{
	/* the block's pages, whole: malloc maps a block this big on its own,
	 * from the page its header starts, so this is its whole mapping, and
	 * advising all of it does not split it (a split mapping could no
	 * longer grow in place by mremap, and realloc would copy). Advice
	 * only: an error (no THP in this kernel) changes nothing. */
	uintptr_t lo = (uintptr_t)p & ~(PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + bytes + PAGE - 1) & ~(PAGE - 1);

	if (bytes >= 2 * HUGE_PAGE)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}
