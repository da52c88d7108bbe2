/* ship_state — the shipper's state file: per chain the last snapshot the
 * server acknowledged, and the batch in flight, so that a rerun re-sends
 * exactly the same batch (same rows, same batch id) and checks first. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "ship_int.h"

#define MAGIC "sockscope-ship 1\n"

static int cmp_chain(const void *a, const void *b)
{
	const struct ship_chain *x = a, *y = b;

	return (x->chain > y->chain) - (x->chain < y->chain);
}

static struct ship_chain *find(const struct ship_state *st, int64_t chain)
{
	struct ship_chain key = {chain, 0};

	return st->n ? bsearch(&key, st->c, st->n, sizeof key, cmp_chain) : NULL;
}

int64_t ship_state_done(const struct ship_state *st, int64_t chain)
{
	const struct ship_chain *c = find(st, chain);

	return c ? c->done : -1;
}

int ship_state_set(struct ship_state *st, int64_t chain, int64_t k)
{
	struct ship_chain *c = find(st, chain), *nv;

	if (c) {
		c->done = k;
		return 0;
	}
	nv = grow(st->c, &st->cap, st->n, sizeof *nv, 64);
	if (!nv)
		return -ENOMEM;
	st->c = nv;
	st->c[st->n++] = (struct ship_chain){chain, k};
	if (st->n > 1 && st->c[st->n - 2].chain > chain)
		qsort(st->c, st->n, sizeof *st->c, cmp_chain);
	return 0;
}

int ship_state_add_piece(struct ship_state *st, const struct ship_piece *p)
{
	struct ship_piece *nv = grow(st->pend, &st->pcap, st->npend, sizeof *nv, 16);

	if (!nv)
		return -ENOMEM;
	st->pend = nv;
	st->pend[st->npend++] = *p;
	return 0;
}

void ship_state_fini(struct ship_state *st)
{
	free(st->c);
	free(st->pend);
	memset(st, 0, sizeof *st);
}

int ship_state_load(struct ship_state *st, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256];
	int rc = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (!fgets(line, sizeof line, f) || strcmp(line, MAGIC)) {
		rc = -EBADMSG;
		goto out;
	}
	while (rc == 0 && fgets(line, sizeof line, f)) {
		int64_t a, b, c;
		uint64_t batch;
		char end;

		if (sscanf(line, "c %" SCNd64 " %" SCNd64 "%c", &a, &b, &end) == 3 && end == '\n')
			rc = ship_state_set(st, a, b);
		else if (sscanf(line, "p %" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNd64 "%c", &batch,
				&a, &b, &c, &end) == 5 && end == '\n' && b <= c) {
			if (st->npend && batch != st->pend_batch)
				rc = -EBADMSG;
			else
				st->pend_batch = batch;
			if (rc == 0)
				rc = ship_state_add_piece(st, &(struct ship_piece){a, b, c});
		} else
			rc = -EBADMSG;
	}
	if (rc == 0 && ferror(f))
		rc = -EIO;
out:
	fclose(f);
	return rc;
}

static int sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int ship_state_save(const struct ship_state *st, const char *path)
{
	char tmp[4096];
	FILE *f = NULL;
	int rc = 0, fd;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		rc = -errno;
		close(fd);
		goto out;
	}
	fputs(MAGIC, f);
	for (size_t i = 0; i < st->n; i++)
		fprintf(f, "c %" PRId64 " %" PRId64 "\n", st->c[i].chain, st->c[i].done);
	for (size_t i = 0; i < st->npend; i++)
		fprintf(f, "p %" PRIu64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", st->pend_batch,
			st->pend[i].chain, st->pend[i].a, st->pend[i].b);
	if (fflush(f) || ferror(f) || fsync(fileno(f)) < 0)
		rc = -EIO;
	if (fclose(f) && rc == 0)
		rc = -EIO;
	f = NULL;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc == 0)
		rc = sync_dir(path);
out:
	if (rc < 0)
		unlink(tmp);
	return rc;
}
