/* counterlog — kernel counters stored when they change: each snapshot's
 * values compared with the chain's kept state (counterlog.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counterlog.h"
#include "grow.h"

void counterlog_init(struct counterlog *c)
{
	memset(c, 0, sizeof *c);
	c->chain = -1;
}

void counterlog_fini(struct counterlog *c)
{
	intern_fini(&c->names);
	free(c->v);
	free(c->pend);
	counterlog_init(c);
}

int counterlog_set(struct counterlog *c, const char *name, size_t nlen, int64_t value)
{
	char buf[256], *key = buf;
	long id;

	if (memchr(name, '\0', nlen))
		return -EINVAL;
	if (nlen >= sizeof buf && !(key = malloc(nlen + 1)))
		return -ENOMEM;
	memcpy(key, name, nlen);
	key[nlen] = '\0';
	id = intern_id(&c->names, key);
	if (key != buf)
		free(key);
	if (id < 0)
		return (int)id;
	/* every name numbered has its entry, zeroed: absent, not said */
	while ((size_t)id >= c->cap) {
		size_t old = c->cap;
		struct counterlog_val *nv = grow(c->v, &c->cap, old, sizeof *nv, 128);

		if (!nv)
			return -ENOMEM;
		c->v = nv;
		memset(c->v + old, 0, (c->cap - old) * sizeof *nv);
	}
	c->v[id].cur = value;
	c->v[id].cur_set = true;
	return 0;
}

static int pend(struct counterlog *c, int64_t chain, size_t i, uint32_t k, bool present,
		int64_t value)
{
	struct counterlog_change *p = grow(c->pend, &c->cpend, c->npend, sizeof *p, 256);

	if (!p)
		return -ENOMEM;
	c->pend = p;
	c->pend[c->npend++] = (struct counterlog_change){chain, (uint32_t)i, k, present, value};
	return 0;
}

int counterlog_keep(struct counterlog *c, int64_t chain, uint32_t k)
{
	size_t n = c->names.n;
	int rc = 0;

	/* a new chain starts from nothing: all it has is a change */
	if (chain != c->chain) {
		for (size_t i = 0; i < n; i++)
			c->v[i].present = false;
		c->chain = chain;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct counterlog_val *v = &c->v[i];

		if (v->cur_set && (!v->present || v->value != v->cur))
			rc = pend(c, chain, i, k, true, v->cur);
		else if (!v->cur_set && v->present)
			rc = pend(c, chain, i, k, false, 0);
		if (rc == 0) {
			v->present = v->cur_set;
			v->value = v->cur;
			v->cur_set = false;
		}
	}
	if (rc < 0)
		c->chain = -1;   /* the state is half updated: the next keep starts afresh */
	return rc;
}

void counterlog_drop(struct counterlog *c)
{
	for (size_t i = 0; i < c->names.n; i++)
		c->v[i].cur_set = false;
}

void counterlog_reset(struct counterlog *c)
{
	counterlog_drop(c);
	c->chain = -1;
	c->npend = 0;
}

const char *counterlog_name(const struct counterlog *c, uint32_t i)
{
	return i < c->names.n ? c->names.v[i] : NULL;
}
