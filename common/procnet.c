/* procnet — turns the text of /proc/net/{tcp,tcp6,udp,udp6,raw,raw6} into
 * socket rows, field by field and token by token. */
#include "procnet.h"

#include "num.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpstate.h"

/* The first ten whitespace-separated fields every variant of these files
 * shares; refcount, socket pointer, drops etc. follow and are ignored. */
enum { T_SL, T_LOCAL, T_REMOTE, T_ST, T_QUEUES, T_TIMER, T_RETR, T_UID, T_TIMEOUT, T_INODE, NTOK };

/* 1..maxdigits hex digits, exactly s[0..len). */
static int parse_hex(const char *s, size_t len, size_t maxdigits, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > maxdigits)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = num_hexval(s[i]);

		if (d < 0)
			return -EINVAL;
		x = x << 4 | (unsigned)d;
	}
	*v = x;
	return 0;
}

static int host_is_le(void)
{
	const uint16_t one = 1;
	uint8_t b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/* The kernel prints each 32-bit word of the (network order) address as the
 * writing CPU reads it from memory, so the word's bytes in that CPU's memory
 * order are the address bytes. */
static void word_to_bytes(uint32_t w, int writer_le, uint8_t *b)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(writer_le ? w >> (8 * i) : w >> (8 * (3 - i)));
}

