/* textfmt_bsd — the parser of saved macOS, FreeBSD and OpenBSD `netstat -an`
 * output (dotted ports, tcp4/tcp6/tcp46): Internet rows to sock_rows. */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "hostport.h"
#include "num.h"
#include "tcpstate.h"

/* proto, queues, two endpoints, state; macOS -v adds a dozen columns after
 * them, which are not read. */
#define BSD_MAXTOK 8
/* Without -W (FreeBSD), -l (macOS) or -v (OpenBSD) inet6print() keeps only
 * the first 16 characters of an IPv6 address. */
#define BSD_ADDR6_COL 16

struct bsd_state {
	int skipping;   /* inside a section that is not Internet sockets */
};

/* Row protocols: "%-3.3s%-2.2s" of the protocol name and "4", "6" or "46"
 * (the socket's INP_IPV4/INP_IPV6 flags) on FreeBSD and macOS, the bare
 * name and "6" on OpenBSD; FreeBSD calls offloaded TCP "toe". A dual-stack
 * socket (46) is an IPv6 socket. */
static const struct {
	const char *name;
	uint8_t proto, family;
} protos[] = {
	{"tcp4", IPPROTO_TCP, AF_INET},  {"tcp6", IPPROTO_TCP, AF_INET6},
	{"tcp46", IPPROTO_TCP, AF_INET6}, {"tcp", IPPROTO_TCP, AF_INET},
	{"toe4", IPPROTO_TCP, AF_INET},  {"toe6", IPPROTO_TCP, AF_INET6},
	{"toe46", IPPROTO_TCP, AF_INET6}, {"udp4", IPPROTO_UDP, AF_INET},
	{"udp6", IPPROTO_UDP, AF_INET6}, {"udp46", IPPROTO_UDP, AF_INET6},
	{"udp", IPPROTO_UDP, AF_INET},
};
#define NPROTOS (sizeof protos / sizeof protos[0])

/* Rows of other protocols, skipped on purpose: raw IP (ip4, ip6, OpenBSD
 * "ip"), ICMP (icm4, icm6), IGMP, divert, PIM, CARP, SDP and SCTP sockets,
 * and macOS' kernel control/event sockets. Their "ports" are protocol
 * numbers or nothing, and the schema keeps TCP and UDP. */
static const char *const skipped[] = {"ip", "icm", "igm", "div", "pim", "car",
				       "sdp", "sctp", "kctl", "kevt", "rip"};

static int find_proto(const struct token *t)
{
	for (size_t i = 0; i < NPROTOS; i++)
		if (token_is(t, protos[i].name))
			return (int)i;
	return -1;
}

static int is_skipped_proto(const struct token *t)
{
	for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
		size_t l = strlen(skipped[i]);

		if (t->len >= l && t->len <= l + 4 && memcmp(t->s, skipped[i], l) == 0)
			return 1;
	}
	return 0;
}

static const char *endpoint(const struct token *t, int family, struct addr *a, uint16_t *port)
{
	const char *dot;

	if (hostport_parse(t->s, t->len, HOSTPORT_DOT, family, a, port) < 0) {
		dot = memrchr(t->s, '.', t->len);
		if (dot && dot - t->s == BSD_ADDR6_COL && memchr(t->s, ':', t->len))
			return "IPv6 address truncated by netstat; use -W (FreeBSD), -l (macOS) "
			       "or -v (OpenBSD)";
		return "expected a numeric address.port like 10.0.0.1.443, *.* or ::1.22 "
		       "(netstat -n)";
	}
	if (a->family == AF_INET6 && family == AF_INET)
		return "expected an IPv4 address in a tcp4 or udp4 row";
	if (a->family == AF_INET && family == AF_INET6)
		addr_unfold(a);   /* tcp46 rows print it as IPv4 (inetprint) */
	return NULL;
}

/* A TCP state as tcpstates[] spells it; FreeBSD appends '*' for T/TCP's
 * hidden NEEDSYN/NEEDFIN flags. */
static int parse_state(const struct token *t)
{
	size_t len = t->len;

	if (len > 1 && t->s[len - 1] == '*')
		len--;
	return tcpstate_parse(t->s, len);
}

static const char *parse_row(const struct token *t, size_t n, struct sock_row *r)
{
	const char *why;
	int p = find_proto(&t[0]), s;

	if (p < 0)
		return "expected a netstat row starting with tcp4, tcp6, tcp46, udp4, udp6, "
		       "udp46, tcp or udp";
	textfmt_row_init(r);
	r->proto = protos[p].proto;
	r->family = protos[p].family;
	if (n < 5 || token_u32(&t[1], &r->rxq) < 0 || token_u32(&t[2], &r->txq) < 0)
		return "expected Recv-Q and Send-Q numbers, then two addresses";
	r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_QUEUES;
	why = endpoint(&t[3], r->family, &r->local, &r->lport);
	if (!why)
		why = endpoint(&t[4], r->family, &r->remote, &r->rport);
	if (why)
		return why;
	if (r->proto == IPPROTO_TCP) {
		s = n > 5 ? parse_state(&t[5]) : -EINVAL;
		if (s < 0)
			return "expected a TCP state like LISTEN, ESTABLISHED or SYN_RCVD";
		r->state = (uint8_t)s;
		return NULL;
	}
	/* BSD prints no UDP state; a word there is macOS -v's, if anything.
	 * A peer address means connect(): ESTABLISHED, as Linux reports it, so
	 * reports agree across platforms. */
	r->state = r->rport != 0 ? ST_ESTABLISHED : ST_CLOSE;
	if (n > 5 && (s = parse_state(&t[5])) >= 0)
		r->state = (uint8_t)s;
	return NULL;
}

