/* procread — the /proc/net files read ahead by a thread (see procread.h): the kernel's
 * text generation, the costliest part of a snapshot, runs beside the owner
 * scan and the sock_diag dump instead of after them. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "procread.h"

/* zstd's fastest positive level: the reader thread is not the snapshot's
 * critical path, the held copy is peak RSS (100k sockets' /proc/net/tcp:
 * 15 MB -> 1.3 MB in 64 kB pieces; level -2 held 2.2 MB and put 3 snapshots
 * at 31.6-32.8 MiB against the 32 MiB goal, for no faster snapshot). */
#define PROCREAD_LEVEL 1

/* One read() of a file, compressed; freed once written and parsed. */
struct piece {
	struct piece *next;
	size_t file;
	size_t raw, clen;
	bool written, parsed;
	char z[];
};

struct file_state {
	bool opened, ended;
	int open_err, end_err;
};

struct procread {
	/* set by procread_begin */
	const char *dir;
	const char *const *names;
	size_t n;
	bool threaded, begun;
	bool parse;            /* pieces wait for the parser too */
	/* the reader's own (the thread, or the caller when unthreaded) */
	size_t rfile;          /* file being read, or to open next */
	int fd;
	int rend;              /* the open file's end was read: 1, or -errno */
	char *rbuf, *zbuf;
	size_t zcap;
	ZSTD_CCtx *cctx;
	/* shared, under mu */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct piece *head, *tail;   /* every piece held, oldest first */
	struct piece *wnext, *pnext; /* next to write, next to parse (NULL: to come) */
	struct file_state f[PROCREAD_MAX_FILES];
	size_t held, peak;
	bool stop, done;
	/* the collecting thread's */
	size_t cfile;          /* file being taken */
	ZSTD_DCtx *dctx;
	/* the parser's (procread_parse) */
	procread_parse_fn *pfn;
	void *pctx;
	pthread_t pthread;
	bool pthreaded, pstarted;
	ZSTD_DCtx *pdctx;
	char *pbuf;
};

/* What one step of the reader did, applied under the lock. */
struct step {
	enum { STEP_OPEN, STEP_PIECE, STEP_END, STEP_DONE } kind;
	size_t file;
	int err;
	struct piece *p;
};

struct procread *procread_new(void)
{
	struct procread *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->fd = -1;
	r->zcap = ZSTD_compressBound(PROCREAD_CHUNK);
	r->rbuf = malloc(PROCREAD_CHUNK);
	r->zbuf = malloc(r->zcap);
	r->cctx = ZSTD_createCCtx();
	r->dctx = ZSTD_createDCtx();
	r->pdctx = ZSTD_createDCtx();
	r->pbuf = malloc(PROCREAD_CHUNK);
	if (!r->rbuf || !r->zbuf || !r->cctx || !r->dctx || !r->pdctx || !r->pbuf ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(r->cctx, ZSTD_c_compressionLevel, PROCREAD_LEVEL))) {
		procread_free(r);
		return NULL;
	}
	return r;
}

static void forget_pieces(struct procread *r)
{
	while (r->head) {
		struct piece *p = r->head;
		r->head = p->next;
		free(p);
	}
	r->tail = r->wnext = r->pnext = NULL;
	r->held = 0;
}

/* Frees the oldest pieces that are written and parsed; under mu. */
static void release(struct procread *r)
{
	bool freed = false;

	while (r->head && r->head->written && r->head->parsed) {
		struct piece *p = r->head;

		r->head = p->next;
		r->held -= sizeof *p + p->clen;
		free(p);
		freed = true;
	}
	if (!r->head)
		r->tail = NULL;
	if (freed)
		pthread_cond_broadcast(&r->cv);   /* room for the reader */
}

void procread_free(struct procread *r)
{
	if (!r)
		return;
	procread_end(r);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r->rbuf);
	free(r->zbuf);
	ZSTD_freeCCtx(r->cctx);
	ZSTD_freeDCtx(r->dctx);
	ZSTD_freeDCtx(r->pdctx);
	free(r->pbuf);
	free(r);
}

/* Up to PROCREAD_CHUNK bytes of the open file (a /proc file gives a page
 * per read()), compressed into a piece of its own: 1 (a piece), 0 at the
 * end, -errno. A read error after some bytes comes at the next call, and
 * the end is read once (at the end of /proc/net/tcp the kernel walks the
 * whole table again to find it). */
