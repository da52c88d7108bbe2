/* grow — room for one more element in a growable array (grow.h). */
#include <stdint.h>
#include <stdlib.h>

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
