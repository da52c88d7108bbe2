/* proclog — processes stored as runs: each kept snapshot's processes
 * merged, by pid, into the chain's open runs (proclog.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "proclog.h"

void proclog_init(struct proclog *p)
{
	memset(p, 0, sizeof *p);
	p->chain = -1;
}

static void run_fini(struct proclog_run *r)
{
	free(r->program);
	free(r->comm);
	r->program = r->comm = NULL;
}

static void runs_clear(struct proclog_run *v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		run_fini(&v[i]);
	*n = 0;
}

void proclog_pend_clear(struct proclog *p)
{
	for (size_t i = 0; i < p->npend; i++)
		run_fini(&p->pend[i].run);
	p->npend = 0;
}

void proclog_drop(struct proclog *p)
{
	runs_clear(p->stage, &p->nstage);
}

void proclog_reset(struct proclog *p)
{
	runs_clear(p->open, &p->nopen);
	proclog_drop(p);
	proclog_pend_clear(p);
	p->chain = -1;
}

void proclog_fini(struct proclog *p)
{
	proclog_reset(p);
	free(p->open);
	free(p->stage);
	free(p->next);
	free(p->pend);
	proclog_init(p);
}

static int dup_or_null(const char *s, char **out)
{
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return -ENOMEM;
	return 0;
}

int proclog_set(struct proclog *p, int64_t pid, const char *program, const char *comm,
		uint64_t sockets)
{
	struct proclog_run *v = grow(p->stage, &p->cstage, p->nstage, sizeof *v, 16);
	struct proclog_run r = {.pid = pid, .k_first = (uint32_t)p->nstage, .sockets = sockets};

	if (!v)
		return -ENOMEM;
	p->stage = v;
	if (dup_or_null(program, &r.program) < 0 || dup_or_null(comm, &r.comm) < 0) {
		run_fini(&r);
		return -ENOMEM;
	}
	p->stage[p->nstage++] = r;
	return 0;
}

/* Run r ended: a row of chain, owning r's names (r is left without). */
static int pend_add(struct proclog *p, int64_t chain, struct proclog_run *r)
{
	struct proclog_row *v = grow(p->pend, &p->cpend, p->npend, sizeof *v, 16);

	if (!v)
		return -ENOMEM;
	p->pend = v;
	p->pend[p->npend].chain = chain;
	p->pend[p->npend++].run = *r;
	r->program = r->comm = NULL;
	return 0;
}

int proclog_end(struct proclog *p)
{
	for (size_t i = 0; i < p->nopen; i++)
		if (pend_add(p, p->chain, &p->open[i]) < 0)
			return -ENOMEM;
	p->nopen = 0;
	return 0;
}

/* By pid, then in the order they were said. */
static int stage_cmp(const void *a, const void *b)
{
	const struct proclog_run *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->k_first < y->k_first ? -1 : x->k_first > y->k_first;
}

static bool str_is(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_values(const struct proclog_run *a, const struct proclog_run *b)
{
	return a->sockets == b->sockets && str_is(a->program, b->program) &&
	       str_is(a->comm, b->comm);
}

/* r into the next open runs, its names moved: continued to k, or (fresh)
 * starting at k. */
static void next_take(struct proclog *p, size_t *n, struct proclog_run *r, uint32_t k,
		      bool fresh)
{
	struct proclog_run *d = &p->next[(*n)++];

	*d = *r;
	if (fresh)
		d->k_first = k;
	d->k_last = k;
	r->program = r->comm = NULL;
}

int proclog_keep(struct proclog *p, int64_t chain, uint32_t k)
{
	size_t a = 0, b = 0, n = 0, t;
	struct proclog_run *tv;
	int rc = 0;

	if (chain != p->chain) {
		if ((rc = proclog_end(p)) < 0)
			return rc;
		p->chain = chain;
	}
	if (p->nstage > 1)   /* (a NULL array is not for qsort) */
		qsort(p->stage, p->nstage, sizeof *p->stage, stage_cmp);
	if (p->nopen + p->nstage > p->cnext) {
		if (!(tv = grow_to(p->next, &p->cnext, p->nopen + p->nstage, sizeof *tv, 16)))
			return -ENOMEM;
		p->next = tv;
	}
	/* open and stage, both by pid, merged into next; names move, so
	 * whatever is left behind owns none */
	while (rc == 0 && (a < p->nopen || b < p->nstage)) {
		struct proclog_run *o, *s;

		/* a pid said twice: the last one counts */
		while (b + 1 < p->nstage && p->stage[b + 1].pid == p->stage[b].pid)
			run_fini(&p->stage[b++]);
		o = a < p->nopen ? &p->open[a] : NULL;
		s = b < p->nstage ? &p->stage[b] : NULL;

		if (o && (!s || o->pid < s->pid)) {
			/* gone: its run ends at the snapshot before */
			rc = pend_add(p, p->chain, o);
			a++;
		} else if (o && s && o->pid == s->pid && o->k_last + 1 == k &&
			   same_values(o, s)) {
			next_take(p, &n, o, k, false);
			run_fini(s);
			a++;
			b++;
		} else if (s) {
			if (o && o->pid == s->pid) {
				/* other values, or after a gap: a new run */
				rc = pend_add(p, p->chain, o);
				a++;
			}
			next_take(p, &n, s, k, true);
			b++;
		}
	}
	/* what was not taken (an error stopped the merge) is dropped */
	runs_clear(p->open, &p->nopen);
	proclog_drop(p);
	tv = p->open;
	t = p->copen;
	p->open = p->next;
	p->copen = p->cnext;
	p->nopen = n;
	p->next = tv;
	p->cnext = t;
	p->k = k;
	return rc;
}
