/* intern — an open-addressing table of strings over a growing array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "intern.h"

void intern_fini(struct intern *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static int grow_slots(struct intern *t)
{
	size_t n = t->nslot ? t->nslot * 2 : 64;
	uint32_t *s;

	if (n > SIZE_MAX / sizeof *s)
		return -ENOMEM;
	s = calloc(n, sizeof *s);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = str_hash(t->v[i]) & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = s;
	t->nslot = n;
	return 0;
}

long intern_find(const struct intern *t, const char *s)
{
	size_t j;

	if (!t->nslot)
		return -1;
	j = str_hash(s) & (t->nslot - 1);
	while (t->slot[j]) {
		if (!strcmp(t->v[t->slot[j] - 1], s))
			return t->slot[j] - 1;
		j = (j + 1) & (t->nslot - 1);
	}
	return -1;
}

long intern_id(struct intern *t, const char *s)
{
	char **v;
	size_t j;

	if ((t->n + 1) * 2 > t->nslot && grow_slots(t) < 0)
		return -ENOMEM;
	j = str_hash(s) & (t->nslot - 1);
	while (t->slot[j]) {
		if (!strcmp(t->v[t->slot[j] - 1], s))
			return t->slot[j] - 1;
		j = (j + 1) & (t->nslot - 1);
	}
	if (!(v = grow(t->v, &t->cap, t->n, sizeof *v, 32)))
		return -ENOMEM;
	t->v = v;
	if (t->n >= UINT32_MAX - 1 || !(t->v[t->n] = strdup(s)))
		return -ENOMEM;
	t->slot[j] = (uint32_t)t->n + 1;
	return (long)t->n++;
}
