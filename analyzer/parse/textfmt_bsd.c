/* textfmt_bsd — the parser of saved macOS, FreeBSD, NetBSD and OpenBSD
 * `netstat -an` / `-a` output (dotted ports, tcp4/tcp6/tcp46, the columns
 * -A, -T, -x, -R, -v and -b add): Internet rows to sock_rows. */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "textfmt.h"
#include "hostport.h"
#include "num.h"
#include "tcpstate.h"

/* Tokens looked at: a PCB address and macOS' flow hash (-A), proto, up to
 * three counters, two endpoints, state. -x, -v and -b add more after the
 * state; they are not read (token_split counts them). */
#define BSD_MAXTOK 12
/* Header words, for the column map: at most this many are looked at. */
#define BSD_HDRTOK 48
/* Without -W (FreeBSD), -l (macOS) or -v (OpenBSD) inet6print() keeps only
 * the first 16 characters of an IPv6 address. */
#define BSD_ADDR6_COL 16
/* An endpoint column: 22 characters, 18 with -A; a name filling it may have
 * been cut there (inetprint's "%-*.*s"). */
#define BSD_EP_COL 22
#define BSD_EP_COL_A 18
/* A host name kept from a names-mode row (inetname keeps 16 characters). */

/* What the table's header says about its rows. */
struct bsd_cols {
	int known;      /* a header was seen: the fields below hold */
	int pre;        /* columns before Proto: -A's PCB/socket address, macOS'
	                 * Flowhash */
	int counters;   /* columns between Proto and Local Address: 2 (Recv-Q
	                 * Send-Q), 3 (FreeBSD -T: Rexmit OOORcv 0-win) */
	int queues;     /* those are the queues */
	int state;      /* a (state) / State / TCP-State column follows the
	                 * addresses (FreeBSD -x, -T, -R leave it out) */
	int state_skip; /* header words between Foreign Address and it:
	                 * columns not known, whose values come first */
};

struct bsd_state {
	int skipping;   /* inside a section that is not Internet sockets */
	struct bsd_cols cols;
	char lhost[TEXTFMT_HOST_MAX], rhost[TEXTFMT_HOST_MAX];
	struct textfmt_skipped skipped;   /* header columns not known */
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

/* One endpoint, numeric or (netstat without -n) named: a host name goes
 * to `host`, a service name becomes its port. */
static const char *endpoint(const struct token *t, int family, int proto, struct addr *a,
			    uint16_t *port, char *host, const char **hostp, uint8_t *named)
{
	struct hostport_names nm;
	const char *dot;
	int cut = t->len == BSD_EP_COL || t->len == BSD_EP_COL_A;
	int rc = hostport_parse_names(t->s, t->len, HOSTPORT_DOT, family, proto, cut, a, port,
				      &nm);

	if (rc == -ENOENT)
		return "a port named by a service name sockscope's table does not have (netstat -n)";
	if (rc < 0) {
		dot = memrchr(t->s, '.', t->len);
		if (dot && dot - t->s == BSD_ADDR6_COL && memchr(t->s, ':', t->len))
			return "IPv6 address truncated by netstat; use -W (FreeBSD), -l (macOS) "
			       "or -v (OpenBSD)";
		return "expected an address.port like 10.0.0.1.443, *.*, ::1.22 or "
		       "localhost.smtp";
	}
	textfmt_keep_names(&nm, host, hostp, named);
	return NULL;
}

/* NetBSD -A -n prints compact state names (protopr0's shorttcpstates). */
static const struct {
	const char *name;
	uint8_t st;
} short_states[] = {
	{"CLOSED", ST_CLOSE},	    {"LISTEN", ST_LISTEN},     {"SYNSEN", ST_SYN_SENT},
	{"SYSRCV", ST_SYN_RECV},    {"ESTABL", ST_ESTABLISHED}, {"CLWAIT", ST_CLOSE_WAIT},
	{"FWAIT1", ST_FIN_WAIT1},   {"CLOSNG", ST_CLOSING},    {"LASTAK", ST_LAST_ACK},
	{"FWAIT2", ST_FIN_WAIT2},   {"TMWAIT", ST_TIME_WAIT},
};

/* A TCP state as tcpstates[] spells it; FreeBSD appends '*' for T/TCP's
 * hidden NEEDSYN/NEEDFIN flags. */
static int parse_state(const struct token *t)
{
	size_t len = t->len;
	int s;

	if (len > 1 && t->s[len - 1] == '*')
		len--;
	s = tcpstate_parse(t->s, len);
	for (size_t i = 0; s < 0 && i < sizeof short_states / sizeof short_states[0]; i++)
		if (token_is(t, short_states[i].name))
			s = short_states[i].st;
	return s;
}

/* Where the protocol (one read or one skipped) is in a row without a
 * header: first, or after -A's PCB address and macOS' flow hash (hex
 * words). -1: nowhere. */
static int find_proto_at(const struct token *t, size_t n)
{
	for (size_t i = 0; i < n && i < 3; i++) {
		if (find_proto(&t[i]) >= 0 || is_skipped_proto(&t[i]))
			return (int)i;
		for (size_t k = 0; k < t[i].len; k++) {
			char c = t[i].s[k];

			if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
				return -1;
		}
	}
	return -1;
}

static const char *parse_row(struct bsd_state *st, const struct token *t, size_t n,
			     struct sock_row *r)
{
	const struct bsd_cols *c = &st->cols;
	const char *why;
	int at = c->known ? c->pre : find_proto_at(t, n), p, s;
	size_t i, k, counters = c->known ? (size_t)c->counters : 2;

