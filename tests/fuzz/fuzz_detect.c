/* fuzz_detect — any text through format detection and through every dump
 * parser line by line: rows are well-formed (family matches the address,
 * a known protocol and state, NUL-terminated program), no parser emits more
 * rows than it was given lines plus one held row, and the detected format's
 * probe really liked some line. */
#include <netinet/in.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "tcpstate.h"
#include "fuzzrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	size_t rows, bad;
};

static int on_row(void *vctx, const struct sock_row *r)
{
	struct ctx *c = vctx;

	fuzz_check_addrs(r);
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP && r->proto != IPPROTO_RAW)
		abort();
	if (r->state >= ST_MAX_)
		abort();
	if (r->program && strlen(r->program) > TEXTFMT_LINE_MAX)
		abort();
	if (r->unknown & ~SOCKROW_UNKNOWN_ALL)
		abort();
	c->rows++;
	return 0;
}

static void on_bad(void *vctx, size_t lineno, const char *expected)
{
	struct ctx *c = vctx;

	if (lineno == 0 || !expected || !*expected)
		abort();
	c->bad++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static alignas(max_align_t) unsigned char state[1 << 16];
	const char *text = (const char *)data;
	const struct textfmt *f = textfmt_detect(text, size);

	if (f) {
		/* detection needs a SURE line of the winner */
		int sure = 0;
		size_t pos = 0;

		while (pos <= size && !sure) {
			const char *nl = memchr(text + pos, '\n', size - pos);
			size_t end = nl ? (size_t)(nl - text) : size;
			size_t l = end - pos;

			if (l && text[end - 1] == '\r')
				l--;
			sure = l && f->probe(text + pos, l) == TEXTFMT_PROBE_SURE;
			pos = end + 1;
		}
		if (!sure)
			abort();
	}
	for (size_t i = 0; textfmt_all[i]; i++) {
		const struct textfmt *p = textfmt_all[i];
		struct ctx c = {0, 0};
		struct row_sink sink = {on_row, on_bad, &c};
		size_t pos = 0, lineno = 0;

		if (p->state_size > sizeof state)
			abort();
		memset(state, 0xa5, p->state_size);   /* begin() must initialise */
		p->begin(state, i & 1 ? "udp6" : NULL);
		while (pos < size) {
			const char *nl = memchr(text + pos, '\n', size - pos);
			size_t end = nl ? (size_t)(nl - text) : size;
			size_t l = end - pos;

			if (l && text[end - 1] == '\r')
				l--;
			lineno++;
			if (l <= TEXTFMT_LINE_MAX && memchr(text + pos, '\r', l) == NULL &&
			    p->line(state, text + pos, l, lineno, &sink) != 0)
				abort();
			pos = end + 1;
		}
		if (p->end(state, &sink) != 0)
			abort();
		if (c.rows > lineno + 1)
			abort();
	}
	return 0;
}
