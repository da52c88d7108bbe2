/* grow — room in a growable array (grow.h), and big arrays placed for
 * transparent huge pages. */
#define _DEFAULT_SOURCE   /* madvise, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "grow.h"

/* The capacity for want elements: cap doubled (first when 0) as often as
 * it takes; 0 when the count or its bytes would overflow. */
static size_t cap_for(size_t cap, size_t want, size_t elem, size_t first)
{
	size_t c = cap ? cap : first;

	while (c < want) {
		if (c == 0 || c > SIZE_MAX / 2)
			return 0;
		c *= 2;
	}
	if (c == 0 || elem == 0 || c > SIZE_MAX / elem)
		return 0;
	return c;
}

#define BIG ((size_t)2 << 20)

void *big_alloc(size_t n, size_t elem, bool zero)
{
	size_t bytes;
	void *p;

	if (elem && n > SIZE_MAX / elem)
		return NULL;
	bytes = n * elem;
	if (bytes < BIG)
		return zero ? calloc(1, bytes ? bytes : 1) : malloc(bytes ? bytes : 1);
	if (bytes > SIZE_MAX - BIG)
		return NULL;
	bytes = (bytes + BIG - 1) & ~(BIG - 1);
	if (!(p = aligned_alloc(BIG, bytes)))
		return NULL;
	/* advice only: without THP nothing changes */
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	if (zero)
		memset(p, 0, n * elem);
	return p;
}

/* v (cap elements) moved to room for nc; NULL with v kept on failure. */
static void *resize(void *v, size_t cap, size_t nc, size_t elem, bool big)
{
	void *nv;

	if (!big || nc * elem < BIG)
		return realloc(v, nc * elem);
	if ((nv = big_alloc(nc, elem, false)) && cap)
		memcpy(nv, v, cap * elem);
	if (nv)
		free(v);
	return nv;
}

static void *grow_any(void *v, size_t *cap, size_t want, size_t elem, size_t first, bool big)
{
	size_t nc;
	void *nv;

	if (want <= *cap)
		return v;
	if (!(nc = cap_for(*cap, want, elem, first)) || !(nv = resize(v, *cap, nc, elem, big)))
		return NULL;
	*cap = nc;
	return nv;
}

/* Room for one more: n elements in use. */
static void *grow_one(void *v, size_t *cap, size_t n, size_t elem, size_t first, bool big)
{
	if (n < *cap)
		return v;
	return *cap < SIZE_MAX ? grow_any(v, cap, *cap + 1, elem, first, big) : NULL;
}

void *grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	return grow_one(v, cap, n, elem, first, false);
}

void *grow_to(void *v, size_t *cap, size_t want, size_t elem, size_t first)
{
	return grow_any(v, cap, want, elem, first, false);
}

void *grow_big(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	return grow_one(v, cap, n, elem, first, true);
}

void *grow_big_to(void *v, size_t *cap, size_t want, size_t elem, size_t first)
{
	return grow_any(v, cap, want, elem, first, true);
}
