/* renderq — rendering and digesting netstat rows in a thread of their own,
 * fed in batches by the collecting thread (see renderq.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "renderq.h"

#define RENDERQ_MAX 16          /* commands: collect.h's COLLECT_MAX_NETSTAT */
#define BATCH_ROWS 1024
#define NBATCH 4                /* ~0.6 MB of rows in flight at most */
#define DIGEST_CHUNK (64 * 1024) /* SHA-256 is faster on long input */

struct batch {
	struct sock_row *rows;
	size_t n;
};

struct renderq {
	/* the renderings: touched by the rendering thread only, between
	 * renderq_begin and the join in renderq_end */
	const struct netstat_opts *ns;
	size_t nns;
	struct sha256 sha[RENDERQ_MAX];
	uint64_t len[RENDERQ_MAX];
	struct buf text[RENDERQ_MAX];   /* rendered, not yet digested */
	int err;
	/* the hand-over */
	pthread_t thread;
	bool threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[NBATCH];
	unsigned full[NBATCH], nfull, head;   /* FIFO of filled batches */
	unsigned freelist[NBATCH], nfree;
	bool stop;
	struct batch *cur;               /* being filled by the collecting thread */
};

struct renderq *renderq_new(void)
{
	struct renderq *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	for (unsigned i = 0; i < NBATCH; i++) {
		q->b[i].rows = malloc(BATCH_ROWS * sizeof *q->b[i].rows);
		if (!q->b[i].rows) {
			renderq_free(q);
			return NULL;
		}
	}
	for (size_t i = 0; i < RENDERQ_MAX; i++)
		buf_init(&q->text[i]);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	return q;
}

void renderq_free(struct renderq *q)
{
	if (!q)
		return;
	if (q->threaded) {
		/* an unfinished snapshot: stop the thread, forget the rows */
		pthread_mutex_lock(&q->mu);
		q->stop = true;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
	}
	for (unsigned i = 0; i < NBATCH; i++)
		free(q->b[i].rows);
	for (size_t i = 0; i < RENDERQ_MAX; i++)
		buf_fini(&q->text[i]);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

/* Rendering i's text so far into its digest, once there is min bytes. */
static void digest(struct renderq *q, size_t i, size_t min)
{
	if (q->text[i].len < min)
		return;
	sha256_update(&q->sha[i], q->text[i].data, q->text[i].len);
	q->len[i] += q->text[i].len;
	buf_reset(&q->text[i]);
}

static void render(struct renderq *q, const struct batch *b)
{
	for (size_t k = 0; k < b->n; k++) {
		for (size_t i = 0; i < q->nns; i++) {
			if (netstat_render_row(&q->ns[i], &b->rows[k], &q->text[i]) < 0 && !q->err)
				q->err = -ENOMEM;
			digest(q, i, DIGEST_CHUNK);
		}
	}
}

static void *render_main(void *arg)
{
	struct renderq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		unsigned b;

		while (q->nfull == 0 && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->nfull == 0)
			break;   /* stopped, and every batch rendered */
		b = q->full[q->head];
		q->head = (q->head + 1) % NBATCH;
		q->nfull--;
		pthread_mutex_unlock(&q->mu);
		render(q, &q->b[b]);
		pthread_mutex_lock(&q->mu);
		q->b[b].n = 0;
		q->freelist[q->nfree++] = b;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int renderq_begin(struct renderq *q, const struct netstat_opts *ns, size_t n)
{
	if (n > RENDERQ_MAX || q->threaded)
		return -EINVAL;
	q->ns = ns;
	q->nns = n;
	q->err = 0;
	for (size_t i = 0; i < n; i++) {
		sha256_init(&q->sha[i]);
		q->len[i] = 0;
		buf_reset(&q->text[i]);
		if (netstat_render_header(&ns[i], &q->text[i]) < 0)
			q->err = -ENOMEM;
	}
	q->nfull = q->head = 0;
	q->nfree = 0;
	for (unsigned i = 1; i < NBATCH; i++) {
		q->b[i].n = 0;
		q->freelist[q->nfree++] = i;
	}
	q->cur = &q->b[0];
	q->cur->n = 0;
	q->stop = false;
	/* without a thread, renderq_row renders each batch itself */
	q->threaded = pthread_create(&q->thread, NULL, render_main, q) == 0;
	return q->err;
}

/* The filled batch to the thread; a free one back (rendered in line when
 * there is no thread). */
static void hand_over(struct renderq *q)
{
	unsigned b = (unsigned)(q->cur - q->b);

	if (!q->threaded) {
		render(q, q->cur);
		q->cur->n = 0;
		return;
	}
	pthread_mutex_lock(&q->mu);
	q->full[(q->head + q->nfull) % NBATCH] = b;
	q->nfull++;
	pthread_cond_broadcast(&q->cv);
	while (q->nfree == 0)
		pthread_cond_wait(&q->cv, &q->mu);
	q->cur = &q->b[q->freelist[--q->nfree]];
	pthread_mutex_unlock(&q->mu);
	q->cur->n = 0;
}

int renderq_row(struct renderq *q, const struct sock_row *r)
{
	q->cur->rows[q->cur->n++] = *r;
	if (q->cur->n == BATCH_ROWS)
		hand_over(q);
	return 0;   /* rendering errors: renderq_end, after the join */
}

int renderq_end(struct renderq *q, uint8_t (*d)[SHA256_LEN], uint64_t *len)
{
	if (q->threaded) {
		pthread_mutex_lock(&q->mu);
		q->full[(q->head + q->nfull) % NBATCH] = (unsigned)(q->cur - q->b);
		q->nfull++;
		q->stop = true;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
		q->threaded = false;
	} else {
		render(q, q->cur);
	}
	q->cur->n = 0;
	for (size_t i = 0; i < q->nns; i++) {
		digest(q, i, 0);
		sha256_final(&q->sha[i], d[i]);
		len[i] = q->len[i];
	}
	return q->err;
}
