/* Unit tests for recorder/procread: what the reader thread hands back is
 * each file's bytes exactly, with its open and read errors, threaded or
 * not; the parser gets the same bytes; what it holds stays under its
 * bound; it can be stopped anywhere. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "procread.h"

static const char *const names[] = {"net/tcp", "net/tcp6", "net/udp", "net/udp6", "net/raw",
				    "net/raw6"};
#define NN (sizeof names / sizeof names[0])

struct bytes {
	char *p;
	size_t n, cap;
};

struct fixture {
	char dir[64];
	char *tcp;           /* net/tcp's bytes */
	size_t tcplen;
};

static void put(const char *dir, const char *name, const char *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* net/tcp: many pieces of /proc-like text; tcp6 missing; udp empty; udp6
 * a directory (read fails); raw one line; raw6 a symlink (open fails). */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	char path[128];
	size_t cap = 300 * 1000;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/test_procread.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof path, "%s/net", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	fx->tcp = malloc(cap);
	assert_non_null(fx->tcp);
	for (unsigned i = 0; fx->tcplen + 200 < cap; i++)
		fx->tcplen += (size_t)snprintf(fx->tcp + fx->tcplen, cap - fx->tcplen,
					       "%4u: 0202000A:0050 %08X:%04X 03 00000000:00000000 "
					       "01:%08X 00000000     0        0 0\n",
					       i, i * 2654435761u, i % 65536, i * 7);
	put(fx->dir, "net/tcp", fx->tcp, fx->tcplen);
	put(fx->dir, "net/udp", "", 0);
	snprintf(path, sizeof path, "%s/net/udp6", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	put(fx->dir, "net/raw", "  sl  local_address\n", 20);
	snprintf(path, sizeof path, "%s/net/raw6", fx->dir);
	assert_int_equal(symlink("raw", path), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx->tcp);
	free(fx);
	return 0;
}

/* Takes the open file whole; -errno of a read error, else its length. */
static long take(struct procread *r, struct bytes *out)
{
	char *chunk = malloc(PROCREAD_CHUNK);
	long ret = 0;

	assert_non_null(chunk);
	out->n = 0;
	for (;;) {
		ssize_t k = procread_next(r, chunk);
		if (k <= 0) {
			ret = k < 0 ? (long)k : (long)out->n;
			break;
		}
		assert_true((size_t)k <= PROCREAD_CHUNK);
		if (out->n + (size_t)k > out->cap) {
			out->cap = (out->n + (size_t)k) * 2;
			out->p = realloc(out->p, out->cap);
			assert_non_null(out->p);
		}
		memcpy(out->p + out->n, chunk, (size_t)k);
		out->n += (size_t)k;
	}
	free(chunk);
	return ret;
}

static void read_all(struct fixture *fx, struct procread *r, bool threaded)
{
	struct bytes b = {0};

	assert_int_equal(procread_begin(r, fx->dir, names, NN, threaded, false), 0);
	assert_int_equal(procread_begin(r, fx->dir, names, NN, threaded, false), -EINVAL);
	assert_int_equal(procread_open(r, 0), 0);
	assert_int_equal(take(r, &b), (long)fx->tcplen);
	assert_memory_equal(b.p, fx->tcp, fx->tcplen);
	assert_int_equal(procread_open(r, 1), -ENOENT);
	assert_int_equal(procread_open(r, 2), 0);
	assert_int_equal(take(r, &b), 0);
	assert_int_equal(procread_open(r, 3), 0);
	assert_int_equal(take(r, &b), -EISDIR);
	assert_int_equal(procread_open(r, 4), 0);
	assert_int_equal(take(r, &b), 20);
	assert_memory_equal(b.p, "  sl  local_address\n", 20);
	assert_int_equal(procread_open(r, 5), -ELOOP);
	procread_end(r);
	free(b.p);
}

static void test_files_threaded_and_not(void **state)
{
	struct fixture *fx = *state;
	struct procread *r = procread_new();

	assert_non_null(r);
	for (int round = 0; round < 3; round++) {   /* the same reader, reused */
		read_all(fx, r, true);
		read_all(fx, r, false);
	}
	procread_free(r);
}

/* A file taken in part, then the next: the rest of the first is dropped,
 * the second comes whole; and a reader stopped mid-file. */
static void test_skip_and_stop(void **state)
{
	struct fixture *fx = *state;
	struct procread *r = procread_new();
	char *chunk = malloc(PROCREAD_CHUNK);
	struct bytes b = {0};

	assert_non_null(r);
	assert_non_null(chunk);
	for (int threaded = 0; threaded < 2; threaded++) {
		assert_int_equal(procread_begin(r, fx->dir, names, NN, threaded, false), 0);
		assert_int_equal(procread_open(r, 0), 0);
		assert_true(procread_next(r, chunk) > 0);
		assert_int_equal(procread_open(r, 4), 0);
		assert_int_equal(take(r, &b), 20);
		procread_end(r);
		assert_int_equal(procread_begin(r, fx->dir, names, NN, threaded, false), 0);
		assert_int_equal(procread_open(r, 0), 0);
		assert_true(procread_next(r, chunk) > 0);
		procread_end(r);   /* stops the reader mid-file */
		assert_int_equal(procread_open(r, 0), -EINVAL);
	}
	procread_free(r);
	/* freed while begun: free stops and joins it */
	r = procread_new();
	assert_non_null(r);
	assert_int_equal(procread_begin(r, fx->dir, names, NN, true, false), 0);
	procread_free(r);
	free(chunk);
	free(b.p);
}

/* A file that compresses badly and is larger than the bound: the reader
 * waits for room, holds no more than the bound and one piece, and the bytes
 * still come whole. */
static void test_bound(void **state)
{
	struct fixture *fx = *state;
	const char *big[] = {"net/big"};
	size_t n = 3 * PROCREAD_MAX_HELD;
	char *p = malloc(n);
	uint64_t x = 88172645463325252ull;
	struct bytes b = {0};
	struct procread *r = procread_new();
	struct timespec pause = {0, 200 * 1000 * 1000};

	assert_non_null(p);
	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {   /* xorshift: incompressible */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (char)(x >> 24);
	}
	put(fx->dir, "net/big", p, n);
	assert_int_equal(procread_begin(r, fx->dir, big, 1, true, false), 0);
	assert_int_equal(procread_open(r, 0), 0);
	nanosleep(&pause, NULL);   /* the reader runs into its bound */
	assert_true(procread_peak_held(r) > PROCREAD_MAX_HELD / 2);
	assert_int_equal(take(r, &b), (long)n);
	assert_memory_equal(b.p, p, n);
	assert_true(procread_peak_held(r) <=
		    PROCREAD_MAX_HELD + 2 * PROCREAD_CHUNK + 256);
	procread_end(r);
	procread_free(r);
	free(b.p);
	free(p);
}

/* What the parser was given: each file's bytes, and its ends. */
struct parsed {
	struct bytes file[NN];
	unsigned ends[NN];
};

static void on_piece(void *ctx, size_t file, const char *p, size_t n)
{
	struct parsed *ps = ctx;
	struct bytes *b = &ps->file[file];

	assert_true(file < NN);
	if (!p) {
		ps->ends[file]++;
		return;
	}
	assert_int_equal(ps->ends[file], 0);   /* no bytes after the end */
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* The parser thread gets every file's bytes and one end for each file that
 * opened (read error included), with the reader threaded or not; the
 * writer's bytes are unchanged. */
static void test_parser(void **state)
{
	struct fixture *fx = *state;
	struct procread *r = procread_new();
	struct bytes b = {0};

	assert_non_null(r);
	for (int threaded = 0; threaded < 2; threaded++) {
		struct parsed ps;

		memset(&ps, 0, sizeof ps);
		assert_int_equal(procread_begin(r, fx->dir, names, NN, threaded, true), 0);
		assert_int_equal(procread_parse(r, on_piece, &ps), 0);
		assert_int_equal(procread_parse(r, on_piece, &ps), -EINVAL);
		assert_int_equal(procread_open(r, 0), 0);
		assert_int_equal(take(r, &b), (long)fx->tcplen);
		assert_memory_equal(b.p, fx->tcp, fx->tcplen);
		assert_int_equal(procread_open(r, 1), -ENOENT);
		assert_int_equal(procread_open(r, 2), 0);
		assert_int_equal(take(r, &b), 0);
		assert_int_equal(procread_open(r, 3), 0);
		assert_int_equal(take(r, &b), -EISDIR);
		assert_int_equal(procread_open(r, 4), 0);
		assert_int_equal(take(r, &b), 20);
		assert_int_equal(procread_open(r, 5), -ELOOP);
		procread_parse_end(r);
		procread_end(r);
		assert_int_equal(ps.file[0].n, fx->tcplen);
		assert_memory_equal(ps.file[0].p, fx->tcp, fx->tcplen);
		assert_int_equal(ps.file[4].n, 20);
		assert_memory_equal(ps.file[4].p, "  sl  local_address\n", 20);
		assert_int_equal(ps.file[2].n + ps.file[3].n, 0);
		unsigned want[NN] = {1, 0, 1, 1, 1, 0};
		assert_memory_equal(ps.ends, want, sizeof want);
		for (size_t i = 0; i < NN; i++)
			free(ps.file[i].p);
	}
	procread_free(r);
	free(b.p);
}

/* Begun for a parser that never starts, with more to hold than the bound:
 * the writer still gets everything (nothing waits for the parser). */
static void test_parser_never_started(void **state)
{
	struct fixture *fx = *state;
	const char *big[] = {"net/big2"};
	size_t n = 2 * PROCREAD_MAX_HELD;
	char *p = malloc(n);
	uint64_t x = 2463534242ull;
	struct bytes b = {0};
	struct procread *r = procread_new();
	struct timespec pause = {0, 100 * 1000 * 1000};

	assert_non_null(p);
	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (char)(x >> 24);
	}
	put(fx->dir, "net/big2", p, n);
	assert_int_equal(procread_begin(r, fx->dir, big, 1, true, true), 0);
	nanosleep(&pause, NULL);
	assert_int_equal(procread_open(r, 0), 0);
	assert_int_equal(take(r, &b), (long)n);
	assert_memory_equal(b.p, p, n);
	procread_end(r);
	procread_free(r);
	free(b.p);
	free(p);
}

/* Stopped while the parser waits, and while the writer never came. */
static void test_parser_stopped(void **state)
{
	struct fixture *fx = *state;
	struct procread *r = procread_new();
	struct parsed ps;

	memset(&ps, 0, sizeof ps);
	assert_non_null(r);
	assert_int_equal(procread_begin(r, fx->dir, names, NN, true, true), 0);
	assert_int_equal(procread_parse(r, on_piece, &ps), 0);
	procread_end(r);
	procread_free(r);
	for (size_t i = 0; i < NN; i++)
		free(ps.file[i].p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_threaded_and_not),
		cmocka_unit_test(test_skip_and_stop),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_parser),
		cmocka_unit_test(test_parser_never_started),
		cmocka_unit_test(test_parser_stopped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
