/* fuzz_textfmt_ss — any bytes as a saved `ss` dump: every row must be a sane
 * inet row, no more rows and complaints than lines, end() must be safe after
 * any line, and each line in a buffer of its own exact size must give the
 * same rows as the lines read in place. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "tcpstate.h"
#include "fuzzrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEEP 64 /* rows compared field by field */
#define PROG 256

struct rec {
	struct sock_row r[KEEP];
	char prog[KEEP][PROG];
	size_t bad_line[KEEP];
	size_t n, nbad;
};

static void check(const struct sock_row *r)
{
	fuzz_check_addrs(r);
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		abort();
	if (r->state < ST_ESTABLISHED || r->state > ST_CLOSING)
		abort();
	if (r->unknown & ~SOCKROW_UNKNOWN_ALL || r->unknown & SOCKROW_UNKNOWN_QUEUES)
		abort();
	if (!(r->unknown & SOCKROW_UNKNOWN_TIMER) && r->timer > TIMER_PROBE)
		abort();
	if (r->pid < 0 || (r->program && r->pid == 0))
		abort();
	if (r->program) {
		size_t len = strnlen(r->program, PROG);

		if (len == 0 || len == PROG)
			abort();
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)r->program[i] < 0x20 || r->program[i] == 0x7f)
				abort();
	}
}

static int on_row(void *ctx, const struct sock_row *r)
{
	struct rec *c = ctx;

	check(r);
	if (c->n < KEEP) {
		c->r[c->n] = *r;
		c->prog[c->n][0] = '\0';
		if (r->program)
			strcpy(c->prog[c->n], r->program);
	}
	c->n++;
	return 0;
}

static void on_bad(void *ctx, size_t lineno, const char *expected)
{
	struct rec *c = ctx;

	if (!expected || !expected[0] || lineno == 0)
		abort();
	if (c->nbad < KEEP)
		c->bad_line[c->nbad] = lineno;
	c->nbad++;
}

static int row_ignore(void *ctx, const struct sock_row *r)
{
	(void)ctx;
	check(r);
	return 0;
}

static void bad_ignore(void *ctx, size_t lineno, const char *expected)
{
	(void)ctx;
	if (!expected || lineno == 0)
		abort();
}

/* Feeds text as lines (split at '\n'); exact: each line copied into a
 * malloc'd buffer of its length, so a read past it is caught. Returns the
 * number of non-blank lines: each row or complaint starts on one. */
static size_t feed(const char *text, size_t len, const char *hint, int exact, struct rec *c,
		   void *st, void *scratch)
{
	struct row_sink sink = {on_row, on_bad, c}, quiet = {row_ignore, bad_ignore, NULL};
	size_t i = 0, lineno = 0, nonblank = 0;

	textfmt_ss.begin(st, hint);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *line = text + i;
		char *copy = NULL;

		for (size_t k = 0; k < l; k++)
			if (line[k] != ' ' && line[k] != '\t') {
				nonblank++;
				break;
			}
		if (exact) {
			copy = malloc(l ? l : 1);
			if (!copy)
				abort();
			memcpy(copy, line, l);
			line = copy;
		}
		if (textfmt_ss.line(st, line, l, ++lineno, &sink) != 0)
			abort();
		free(copy);
		/* the dump could end here: end() on a copy of the state */
		if (scratch) {
			memcpy(scratch, st, textfmt_ss.state_size);
			if (textfmt_ss.end(scratch, &quiet) != 0)
				abort();
		}
		i += l + 1;
	}
	if (textfmt_ss.end(st, &sink) != 0 || textfmt_ss.end(st, &sink) != 0)
		abort();
	return nonblank;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = {NULL, "ss-udp.txt", "/tmp/ss-tcp", "x"};
	static struct rec a, b;
	const char *hint;
	void *st, *scratch;
	size_t lines;

	if (size < 1)
		return 0;
	hint = hints[data[0] & 3];
	st = malloc(textfmt_ss.state_size);
	scratch = malloc(textfmt_ss.state_size);
	if (!st || !scratch)
		abort();
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	lines = feed((const char *)data + 1, size - 1, hint, 0, &a, st, scratch);
	if (a.n + a.nbad > lines)
		abort();
	feed((const char *)data + 1, size - 1, hint, 1, &b, st, NULL);
	if (a.n != b.n || a.nbad != b.nbad)
		abort();
	for (size_t i = 0; i < a.n && i < KEEP; i++) {
		const struct sock_row *x = &a.r[i], *y = &b.r[i];

		if (x->proto != y->proto || x->family != y->family || x->state != y->state ||
		    memcmp(&x->local, &y->local, sizeof x->local) != 0 ||
		    memcmp(&x->remote, &y->remote, sizeof x->remote) != 0 || x->lport != y->lport ||
		    x->rport != y->rport || x->rxq != y->rxq || x->txq != y->txq ||
		    x->uid != y->uid || x->inode != y->inode || x->timer != y->timer ||
		    x->expires_ms != y->expires_ms || x->retrans != y->retrans ||
		    x->pid != y->pid || x->unknown != y->unknown ||
		    (x->program == NULL) != (y->program == NULL) ||
		    strcmp(a.prog[i], b.prog[i]) != 0)
			abort();
	}
	for (size_t i = 0; i < a.nbad && i < KEEP; i++)
		if (a.bad_line[i] != b.bad_line[i] || a.bad_line[i] > size)
			abort();
	/* probe is stateless and total */
	if ((unsigned)textfmt_ss.probe((const char *)data + 1,
				    strnlen((const char *)data + 1, size - 1)) > TEXTFMT_PROBE_SURE)
		abort();
	free(st);
	free(scratch);
	return 0;
}