static int read_piece(struct procread *r, struct piece **out)
{
	size_t got = 0, z;
	struct piece *p;

	*out = NULL;
	if (r->rend)
		return r->rend < 0 ? r->rend : 0;
	while (got < PROCREAD_CHUNK) {
		ssize_t k = read(r->fd, r->rbuf + got, PROCREAD_CHUNK - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r->rend = k < 0 ? -errno : 1;
			break;
		}
		got += (size_t)k;
	}
	if (!got)
		return r->rend < 0 ? r->rend : 0;
	z = ZSTD_compress2(r->cctx, r->zbuf, r->zcap, r->rbuf, got);
	if (ZSTD_isError(z))
		return -ENOMEM;   /* the bound makes room: only memory can fail */
	p = malloc(sizeof *p + z);
	if (!p)
		return -ENOMEM;
	memcpy(p->z, r->zbuf, z);
	p->next = NULL;
	p->written = false;
	p->parsed = true;   /* apply() says, under the lock */
	p->file = r->rfile;
	p->raw = got;
	p->clen = z;
	*out = p;
	return 1;
}

/* The reader's next step: open the next file, or read a piece of it, or end
 * it. Only the reader touches rfile and fd. */
static void reader_step(struct procread *r, struct step *s)
{
	char path[512];
	int rc;

	*s = (struct step){.kind = STEP_DONE, .file = r->rfile};
	if (r->rfile >= r->n)
		return;
	if (r->fd < 0) {
		snprintf(path, sizeof path, "%s/%s", r->dir, r->names[r->rfile]);
		r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		r->rend = 0;
		s->kind = STEP_OPEN;
		s->err = r->fd < 0 ? -errno : 0;
		if (r->fd < 0)
			r->rfile++;
		return;
	}
	rc = read_piece(r, &s->p);
	if (rc > 0) {
		s->kind = STEP_PIECE;
		return;
	}
	s->kind = STEP_END;
	s->err = rc;
	close(r->fd);
	r->fd = -1;
	r->rfile++;
}

/* Makes step s visible to the collecting thread; under mu. */
static void apply(struct procread *r, const struct step *s)
{
	switch (s->kind) {
	case STEP_OPEN:
		r->f[s->file].opened = true;
		r->f[s->file].open_err = s->err;
		r->f[s->file].ended = s->err < 0;   /* for the parser */
		break;
	case STEP_PIECE:
		s->p->parsed = !r->parse;
		if (r->tail)
			r->tail->next = s->p;
		else
			r->head = s->p;
		r->tail = s->p;
		if (!r->wnext)
			r->wnext = s->p;
		if (!r->pnext && r->parse)
			r->pnext = s->p;
		r->held += sizeof *s->p + s->p->clen;
		if (r->held > r->peak)
			r->peak = r->held;
		break;
	case STEP_END:
		r->f[s->file].ended = true;
		r->f[s->file].end_err = s->err;
		break;
	case STEP_DONE:
		r->done = true;
		break;
	}
}

