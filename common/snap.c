/* snap — the snapshot format's pieces both ends share (docs/FORMAT.md): decoded
 * section lists, the format 2 decoded checksum, section names. */
#include "snap.h"
#include "snap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "grow.h"

struct sect *snap_sectlist_add(struct sectlist *l, const char *name)
{
	struct sect *s;

	if (l->n == l->cap) {
		size_t old = l->cap;
		struct sect *v = grow(l->v, &l->cap, l->n, sizeof(*v), 16);
		if (!v)
			return NULL;
		/* the new slots own nothing yet */
		memset(v + old, 0, (l->cap - old) * sizeof(*v));
		l->v = v;
	}
	s = &l->v[l->n++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	buf_reset(&s->text);
	snapdelta_base_free(s->base);
	s->base = NULL;
	s->derived = false;
	s->skipped = false;
	s->prov.valid = false;
	s->split.valid = false;
	s->digested = false;
	s->len = 0;
	return s;
}

const struct sect *snap_sectlist_find(const struct sectlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

void snap_sectlist_fini(struct sectlist *l)
{
	for (size_t i = 0; i < l->cap; i++) {
		buf_fini(&l->v[i].text);
		snapdelta_base_free(l->v[i].base);
		snapdelta_prov_fini(&l->v[i].prov);
		snapdelta_split_fini(&l->v[i].split);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void snap_sectlist_swap(struct sectlist *a, struct sectlist *b)
{
	struct sectlist t = *a;

	*a = *b;
	*b = t;
}

/* The decoded checksum of format 2: CRC-32C over every section as
 * "<content> LF <name> LF <length> LF", in order (content first, so that a
 * writer can sum it as it streams). */
uint32_t snap_dcrc_trailer(uint32_t crc, const char *name, size_t len)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%zu\n", len);

	crc = crc32c(crc, "\n", 1);
	crc = crc32c(crc, name, strlen(name));
	crc = crc32c(crc, "\n", 1);
	return crc32c(crc, num, (size_t)n);
}

uint32_t snap_sectlist_dcrc(const struct sectlist *l)
{
	uint32_t crc = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].derived)
			continue;   /* checked by its own SHA-256 */
		crc = crc32c(crc, l->v[i].text.data, l->v[i].text.len);
		crc = snap_dcrc_trailer(crc, l->v[i].name, l->v[i].text.len);
	}
	return crc;
}
bool snap_section_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SECTION_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ' ' || c == '.' || c == '/' || c == '_' || c == '-'))
			return false;
	}
	return true;
}