/* "HEXADDR:HEXPORT" with 8 (AF_INET) or 32 (AF_INET6) address digits. */
static int parse_endpoint(const char *s, size_t len, int family, int writer_le, struct addr *a,
			  uint16_t *port)
{
	size_t ndig = family == AF_INET ? 8 : 32;
	uint64_t v;

	if (len < ndig + 2 || s[ndig] != ':')
		return -EINVAL;
	memset(a, 0, sizeof *a);
	a->family = (uint8_t)family;
	for (size_t w = 0; w < ndig / 8; w++) {
		if (parse_hex(s + 8 * w, 8, 8, &v) < 0)
			return -EINVAL;
		word_to_bytes((uint32_t)v, writer_le, a->a + 4 * w);
	}
	if (parse_hex(s + ndig + 1, len - ndig - 1, 4, &v) < 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* "HEX:HEX" with at most m1 and m2 digits. */
static int parse_pair(const char *s, size_t len, size_t m1, size_t m2, uint64_t *a, uint64_t *b)
{
	const char *colon = memchr(s, ':', len);

	if (!colon)
		return -EINVAL;
	if (parse_hex(s, (size_t)(colon - s), m1, a) < 0)
		return -EINVAL;
	return parse_hex(colon + 1, len - (size_t)(colon - s) - 1, m2, b);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int procnet_parse_line(const char *line, size_t len, int proto, int family, bool swap,
		       struct sock_row *out, const char **what)
{
	const char *t[NTOK];
	size_t tl[NTOK], n = 0, i = 0;
	int writer_le = host_is_le() ^ (swap ? 1 : 0);
	uint64_t v, w;
	int st;

	*what = NULL;
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_RAW) ||
	    (family != AF_INET && family != AF_INET6)) {
		*what = "a tcp, udp or raw file of family inet or inet6";
		return -EINVAL;
	}
	while (n < NTOK) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		t[n] = line + i;
		while (i < len && !is_space(line[i]))
			i++;
		tl[n] = (size_t)(line + i - t[n]);
		n++;
	}
	if (n == 0 || (tl[0] == 2 && memcmp(t[0], "sl", 2) == 0))
		return 1;
	if (n < NTOK) {
		*what = "expected at least 10 fields: sl local_address rem_address st "
			"tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode";
		return -EINVAL;
	}
	memset(out, 0, sizeof *out);
	out->proto = (uint8_t)proto;
	out->family = (uint8_t)family;

	if (tl[T_SL] < 2 || t[T_SL][tl[T_SL] - 1] != ':' ||
	    num_parse_dec(t[T_SL], tl[T_SL] - 1, UINT64_MAX, &v) < 0) {
		*what = "expected slot number and ':' in column sl";
		return -EINVAL;
	}
	if (parse_endpoint(t[T_LOCAL], tl[T_LOCAL], family, writer_le, &out->local, &out->lport) < 0) {
		*what = family == AF_INET
			? "expected 8 hex digits, ':', 1-4 hex digits in column local_address"
			: "expected 32 hex digits, ':', 1-4 hex digits in column local_address";
		return -EINVAL;
	}
	if (parse_endpoint(t[T_REMOTE], tl[T_REMOTE], family, writer_le, &out->remote,
			   &out->rport) < 0) {
		*what = family == AF_INET
			? "expected 8 hex digits, ':', 1-4 hex digits in column rem_address"
			: "expected 32 hex digits, ':', 1-4 hex digits in column rem_address";
		return -EINVAL;
	}
	if (proto == IPPROTO_RAW) {
		/* net-tools prints a raw socket's st as a plain number */
		st = parse_hex(t[T_ST], tl[T_ST], 2, &v) < 0 || tl[T_ST] != 2 ? -EINVAL : (int)v;
	} else {
		st = tcpstate_from_hex(t[T_ST], tl[T_ST]);
	}
	if (st < 0) {
		*what = proto == IPPROTO_RAW ? "expected 2 hex digits in column st"
					     : "expected a TCP state 01..0C as 2 hex digits in column st";
		return -EINVAL;
	}
	out->state = (uint8_t)st;
	if (parse_pair(t[T_QUEUES], tl[T_QUEUES], 8, 8, &v, &w) < 0) {
		*what = "expected tx_queue:rx_queue as 8 hex digits each";
		return -EINVAL;
	}
	out->txq = (uint32_t)v;
	out->rxq = (uint32_t)w;
	if (parse_pair(t[T_TIMER], tl[T_TIMER], 2, 16, &v, &w) < 0 || v > TIMER_PROBE) {
		*what = "expected tr:tm->when with tr 00..04 and tm->when in hex";
		return -EINVAL;
	}
	out->timer = (uint8_t)v;
	/* tm->when is in clock ticks of USER_HZ, which the /proc ABI fixes at
	 * 100 on every architecture (net-tools divides by sysconf(_SC_CLK_TCK),
	 * also 100): one tick is 10 ms. */
	out->expires_ms = w > UINT32_MAX / 10 ? UINT32_MAX : (uint32_t)(w * 10);
	if (parse_hex(t[T_RETR], tl[T_RETR], 8, &v) < 0) {
		*what = "expected 8 hex digits in column retrnsmt";
		return -EINVAL;
	}
	out->retrans = (uint32_t)v;
	if (num_parse_dec(t[T_UID], tl[T_UID], UINT32_MAX, &v) < 0) {
		*what = "expected decimal uid 0..4294967295 in column uid";
		return -EINVAL;
	}
	out->uid = (uint32_t)v;
	/* timeout (unanswered probes) is checked but sock_row has no place for it */
	if (num_parse_dec(t[T_TIMEOUT] + (t[T_TIMEOUT][0] == '-'), tl[T_TIMEOUT] - (t[T_TIMEOUT][0] == '-'),
		      INT32_MAX, &v) < 0) {
		*what = "expected decimal in column timeout";
		return -EINVAL;
	}
	if (num_parse_dec(t[T_INODE], tl[T_INODE], UINT64_MAX, &v) < 0) {
		*what = "expected decimal inode in column inode";
		return -EINVAL;
	}
	out->inode = v;
	return 0;
}

long procnet_parse(const char *text, size_t len, int proto, int family, bool swap,
		   const struct row_sink *sink)
{
	size_t pos = 0, lineno = 0;
	long rows = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct sock_row r;
		const char *what;
		int rc;

		lineno++;
		rc = procnet_parse_line(text + pos, end - pos, proto, family, swap, &r, &what);
		if (rc == 0) {
			if (sink->row) {
				int src = sink->row(sink->ctx, &r);

				if (src < 0)
					return src;
			}
			rows++;
		} else if (rc < 0 && sink->bad) {
			sink->bad(sink->ctx, lineno, what);
		}
		pos = end + 1;
	}
	return rows;
}