static void *reader_main(void *arg)
{
	struct procread *r = arg;
	struct step s;

	pthread_mutex_lock(&r->mu);
	while (!r->stop && !r->done) {
		if (r->held > PROCREAD_MAX_HELD) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		pthread_mutex_unlock(&r->mu);
		reader_step(r, &s);
		pthread_mutex_lock(&r->mu);
		apply(r, &s);
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int procread_begin(struct procread *r, const char *dir, const char *const *names, size_t n,
		   bool threaded, bool parse)
{
	if (n > PROCREAD_MAX_FILES || r->begun)
		return -EINVAL;
	r->parse = parse;
	r->pstarted = r->pthreaded = false;
	r->dir = dir;
	r->names = names;
	r->n = n;
	r->rfile = r->cfile = 0;
	memset(r->f, 0, sizeof r->f);
	r->stop = r->done = false;
	r->begun = true;
	r->threaded = threaded && pthread_create(&r->thread, NULL, reader_main, r) == 0;
	return 0;
}

/* Waits for the reader to take a step (or takes it, unthreaded); under mu. */
static void advance(struct procread *r)
{
	struct step s;

	/* the bound: the parser thread, if any, frees what it has had */
	if (r->threaded || (r->pthreaded && r->held > PROCREAD_MAX_HELD)) {
		pthread_cond_wait(&r->cv, &r->mu);
		return;
	}
	reader_step(r, &s);
	apply(r, &s);
	pthread_cond_broadcast(&r->cv);   /* for the parser thread */
}

/* What is left unwritten of files before i (the caller did not take all
 * of them) counts as written, or it could keep the reader waiting for
 * room; under mu. */
static void drop_before(struct procread *r, size_t i)
{
	while (r->wnext && r->wnext->file < i) {
		r->wnext->written = true;
		if (r->pstarted && !r->pthreaded)
			r->wnext->parsed = true;   /* the inline parser skips it too */
		r->wnext = r->wnext->next;
	}
	release(r);
}

int procread_open(struct procread *r, size_t i)
{
	int err;

	if (!r->begun || i >= r->n)
		return -EINVAL;
	pthread_mutex_lock(&r->mu);
	if (r->parse && !r->pstarted) {
		/* Writing began without procread_parse: nothing is parsed, and
		 * no piece waits for it (else the reader would wait for room). */
		r->parse = false;
		for (struct piece *p = r->head; p; p = p->next)
			p->parsed = true;
		r->pnext = NULL;
	}
	for (;;) {
		drop_before(r, i);
		if (r->f[i].opened)
			break;
		advance(r);
	}
	err = r->f[i].open_err;
	pthread_mutex_unlock(&r->mu);
	r->cfile = i;
	return err;
}

ssize_t procread_next(struct procread *r, char *buf)
{
	struct piece *p = NULL;
	size_t i = r->cfile;
	ssize_t ret = 0;

	if (!r->begun || i >= r->n)
		return -EINVAL;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		if (r->wnext && r->wnext->file == i) {
			p = r->wnext;
			r->wnext = p->next;
			break;
		}
		if (r->f[i].ended) {
			ret = r->f[i].end_err;
			r->f[i].end_err = 0;   /* an error is said once */
			break;
		}
		advance(r);
	}
	pthread_mutex_unlock(&r->mu);
	if (!p) {
		if (r->pstarted && !r->pthreaded)
			r->pfn(r->pctx, i, NULL, 0);   /* the inline parser's end of file */
		return ret;
	}
	size_t k = ZSTD_decompressDCtx(r->dctx, buf, PROCREAD_CHUNK, p->z, p->clen);
	ret = ZSTD_isError(k) || k != p->raw ? -EIO : (ssize_t)k;
	/* No parser thread: the parser's turn comes here, in order. */
	if (ret > 0 && r->pstarted && !r->pthreaded && !p->parsed)
		r->pfn(r->pctx, i, buf, (size_t)ret);
	pthread_mutex_lock(&r->mu);
	p->written = true;
	if (r->pstarted && !r->pthreaded)
		p->parsed = true;
	release(r);
	pthread_mutex_unlock(&r->mu);
	return ret;
}

/* The parser: every piece in order, and the end of each file. */
static void *parser_main(void *arg)
{
	struct procread *r = arg;
	size_t file = 0;

	pthread_mutex_lock(&r->mu);
	while (!r->stop && file < r->n) {
		struct piece *p = r->pnext;

		if (p && p->file == file) {
			r->pnext = p->next;
			pthread_mutex_unlock(&r->mu);
			size_t k = ZSTD_decompressDCtx(r->pdctx, r->pbuf, PROCREAD_CHUNK, p->z, p->clen);
			/* -EIO is the writer's to say: the same piece fails there */
			if (!ZSTD_isError(k) && k == p->raw)
				r->pfn(r->pctx, file, r->pbuf, k);
			pthread_mutex_lock(&r->mu);
			p->parsed = true;
			release(r);
		} else if (r->f[file].ended) {
			bool opened = r->f[file].open_err == 0;

			pthread_mutex_unlock(&r->mu);
			if (opened)
				r->pfn(r->pctx, file, NULL, 0);
			pthread_mutex_lock(&r->mu);
			file++;
		} else {
			pthread_cond_wait(&r->cv, &r->mu);
		}
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int procread_parse(struct procread *r, procread_parse_fn *fn, void *ctx)
{
	if (!r->begun || !r->parse || r->pstarted)
		return -EINVAL;
	r->pfn = fn;
	r->pctx = ctx;
	pthread_mutex_lock(&r->mu);
	/* without a thread, procread_next parses what it takes */
	r->pstarted = true;
	r->pthreaded = pthread_create(&r->pthread, NULL, parser_main, r) == 0;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

void procread_parse_end(struct procread *r)
{
	if (!r->pstarted)
		return;
	if (r->pthreaded) {
		pthread_join(r->pthread, NULL);
		r->pthreaded = false;
	}
	r->pstarted = false;
}

void procread_end(struct procread *r)
{
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	if (r->threaded) {
		pthread_join(r->thread, NULL);
		r->threaded = false;
	}
	if (r->pthreaded) {
		pthread_join(r->pthread, NULL);
		r->pthreaded = false;
	}
	r->pstarted = false;
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	forget_pieces(r);
	r->begun = false;
}

size_t procread_peak_held(struct procread *r)
{
	size_t peak;

	pthread_mutex_lock(&r->mu);
	peak = r->peak;
	pthread_mutex_unlock(&r->mu);
	return peak;
}
