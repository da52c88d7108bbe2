/* fuzz_textfmt_proc — any /proc/net text: consistent rows, <= 1 per line, sink
 * errors returned, end() harmless, a SURE probe() row parses alone. */
#include <errno.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "textfmt.h"
#include "tcpstate.h"
#include "fuzzrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	size_t rows, line_rows, bad;
	size_t stop_at; /* row() fails with -ECANCELED at this row (1-based), 0 never */
	int stopped;
	struct buf tsv;
};

static void check_row(const struct sock_row *r)
{
	fuzz_check_addrs(r);
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP && r->proto != IPPROTO_RAW)
		abort();
	if (r->proto != IPPROTO_RAW && (r->state < ST_ESTABLISHED || r->state > ST_CLOSING))
		abort();
	if (r->pid != 0 || r->program != NULL || r->unknown != 0 || r->timer > TIMER_PROBE)
		abort();
}

static int on_row(void *vctx, const struct sock_row *r)
{
	struct ctx *c = vctx;

	if (c->stopped)
		abort(); /* a row after the parser was told to stop */
	check_row(r);
	buf_reset(&c->tsv);
	if (sockrow_to_tsv(r, &c->tsv) != 0)
		abort();
	c->rows++;
	c->line_rows++;
	if (c->stop_at && c->rows == c->stop_at) {
		c->stopped = 1;
		return -ECANCELED;
	}
	return 0;
}

static void on_bad(void *vctx, size_t lineno, const char *expected)
{
	struct ctx *c = vctx;

	if (lineno == 0 || !expected || !*expected)
		abort();
	c->bad++;
}

static alignas(max_align_t) unsigned char state[512];
static alignas(max_align_t) unsigned char state2[512];

/* probe() SURE on a row means a fresh parser takes it as a row. */
static void check_probe(const char *line, size_t len)
{
	struct ctx c;
	struct row_sink sink = {on_row, on_bad, &c};
	int p = textfmt_proc.probe(line, len);
	struct token t[2];
	size_t n;

	if (p < TEXTFMT_PROBE_NO || p > TEXTFMT_PROBE_SURE)
		abort();
	if (p != TEXTFMT_PROBE_SURE)
		return;
	n = token_split(line, len, t, 2);
	if (n > 0 && t[0].len == 2 && memcmp(t[0].s, "sl", 2) == 0)
		return; /* a header */
	memset(&c, 0, sizeof c);
	textfmt_proc.begin(state2, NULL);
	if (textfmt_proc.line(state2, line, len, 1, &sink) != 0 || c.rows != 1 || c.bad != 0)
		abort();
	buf_fini(&c.tsv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = {NULL, "proc_net_tcp", "/x/proc_net_udp6", "raw.txt"};
	struct ctx c;
	struct row_sink sink = {on_row, on_bad, &c};
	const char *text;
	size_t pos = 0, lineno = 0, nlines = 0;
	int rc = 0;

	if (size < 1 || textfmt_proc.state_size > sizeof state)
		return 0;
	memset(&c, 0, sizeof c);
	c.stop_at = data[0] >> 4;
	text = (const char *)data + 1;
	size--;
	textfmt_proc.begin(state, hints[data[0] & 3]);
	while (pos < size) {
		const char *nl = memchr(text + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - text) : size, len = end - pos;

		lineno++;
		if (len <= TEXTFMT_LINE_MAX) {
			nlines++;
			check_probe(text + pos, len);
			c.line_rows = 0;
			rc = textfmt_proc.line(state, text + pos, len, lineno, &sink);
			if (c.line_rows > 1)
				abort();
			if (rc != 0 && !(rc == -ECANCELED && c.stopped))
				abort();
			if (rc)
				break;
		}
		pos = end + 1;
	}
	if (c.stopped != (rc == -ECANCELED))
		abort();
	if (!rc) {
		if (textfmt_proc.end(state, &sink) != 0 || textfmt_proc.end(state, &sink) != 0)
			abort();
	}
	if (c.rows + c.bad > nlines)
		abort();
	buf_fini(&c.tsv);
	return 0;
}
