/* strtab — interning by open addressing over a 64-bit FNV-1a hash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "strtab.h"

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

void strtab_fini(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->slot);
	*t = (struct strtab)STRTAB_INIT;
}

static int rehash(struct strtab *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 64;
	uint32_t *sl;

	if (ns > SIZE_MAX / sizeof *sl || t->n >= UINT32_MAX - 1)
		return -ENOMEM;
	sl = calloc(ns, sizeof *sl);
	if (!sl)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = hash(t->v[i]) & (ns - 1);

		while (sl[j])
			j = (j + 1) & (ns - 1);
		sl[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = sl;
	t->nslot = ns;
	return 0;
}

long strtab_find(const struct strtab *t, const char *s)
{
	if (!t->nslot)
		return -1;
	for (size_t j = hash(s) & (t->nslot - 1); t->slot[j]; j = (j + 1) & (t->nslot - 1))
		if (!strcmp(t->v[t->slot[j] - 1], s))
			return (long)t->slot[j] - 1;
	return -1;
}

long strtab_id(struct strtab *t, const char *s)
{
	long id = strtab_find(t, s);
	size_t j;
	char **nv;

	if (id >= 0)
		return id;
	if ((t->n + 1) * 2 >= t->nslot && rehash(t) < 0)
		return -ENOMEM;
	nv = grow(t->v, &t->cap, t->n, sizeof *nv, 16);
	if (!nv)
		return -ENOMEM;
	t->v = nv;
	if (!(t->v[t->n] = strdup(s)))
		return -ENOMEM;
	for (j = hash(s) & (t->nslot - 1); t->slot[j]; j = (j + 1) & (t->nslot - 1))
		;
	t->slot[j] = (uint32_t)t->n + 1;
	return (long)t->n++;
}
