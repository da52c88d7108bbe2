/* fuzz_textfmt_windows — any Windows netstat text: consistent rows, programs
 * clean and terminated, rows only from TCP/UDP lines, at most one verdict
 * (row or bad) per line, sink errors returned, end() after anything
 * harmless. */
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
	size_t rows, bad;
	size_t stop_at; /* row() fails with -ECANCELED at this row (1-based), 0 never */
	int stopped;
	struct buf tsv;
};

static void check_row(const struct sock_row *r)
{
	fuzz_check_addrs(r);
	if (r->proto == IPPROTO_TCP) {
		if (r->state < ST_ESTABLISHED || r->state > ST_CLOSING)
			abort();
	} else if (r->proto == IPPROTO_UDP) {
		if (r->state != ST_CLOSE)
			abort();
	} else {
		abort();
	}
	if (r->pid < 0 || r->unknown != SOCKROW_UNKNOWN_ALL)
		abort();
	if (r->program) {
		size_t n = strnlen(r->program, 256);

		if (n == 0 || n >= 256)
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)r->program[i] < 0x20 || r->program[i] == 0x7f)
				abort();
	}
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

/* Lines whose first word is TCP or UDP: the most rows there can be. */
static int tcp_or_udp(const char *line, size_t len)
{
	struct token t[1];

	return token_split(line, len, t, 1) > 0 &&
	       (token_is(&t[0], "TCP") || token_is(&t[0], "UDP"));
}

static alignas(max_align_t) unsigned char state[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;
	struct row_sink sink = {on_row, on_bad, &c};
	const char *text;
	size_t pos = 0, lineno = 0, shaped = 0, lines = 0;
	int rc = 0, p;

	if (size < 1 || textfmt_windows.state_size > sizeof state)
		return 0;
	memset(&c, 0, sizeof c);
	c.stop_at = data[0] & 15;
	text = (const char *)data + 1;
	size--;
	textfmt_windows.begin(state, NULL);
	while (pos < size) {
		const char *nl = memchr(text + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - text) : size, len = end - pos;

		lineno++;
		p = textfmt_windows.probe(text + pos, len);
		if (p < TEXTFMT_PROBE_NO || p > TEXTFMT_PROBE_SURE)
			abort();
		/* the reader strips one CR of CRLF */
		if (len > 0 && text[end - 1] == '\r')
			len--;
		if (len <= TEXTFMT_LINE_MAX) {
			shaped += (size_t)tcp_or_udp(text + pos, len);
			lines++;
			rc = textfmt_windows.line(state, text + pos, len, lineno, &sink);
			if (rc != 0 && !(rc == -ECANCELED && c.stopped))
				abort();
			if (rc)
				break;
		}
		pos = end + 1;
	}
	if (!rc)
		rc = textfmt_windows.end(state, &sink);
	if (rc != 0 && !(rc == -ECANCELED && c.stopped))
		abort();
	if (c.stopped != (rc == -ECANCELED))
		abort();
	/* whatever happened, a second end() has nothing left to send */
	c.stopped = 0;
	c.stop_at = 0;
	{
		size_t before = c.rows;

		if (textfmt_windows.end(state, &sink) != 0 || c.rows != before)
			abort();
	}
	/* rows come from TCP/UDP lines only; a line is a row, bad, or neither */
	if (c.rows > shaped || c.rows + c.bad > lines)
		abort();
	buf_fini(&c.tsv);
	return 0;
}