static void bsd_begin(void *state, const char *name_hint)
{
	struct bsd_state *st = state;

	(void)name_hint;
	memset(st, 0, sizeof *st);
}

/* Titles of the sections netstat -an prints after (or instead of) the
 * Internet one: UNIX/LOCAL domain, macOS' Multipath, kernel event and
 * control sockets and VSock, FreeBSD's SCTP, listen queues (-L). */
static int is_other_title(const struct token *t, size_t n)
{
	return token_is(&t[0], "Active") ||
	       (n > 1 && token_is(&t[0], "Registered") && token_is(&t[1], "kernel")) ||
	       (n > 1 && token_is(&t[0], "Current") && token_is(&t[1], "listen"));
}

static int bsd_line(void *state, const char *line, size_t len, size_t lineno,
		    const struct row_sink *sink)
{
	struct bsd_state *st = state;
	struct token t[BSD_MAXTOK];
	struct sock_row r;
	const char *why;
	size_t n = token_split(line, len, t, BSD_MAXTOK);

	if (n == 0)
		return 0;
	if (n > 1 && token_is(&t[0], "Active") && token_is(&t[1], "Internet")) {
		st->skipping = 0;
		return 0;
	}
	if (is_other_title(t, n)) {
		st->skipping = 1;
		return 0;
	}
	/* headers say nothing the rows do not; skipped sections last until
	 * the next "Active Internet" title */
	if (st->skipping || token_is(&t[0], "Proto"))
		return 0;
	/* "Some tcp sockets may have been deleted." and netstat's warnings */
	if (token_is(&t[0], "Some") ||
	    (t[0].len >= 8 && memcmp(t[0].s, "netstat:", 8) == 0) || is_skipped_proto(&t[0]))
		return 0;
	why = parse_row(t, n < BSD_MAXTOK ? n : BSD_MAXTOK, &r);
	return textfmt_emit(sink, lineno, why, &r);
}

static int dotted(const struct token *t)
{
	struct addr a;
	uint16_t port;

	return hostport_parse(t->s, t->len, HOSTPORT_DOT, AF_INET6, &a, &port) == 0;
}

static int bsd_probe(const char *line, size_t len)
{
	struct token t[BSD_MAXTOK];
	size_t n = token_split(line, len, t, BSD_MAXTOK);

	if (n == 0)
		return TEXTFMT_PROBE_NO;
	if (token_is(&t[0], "Active")) {
		if (n > 3 && token_is(&t[1], "Internet"))
			return token_is(&t[3], "(including") ? TEXTFMT_PROBE_SURE
								 : TEXTFMT_PROBE_NO;
		if (n == 3 && token_is(&t[1], "Internet"))
			return TEXTFMT_PROBE_MAYBE;   /* without -a: BSD says no more */
		if (n > 1 && (token_is(&t[1], "LOCAL") || token_is(&t[1], "Multipath") ||
			      token_is(&t[1], "kernel")))
			return TEXTFMT_PROBE_SURE;    /* macOS */
		return n == 4 && token_is(&t[1], "UNIX") ? TEXTFMT_PROBE_MAYBE : TEXTFMT_PROBE_NO;
	}
	if (n > 2 && token_is(&t[0], "Registered") && token_is(&t[1], "kernel"))
		return TEXTFMT_PROBE_SURE;
	if (token_is(&t[0], "Proto")) {
		if (n < 4 || !token_is(&t[1], "Recv-Q") || !token_is(&t[3], "Local"))
			return TEXTFMT_PROBE_NO;
		if (n >= 8 && (token_is(&t[7], "(state)") || token_is(&t[7], "TCP-State") ||
			       token_is(&t[7], "IP-Proto")))
			return TEXTFMT_PROBE_SURE;
		return n == 7 ? TEXTFMT_PROBE_MAYBE : TEXTFMT_PROBE_NO;   /* OpenBSD's UDP */
	}
	if (n >= 5 && token_digits(&t[1]) && token_digits(&t[2]) && dotted(&t[3]) && dotted(&t[4]) &&
	    (find_proto(&t[0]) >= 0 || is_skipped_proto(&t[0])))
		return TEXTFMT_PROBE_SURE;
	if (n >= 3 && (token_is(&t[0], "kctl") || token_is(&t[0], "kevt")) &&
	    token_digits(&t[1]) && token_digits(&t[2]))
		return TEXTFMT_PROBE_MAYBE;
	return TEXTFMT_PROBE_NO;
}

const struct textfmt textfmt_bsd = {
	.name = "bsd",
	.summary = "macOS, FreeBSD and OpenBSD netstat -an output (10.0.0.1.443, tcp46)",
	.state_size = sizeof(struct bsd_state),
	.probe = bsd_probe,
	.begin = bsd_begin,
	.line = bsd_line,
	.end = textfmt_end_nothing,
};