	if (at < 0 || (size_t)at >= n || (p = find_proto(&t[at])) < 0)
		return "expected a netstat row starting with tcp4, tcp6, tcp46, udp4, udp6, "
		       "udp46, tcp or udp";
	textfmt_row_init(r);
	r->proto = protos[p].proto;
	r->family = protos[p].family;
	/* the counters: Recv-Q Send-Q, or -T's three (which UDP rows leave
	 * blank); an endpoint is never all digits */
	i = (size_t)at + 1;
	for (k = 0; k < counters && i + k < n && token_digits(&t[i + k]); k++)
		;
	if (k == counters && (!c->known || c->queues)) {
		if (token_u32(&t[i], &r->rxq) < 0 || token_u32(&t[i + 1], &r->txq) < 0)
			return "expected Recv-Q and Send-Q numbers, then two addresses";
		r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_QUEUES;
	} else if (k != counters && !(k == 0 && c->known && !c->queues)) {
		return "expected Recv-Q and Send-Q numbers, then two addresses";
	}
	i += k;
	if (i + 2 > n)
		return "expected Recv-Q and Send-Q numbers, then two addresses";
	why = endpoint(&t[i], r->family, r->proto, &r->local, &r->lport, st->lhost, &r->lhost,
		       &r->named);
	if (!why)
		why = endpoint(&t[i + 1], r->family, r->proto, &r->remote, &r->rport, st->rhost,
			       &r->rhost, &r->named);
	if (why)
		return why;
	textfmt_settle_family(r);
	i += 2;
	if (r->proto == IPPROTO_TCP) {
		if (c->known && !c->state) {
			r->state = ST_UNKNOWN;   /* -T, -x, -R print no state */
			return NULL;
		}
		/* after the values of columns not known, when the header put
		 * some there; else (a header word that is no row token) here */
		s = -EINVAL;
		if (c->known && c->state_skip > 0 && i + (size_t)c->state_skip < n)
			s = parse_state(&t[i + (size_t)c->state_skip]);
		if (s < 0)
			s = i < n ? parse_state(&t[i]) : -EINVAL;
		if (s < 0)
			return "expected a TCP state like LISTEN, ESTABLISHED or SYN_RCVD";
		r->state = (uint8_t)s;
		return NULL;
	}
	/* BSD prints no UDP state; a word there is macOS -v's, if anything.
	 * A peer address means connect(): ESTABLISHED, as Linux reports it, so
	 * reports agree across platforms. */
	r->state = r->rport != 0 || r->rhost ? ST_ESTABLISHED : ST_CLOSE;
	if (i < n && (s = parse_state(&t[i])) >= 0)
		r->state = (uint8_t)s;
	return NULL;
}

/* Header words every BSD netstat variant prints that change nothing in
 * how a row is read (they come after the state, or replace it). */
static const char *const ignored_cols[] = {
	/* FreeBSD -x */
	"R-MBUF", "S-MBUF", "R-CLUS", "S-CLUS", "R-HIWA", "S-HIWA", "R-LOWA", "S-LOWA",
	"R-BCNT", "S-BCNT", "R-BMAX", "S-BMAX", "rexmt", "persist", "keep", "2msl", "delack",
	"rcvtime",
	/* FreeBSD -R */
	"flowid", "ftype",
	/* macOS -b, -v */
	"rxbytes", "txbytes", "rhiwat", "shiwat", "pid", "epid", "state", "options", "gencnt",
	"flags", "flags1", "usecnt", "rtncnt", "fltrs",
};

/* "[Tcpcb|Socket|PCB [Flowhash]] Proto Recv-Q Send-Q|Rexmit OOORcv 0-win
 * Local Address Foreign Address [(state)|State|TCP-State] [...]": the
 * column map. 0, or -1 when this is no Internet header. */
static int header_cols(struct bsd_state *st, const struct token *t, size_t n)
{
	struct bsd_cols c = {.known = 1};
	size_t i = 0, proto, extra;

	while (i < n && i < 3 && !token_is(&t[i], "Proto"))
		i++;
	if (i == n || i == 3)
		return -1;
	proto = i;
	for (size_t k = 0; k < proto; k++)
		if (!token_is(&t[k], "Tcpcb") && !token_is(&t[k], "Socket") &&
		    !token_is(&t[k], "PCB") && !token_is(&t[k], "Flowhash"))
			textfmt_skipped_add(&st->skipped, t[k].s, t[k].len);
	c.pre = (int)proto;
	i = proto + 1;
	if (i + 1 < n && token_is(&t[i], "Recv-Q") && token_is(&t[i + 1], "Send-Q")) {
		c.counters = 2;
		c.queues = 1;
	} else if (i + 2 < n && token_is(&t[i], "Rexmit") && token_is(&t[i + 1], "OOORcv") &&
		   token_is(&t[i + 2], "0-win")) {
		c.counters = 3;
	} else {
		return -1;   /* -L's "Listen", macOS' "Proto/ID", kevt/kctl tables */
	}
	i += (size_t)c.counters;
	if (i + 3 >= n || !token_is(&t[i], "Local") || !token_is(&t[i + 2], "Foreign"))
		return -1;
	extra = n - (i + 4);
	for (i += 4; i < n; i++) {
		int known = 0;

		if (token_is(&t[i], "(state)") || token_is(&t[i], "State") ||
		    token_is(&t[i], "TCP-State")) {
			if (!c.state)
				c.state_skip = (int)(i - (n - extra));
			c.state = 1;
			continue;
		}
		for (size_t k = 0; k < sizeof ignored_cols / sizeof ignored_cols[0]; k++)
			known |= token_is(&t[i], ignored_cols[k]);
		/* macOS' "rxbytes[2]" of -p (a traffic class) */
		known |= t[i].len > 8 && (memcmp(t[i].s, "rxbytes[", 8) == 0 ||
					  memcmp(t[i].s, "txbytes[", 8) == 0);
		if (!known && !token_is(&t[i], "IP-Proto"))
			textfmt_skipped_add(&st->skipped, t[i].s, t[i].len);
	}
	/* OpenBSD's UDP table has no state column, and needs none */
	if (!c.state && extra == 0 && c.queues)
		c.state = 1;
	st->cols = c;
	return 0;
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
	struct token t[BSD_HDRTOK];
	struct sock_row r;
	const char *why;
	size_t n = token_split(line, len, t, BSD_HDRTOK);

	if (n == 0)
		return 0;
	if (n > BSD_HDRTOK)
		n = BSD_HDRTOK;
	if (n > 1 && token_is(&t[0], "Active") && token_is(&t[1], "Internet")) {
		st->skipping = 0;
		st->cols.known = 0;
		return 0;
	}
	if (is_other_title(t, n)) {
		st->skipping = 1;
		return 0;
	}
	if (st->skipping)
		return 0;
	/* a header: its columns say how to read the rows under it */
	for (size_t i = 0; i < n && i < 3; i++) {
		if (token_is(&t[i], "Proto")) {
			if (header_cols(st, t, n) < 0)
				st->cols.known = 0;
			return 0;
		}
	}
	/* "Some tcp sockets may have been deleted." and netstat's warnings */
	if (token_is(&t[0], "Some") ||
	    (t[0].len >= 8 && memcmp(t[0].s, "netstat:", 8) == 0))
		return 0;
	{
		int at = st->cols.known ? st->cols.pre : find_proto_at(t, n);

		if (at >= 0 && (size_t)at < n && find_proto(&t[at]) < 0 && is_skipped_proto(&t[at]))
			return 0;
	}
	why = parse_row(st, t, n < BSD_MAXTOK ? n : BSD_MAXTOK, &r);
	return textfmt_emit(sink, lineno, why, &r);
}

/* "addr.port", numeric or named (localhost.smtp, 192.0.2.1.ssh). */
static int dotted(const struct token *t)
{
	struct hostport_names nm;
	struct addr a;
	uint16_t port;

	return hostport_parse_names(t->s, t->len, HOSTPORT_DOT, AF_INET6, IPPROTO_TCP,
				    t->len == BSD_EP_COL || t->len == BSD_EP_COL_A, &a, &port,
				    &nm) == 0;
}

static int bsd_probe(const char *line, size_t len)
{
	struct token t[BSD_MAXTOK];
	size_t n = token_split(line, len, t, BSD_MAXTOK);

	if (n == 0)
		return TEXTFMT_PROBE_NO;
	if (n > BSD_MAXTOK)
		n = BSD_MAXTOK;
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
	/* -A puts the PCB address (and macOS the flow hash) before Proto */
	for (size_t i = 1; i < 3 && i < n && token_is(&t[i], "Proto"); i++) {
		if (token_is(&t[0], "Tcpcb") || token_is(&t[0], "Socket") ||
		    token_is(&t[0], "PCB"))
			return TEXTFMT_PROBE_SURE;
	}
	if (token_is(&t[0], "Proto")) {
		if (n >= 4 && token_is(&t[1], "Rexmit") && token_is(&t[2], "OOORcv"))
			return TEXTFMT_PROBE_SURE;   /* FreeBSD -T */
		if (n < 4 || !token_is(&t[1], "Recv-Q") || !token_is(&t[3], "Local"))
			return TEXTFMT_PROBE_NO;
		if (n >= 8 && (token_is(&t[7], "(state)") || token_is(&t[7], "TCP-State") ||
			       token_is(&t[7], "IP-Proto")))
			return TEXTFMT_PROBE_SURE;
		/* NetBSD says "State", as Linux does: the rows decide */
		if (n >= 8 && token_is(&t[7], "State"))
			return TEXTFMT_PROBE_MAYBE;
		/* FreeBSD -x, -R: no state column, more after the addresses */
		if (n > 8 && (token_is(&t[7], "R-MBUF") || token_is(&t[7], "flowid")))
			return TEXTFMT_PROBE_SURE;
		return n == 7 ? TEXTFMT_PROBE_MAYBE : TEXTFMT_PROBE_NO;   /* OpenBSD's UDP */
	}
	{
		int at = find_proto_at(t, n);
		size_t a;

		a = (size_t)at;
		if (at >= 0 && n >= a + 5 && token_digits(&t[a + 1]) &&
		    token_digits(&t[a + 2]) && dotted(&t[a + 3]) && dotted(&t[a + 4]))
			return TEXTFMT_PROBE_SURE;
		/* -T: three counters */
		if (at >= 0 && n >= a + 6 && token_digits(&t[a + 1]) &&
		    token_digits(&t[a + 2]) && token_digits(&t[a + 3]) && dotted(&t[a + 4]) &&
		    dotted(&t[a + 5]))
			return TEXTFMT_PROBE_SURE;
	}
	if (n >= 3 && (token_is(&t[0], "kctl") || token_is(&t[0], "kevt")) &&
	    token_digits(&t[1]) && token_digits(&t[2]))
		return TEXTFMT_PROBE_MAYBE;
	return TEXTFMT_PROBE_NO;
}

static const char *bsd_skipped(const void *state)
{
	const struct bsd_state *st = state;

	return st->skipped.len ? st->skipped.text : NULL;
}

const struct textfmt textfmt_bsd = {
	.name = "bsd",
	.summary = "macOS, FreeBSD, NetBSD and OpenBSD netstat -an/-a output (10.0.0.1.443, tcp46, -A, -T, -x)",
	.state_size = sizeof(struct bsd_state),
	.probe = bsd_probe,
	.begin = bsd_begin,
	.line = bsd_line,
	.end = textfmt_end_nothing,
	.skipped = bsd_skipped,
};
