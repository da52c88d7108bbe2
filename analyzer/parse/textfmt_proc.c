/* textfmt_proc — the parser of saved /proc/net/{tcp,tcp6,udp,udp6} text, alone
 * or concatenated: which file each row is from; common/procnet reads the row. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "procnet.h"
#include "tcpstate.h"

struct proc_state {
	int proto;     /* of the rows that follow: IPPROTO_TCP/UDP/RAW */
	bool hint_raw; /* the file name said raw */
	bool swap;     /* rows were written by a CPU of the other byte order */
};

static bool host_is_le(void)
{
	const uint16_t one = 1;
	uint8_t b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/* w (lower case) occurs in s[0..len), ASCII case ignored. */
static bool contains(const char *s, size_t len, const char *w)
{
	size_t wl = strlen(w);

	for (size_t i = 0; i + wl <= len; i++) {
		size_t k = 0;

		while (k < wl && (s[i + k] | 0x20) == w[k])
			k++;
		if (k == wl)
			return true;
	}
	return false;
}

/* Which file a row belongs to:
 * - the family is in every row: the local address has 8 hex digits in
 *   tcp/udp/raw and 32 in their "6" twins (see row_family);
 * - TCP vs UDP is only in the header: tcp and tcp6 end theirs with
 *   "inode", udp, udp6, raw and raw6 with "ref pointer drops". Every header
 *   decides again, so `cat /proc/net/tcp /proc/net/udp6 > x` reads right;
 * - before any header, the file name decides (begin's name_hint: "udp" in
 *   it means UDP, "raw" raw), else TCP, the file people save most.
 * raw and udp headers are identical, so a raw section counts as raw only
 * when the name says raw; concatenated after tcp or udp it reads as UDP
 * (its "port" is then the IP protocol number). */
static void proc_begin(void *state, const char *name_hint)
{
	struct proc_state *st = state;
	const char *base = name_hint, *p;
	size_t len;

	memset(st, 0, sizeof *st);
	st->proto = IPPROTO_TCP;
	/* The dump is assumed to come from a little-endian machine (x86,
	 * arm64: where servers run); procnet's `swap` is relative to this
	 * machine, so it is false here unless this host is big-endian. */
	st->swap = !host_is_le();
	if (!name_hint)
		return;
	for (p = name_hint; *p; p++)
		if (*p == '/')
			base = p + 1;
	len = (size_t)(p - base);
	if (contains(base, len, "udp")) {
		st->proto = IPPROTO_UDP;
	} else if (contains(base, len, "raw")) {
		st->proto = IPPROTO_RAW;
		st->hint_raw = true;
	}
}

/* "  sl  local_address ..." */
static bool is_header(const struct token *t, size_t n)
{
	return n >= 2 && t[0].len == 2 && memcmp(t[0].s, "sl", 2) == 0 && t[1].len == 13 &&
	       memcmp(t[1].s, "local_address", 13) == 0;
}

static int header_proto(const struct proc_state *st, const struct token *t, size_t n)
{
	const struct token *last = &t[n - 1];

	if (token_is(last, "drops"))
		return st->hint_raw ? IPPROTO_RAW : IPPROTO_UDP;
	if (token_is(last, "inode"))
		return IPPROTO_TCP;
	return st->proto;
}

/* The width of the local address ("0100007F:0277" or 32 digits and a
 * port) gives the family; 0 for any other shape, left to procnet to
 * describe. */
static int row_family(const struct token *t, size_t n)
{
	const char *colon;

	if (n < 2)
		return 0;
	colon = memchr(t[1].s, ':', t[1].len);
	if (!colon)
		return 0;
	switch (colon - t[1].s) {
	case 8:
		return AF_INET;
	case 32:
		return AF_INET6;
	default:
		return 0;
	}
}

/* The header's last word is at most token 17 (tcp: 12 words, udp: 15). */
#define PROC_MAXTOK 20

static int proc_line(void *state, const char *line, size_t len, size_t lineno,
		     const struct row_sink *sink)
{
	struct proc_state *st = state;
	struct token t[PROC_MAXTOK];
	struct sock_row r;
	const char *what;
	size_t n = token_split(line, len, t, PROC_MAXTOK);
	int family, rc;

	if (n == 0)
		return 0;
	if (is_header(t, n)) {
		if (n <= PROC_MAXTOK)
			st->proto = header_proto(st, t, n);
		return 0;
	}
	family = row_family(t, n);
	if (!family) {
		sink->bad(sink->ctx, lineno,
			  "expected a /proc/net row: slot, then a local_address of 8 (IPv4) or "
			  "32 (IPv6) hex digits, ':' and a hex port");
		return 0;
	}
	rc = procnet_parse_line(line, len, st->proto, family, st->swap, &r, &what);
	if (rc == 1)
		return 0;
	if (rc < 0) {
		sink->bad(sink->ctx, lineno, what);
		return 0;
	}
	/* a request socket is SYN_RECV in every other source; raw rows'
	 * states are plain numbers and stay as they are */
	if (r.state == ST_NEW_SYN_RECV && st->proto != IPPROTO_RAW)
		r.state = ST_SYN_RECV;
	return sink->row(sink->ctx, &r);
}

static int proc_probe(const char *line, size_t len)
{
	struct token t[PROC_MAXTOK];
	struct sock_row r;
	const char *what;
	size_t n;
	int family;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	n = token_split(line, len, t, PROC_MAXTOK);
	if (n == 0)
		return TEXTFMT_PROBE_NO;
	if (is_header(t, n))
		return TEXTFMT_PROBE_SURE;
	family = row_family(t, n);
	if (family && procnet_parse_line(line, len, IPPROTO_TCP, family, false, &r, &what) == 0)
		return TEXTFMT_PROBE_SURE;
	return TEXTFMT_PROBE_NO;
}

const struct textfmt textfmt_proc = {
	.name = "proc",
	.summary = "raw /proc/net/tcp, tcp6, udp, udp6 text, alone or concatenated",
	.state_size = sizeof(struct proc_state),
	.probe = proc_probe,
	.begin = proc_begin,
	.line = proc_line,
	.end = textfmt_end_nothing,
};
