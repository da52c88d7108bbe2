/* peerscan — one line of a plain net-tools netstat dump read quickly, or
 * refused: every decision is the general parser's (same helpers), only
 * fewer shapes are accepted. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "dateline.h"
#include "hostport.h"
#include "peerscan.h"
#include "tcpstate.h"
#include "textfmt.h"
#include "token.h"

/* date lines are short (import_text.c tries only these) */
#define PEERSCAN_DATELINE_MAX 48

static const char title[] = "Active";
static const char *const header[] = {"Proto",   "Recv-Q",  "Send-Q",  "Local",
				     "Address", "Foreign", "Address", "State"};

/* Splits at spaces into at most max tokens (max + 1: more), 0 when a byte
 * is outside printable ASCII and space: no tab, CR, control byte or UTF-8,
 * so the tokens are token_split's. Runs of spaces are skipped 8 at a time. */
static size_t split(const char *s, size_t len, struct token *t, size_t max)
{
	static const uint64_t spaces = 0x2020202020202020ULL;
	size_t n = 0, i = 0;

	while (i < len) {
		size_t start;
		uint64_t w;

		while (i + 8 <= len && (memcpy(&w, s + i, 8), w == spaces))
			i += 8;
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		start = i;
		/* '!' .. '~': one unsigned comparison per byte */
		while (i < len && (unsigned char)(s[i] - '!') <= '~' - '!')
			i++;
		if (i < len && s[i] != ' ')
			return 0;
		if (n == max)
			return max + 1;
		t[n].s = s + start;
		t[n].len = i - start;
		n++;
	}
	return n;
}

/* A queue: what token_u32 takes, nine digits at most without its call. */
static int queue(const struct token *t)
{
	uint32_t v;

	if (t->len > 9)
		return token_u32(t, &v);
	for (size_t i = 0; i < t->len; i++)
		if (t->s[i] < '0' || t->s[i] > '9')
			return -1;
	return t->len ? 0 : -1;
}

/* "a.b.c.d:port" as net-tools writes IPv4 endpoints: octets as addr.c's
 * parse_v4 takes them (1-3 digits, <= 255, no leading zero), a port of 1-5
 * digits <= 65535 (num_parse_dec): then hostport_parse gives the same. 0,
 * or -1 for any other spelling (left to hostport_parse). */
static int endpoint4(const struct token *t, struct addr *a, uint16_t *port)
{
	const char *s = t->s, *end = t->s + t->len;
	unsigned v = 0;
	size_t nd;

	memset(a, 0, sizeof *a);
	for (int part = 0; part < 4; part++) {
		const char *start = s;

		for (v = 0; s < end && *s >= '0' && *s <= '9' && s - start < 3; s++)
			v = v * 10 + (unsigned)(*s - '0');
		if (s == start || v > 255 || (*start == '0' && s - start > 1) || s == end ||
		    *s != (part < 3 ? '.' : ':'))
			return -1;
		a->a[part] = (uint8_t)v;
		s++;
	}
	for (v = 0, nd = 0; s < end && *s >= '0' && *s <= '9' && nd < 5; s++, nd++)
		v = v * 10 + (unsigned)(*s - '0');
	if (nd == 0 || s != end || v > 65535)
		return -1;
	a->family = AF_INET;
	*port = (uint16_t)v;
	return 0;
}

static int exact(const struct token *t, const char *w)
{
	return t->len == strlen(w) && !memcmp(t->s, w, t->len);
}

/* tcp, tcp6, udp, udp6 as net-tools writes them: the proto, the family */
static int proto_of(const struct token *t, uint8_t *proto, int *family)
{
	if (t->len < 3 || t->len > 4 || (t->len == 4 && t->s[3] != '6'))
		return -1;
	if (!memcmp(t->s, "tcp", 3))
		*proto = IPPROTO_TCP;
	else if (!memcmp(t->s, "udp", 3))
		*proto = IPPROTO_UDP;
	else
		return -1;
	*family = t->len == 4 ? AF_INET6 : AF_INET;
	return 0;
}

/* The endpoints as textfmt_netstat's endpoint() (numeric only) and
 * textfmt_settle_family make them: the common IPv4 row without a sock_row. */
static int endpoints(const struct token *t, int family, uint8_t proto, struct addr *local,
		     struct addr *remote, struct peerscan_row *out)
{
	struct sock_row r;

	if (family == AF_INET && endpoint4(&t[3], local, &out->lport) == 0 &&
	    endpoint4(&t[4], remote, &out->rport) == 0)
		return 0;
	textfmt_row_init(&r);
	r.proto = proto;
	r.family = (uint8_t)family;
	if (hostport_parse(t[3].s, t[3].len, HOSTPORT_COLON, family, &r.local, &out->lport) < 0 ||
	    hostport_parse(t[4].s, t[4].len, HOSTPORT_COLON, family, &r.remote, &out->rport) < 0)
		return -1;
	textfmt_settle_family(&r);
	/* the store's check (store_row_ok): one family */
	if (r.local.family != r.remote.family || (r.family == AF_INET && r.local.family != AF_INET))
		return -1;
	*local = r.local;
	*remote = r.remote;
	return 0;
}

/* What textfmt_netstat's parse_row and the store's check decide for a row
 * of exactly these tokens. */
static enum peerscan_kind row(const struct token *t, size_t n, struct peerscan_row *out)
{
	struct addr local, remote;
	int family, st;
	uint8_t proto;

	if (proto_of(&t[0], &proto, &family) < 0 || queue(&t[1]) < 0 || queue(&t[2]) < 0 ||
	    endpoints(t, family, proto, &local, &remote, out) < 0)
		return PEERSCAN_OTHER;
	if (n == 5) {
		if (proto != IPPROTO_UDP)
			return PEERSCAN_OTHER;
		st = ST_CLOSE;
	} else if ((st = tcpstate_parse(t[5].s, t[5].len)) < 0) {
		return PEERSCAN_OTHER;   /* UDP's UNKNOWN too: rare, left to the parser */
	}
	/* the store's check (store_row_ok): a state the protocol has */
	if (!tcpstate_db_name(proto, st))
		return PEERSCAN_OTHER;
	out->peer = remote;
	addr_fold(&out->peer);
	out->proto = proto;
	out->state = (uint8_t)st;
	return PEERSCAN_ROW;
}

enum peerscan_kind peerscan_line(const char *line, size_t len, struct peerscan_row *r)
{
	struct token t[8];
	usec_t when;
	size_t n;

	if (len == 0 || len > PEERSCAN_LINE_MAX)
		return PEERSCAN_OTHER;
	if (len <= PEERSCAN_DATELINE_MAX && dateline_parse(line, len, &when) != -EINVAL)
		return PEERSCAN_OTHER;
	n = split(line, len, t, 8);
	if (n == 0 || n > 8)
		return PEERSCAN_OTHER;
	if (exact(&t[0], title))
		return n > 1 && exact(&t[1], "Internet") ? PEERSCAN_TITLE : PEERSCAN_OTHER;
	if (exact(&t[0], header[0])) {
		for (size_t i = 1; i < 8; i++)
			if (n != 8 || !exact(&t[i], header[i]))
				return PEERSCAN_OTHER;
		return PEERSCAN_HEADER;
	}
	if (n < 5 || n > 6)
		return PEERSCAN_OTHER;
	return row(t, n, r);
}
