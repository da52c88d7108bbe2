/* textfmt_netstat — the parser of saved Linux net-tools `netstat` output (-na,
 * -ntu, -anp/-plan, -aultnp, -n -p, -W, -e, -o): Internet rows to sock_rows. */
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

/* Fields of one row: 5 fixed, state, User, Inode, the two words of a timer
 * and a program name of several words (net-tools keeps 19 bytes of it).
 * A line with more is not a netstat row. */
#define NS_MAXTOK 48
/* Program names are copied out of the line to be NUL-terminated; net-tools
 * truncates them far below this. */
#define NS_PROG_MAX 256
/* net-tools without -W cuts "address:port" to 23 columns (addr_do_one). */
#define NS_ADDR_COL 23
#define WHY_SERVICE "a port named by a service name sockscope's table does not have (netstat -n)"
/* A host name kept from a names-mode row (DNS names stop at 253). */

/* Optional columns a header announces (-e, -p, -o). */
#define COL_USER 0x01   /* "User" and "Inode" */
#define COL_PROG 0x02   /* "PID/Program name" */
#define COL_TIMER 0x04  /* "Timer" */
#define COL_OTHER 0x08  /* a column this parser does not know: the tail is
                         * then told by shape, the column skipped */
#define COLS_UNKNOWN (-1)

struct ns_state {
	int cols;             /* COL_* of the current header; COLS_UNKNOWN
	                       * without one: then fields are told by shape */
	int skipping;         /* inside a section that is not Internet sockets */
	char program[NS_PROG_MAX];   /* the row's program, NUL-terminated */
	char lhost[TEXTFMT_HOST_MAX], rhost[TEXTFMT_HOST_MAX];   /* the row's host names */
	struct textfmt_skipped skipped; /* header columns not known */
};

static const struct {
	const char *name;
	uint8_t proto, family;
} protos[] = {
	{"tcp", IPPROTO_TCP, AF_INET},   {"tcp6", IPPROTO_TCP, AF_INET6},
	{"udp", IPPROTO_UDP, AF_INET},   {"udp6", IPPROTO_UDP, AF_INET6},
	/* UDP-Lite: the schema knows tcp, udp and raw, and it is UDP's API */
	{"udpl", IPPROTO_UDP, AF_INET},  {"udpl6", IPPROTO_UDP, AF_INET6},
	/* raw sockets are kept, as /proc/net/raw has them: the "port" is the
	 * IP protocol, the state column the kernel's state number (7) */
	{"raw", IPPROTO_RAW, AF_INET},   {"raw6", IPPROTO_RAW, AF_INET6},
};
#define NPROTOS (sizeof protos / sizeof protos[0])

static int find_proto(const struct token *t)
{
	/* every row: a name this short is not worth strlen's call */
	if (t->len < 3 || t->len > 5)
		return -1;
	for (size_t i = 0; i < NPROTOS; i++)
		if (t->len == strlen(protos[i].name) &&
		    strncasecmp(t->s, protos[i].name, t->len) == 0)
			return (int)i;
	return -1;
}

/* The -p column: "-" or "PID/name". */
static int is_prog(const struct token *t)
{
	size_t i = 0;

	if (t->len == 1 && t->s[0] == '-')
		return 1;
	while (i < t->len && t->s[i] >= '0' && t->s[i] <= '9')
		i++;
	return i > 0 && i < t->len && t->s[i] == '/';
}

/* One endpoint, numeric or (netstat without -n) named: a host name is
 * copied to `host` and pointed at by *hostp; a service name becomes its
 * port. The address keeps its own family (an old net-tools prints IPv6
 * addresses in "tcp" rows): the row's family is settled by textfmt_settle_family. */
static const char *endpoint(const struct token *t, int family, int proto, struct addr *a,
			    uint16_t *port, char *host, const char **hostp, uint8_t *named)
{
	struct hostport_names nm;
	int cut = t->len == NS_ADDR_COL;
	int rc = hostport_parse_names(t->s, t->len, HOSTPORT_COLON, family, proto, cut, a, port,
				      &nm);

	if (rc == -ENOENT)
		return WHY_SERVICE;
	if (rc < 0) {
		if (family == AF_INET6 && cut && memchr(t->s, ':', t->len))
			return "address truncated by netstat; use netstat -W";
		return "expected an address:port like 1.2.3.4:80, :::22 or localhost:smtp";
	}
	textfmt_keep_names(&nm, host, hostp, named);
	return NULL;
}

/* "(7199.88/0/0)": seconds to expiry, retransmits, probes. */
static int parse_timer_value(const struct token *t, struct sock_row *r)
{
	const char *s = t->s, *end = t->s + t->len, *p, *dot, *sl1, *sl2;
	uint64_t sec, frac, retr, probes, ms;
	size_t nfrac;

	if (t->len < 7 || s[0] != '(' || end[-1] != ')')
		return -EINVAL;
	p = s + 1;
	end--;
	sl1 = memchr(p, '/', (size_t)(end - p));
	if (!sl1)
		return -EINVAL;
	sl2 = memchr(sl1 + 1, '/', (size_t)(end - sl1 - 1));
	if (!sl2)
		return -EINVAL;
	dot = memchr(p, '.', (size_t)(sl1 - p));
	if (!dot)
		return -EINVAL;
	nfrac = (size_t)(sl1 - dot - 1);
	if (nfrac == 0 || nfrac > 3 || num_parse_dec(p, (size_t)(dot - p), UINT64_MAX, &sec) < 0 ||
	    num_parse_dec(dot + 1, nfrac, 999, &frac) < 0 ||
	    num_parse_dec(sl1 + 1, (size_t)(sl2 - sl1 - 1), UINT32_MAX, &retr) < 0 ||
	    num_parse_dec(sl2 + 1, (size_t)(end - sl2 - 1), UINT64_MAX, &probes) < 0)
		return -EINVAL;
	for (; nfrac < 3; nfrac++)
		frac *= 10;
	/* a timer beyond 49 days does not fit expires_ms: saturate */
	ms = sec > (UINT32_MAX - frac) / 1000 ? UINT32_MAX : sec * 1000 + frac;
	r->expires_ms = (uint32_t)ms;
	r->retrans = (uint32_t)retr;
	return 0;
}

/* The -o column's first word: "off", "on", "keepalive", "timewait",
 * "probe", UDP's "on1", and "unkn-N" for timers net-tools has no name for.
 * Returns the timer or -EINVAL. */
static int timer_name(const struct token *t)
{
	uint64_t v;
	int tm = sockrow_timer_parse(t->s, t->len);

	if (tm < 0 && t->len == 3 && memcmp(t->s, "on", 2) == 0 && t->s[2] >= '0' &&
	    t->s[2] <= '4')
		tm = t->s[2] - '0';
	if (tm < 0 && t->len > 5 && memcmp(t->s, "unkn-", 5) == 0 &&
	    num_parse_dec(t->s + 5, t->len - 5, UINT8_MAX, &v) == 0)
		tm = (int)v;
	return tm;
}

/* "keepalive (7199.88/0/0)" */
static int parse_timer(const struct token *name, const struct token *val, struct sock_row *r)
{
	int tm = timer_name(name);

	if (tm < 0 || parse_timer_value(val, r) < 0)
		return -EINVAL;
	r->timer = (uint8_t)tm;
	r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_TIMER;
	return 0;
}

/* Without a header: a timer word and a parenthesised value end the line
 * (a program name may hold parentheses, not a timer word before them). */
static int looks_like_timer(const struct token *name, const struct token *val)
{
	return timer_name(name) >= 0 && val->len >= 2 && val->s[0] == '(' &&
	       val->s[val->len - 1] == ')';
}

/* "-" (no owner visible) or "PID/name"; the name runs over tokens
 * t[0..n) because program names contain spaces. */
static const char *parse_prog(struct ns_state *st, const struct token *t, size_t n,
			      int bare_pid, struct sock_row *r)
{
	const char *slash, *end = t[n - 1].s + t[n - 1].len;
	size_t len;
	uint64_t pid;

	/* a PID without a program, as saved dumps show it: only where the
	 * header says the column is PID/Program (elsewhere a bare number is a
	 * uid) */
	if (bare_pid && n == 1 && token_digits(&t[0])) {
		if (num_parse_dec(t[0].s, t[0].len, INT32_MAX, &pid) < 0 || pid == 0)
			return "expected PID/Program name like 1234/sshd or -";
		r->pid = (int32_t)pid;
		return NULL;
	}
	if (!is_prog(&t[0]))
		return "expected PID/Program name like 1234/sshd or -";
	if (t[0].len == 1 && t[0].s[0] == '-') {
		if (n != 1)
			return "expected PID/Program name like 1234/sshd or -";
		return NULL;
	}
	slash = memchr(t[0].s, '/', t[0].len);
	if (num_parse_dec(t[0].s, (size_t)(slash - t[0].s), INT32_MAX, &pid) < 0 || pid == 0)
		return "expected PID/Program name like 1234/sshd or -";
	r->pid = (int32_t)pid;
	len = (size_t)(end - slash - 1);
	/* a NUL cannot travel in the row's C string: it is kept as the text
	 * \x00, the escape every output shows, instead of cutting the name */
	for (size_t i = 0, o = 0;; i++) {
		const char c = i < len ? slash[1 + i] : '\0';

		if (i == len || o + (c ? 1 : 4) >= sizeof st->program) {
			st->program[o] = '\0';
			break;
		}
		if (c) {
			st->program[o++] = c;
		} else {
			memcpy(st->program + o, "\\x00", 4);
			o += 4;
		}
	}
	r->program = st->program[0] ? st->program : NULL;
	return NULL;
}

/* The columns after State: [User Inode] [PID/Program name] [Timer], as the
 * header says or, without one, as the fields look. */
static const char *parse_tail(struct ns_state *st, const struct token *t, size_t i, size_t n,
			      struct sock_row *r)
{
	int cols = st->cols;
	uint64_t ino;
	int user;

	/* a column this parser does not know: what it does know is found by
	 * shape, the rest skipped */
	if (cols != COLS_UNKNOWN && (cols & COL_OTHER))
		cols = COLS_UNKNOWN;

	if (cols == COLS_UNKNOWN ? (n - i >= 2 && looks_like_timer(&t[n - 2], &t[n - 1]))
				 : (cols & COL_TIMER) != 0) {
		if (n - i < 2 || parse_timer(&t[n - 2], &t[n - 1], r) < 0)
			return "expected a timer like off (0.00/0/0)";
		n -= 2;
	}
	if (cols == COLS_UNKNOWN)
		user = i < n && !is_prog(&t[i]);
	else
		user = (cols & COL_USER) != 0;
	if (user) {
		if (n - i < 2)
			return "expected User and Inode columns";
		if (token_u32(&t[i], &r->uid) == 0)
			r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_UID;
		/* a user name (netstat -e without -n): the uid stays unknown,
		 * names are not portable between machines */
		if (num_parse_dec(t[i + 1].s, t[i + 1].len, UINT64_MAX, &ino) < 0)
			return "expected an inode number in column Inode";
		r->inode = ino;
		r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_INODE;
		i += 2;
	}
	if (cols != COLS_UNKNOWN && !(cols & COL_PROG)) {
		if (i != n)
			return "expected nothing after the last column of the header";
		return NULL;
	}
	/* an empty PID/Program field, as saved dumps show it: the owner is
	 * unknown, as with "-" */
	if (i == n)
		return NULL;
	return parse_prog(st, t + i, n - i, cols != COLS_UNKNOWN, r);
}

/* The state column: a TCP state name; for UDP empty (unconnected),
 * ESTABLISHED or UNKNOWN; for raw the kernel's state number. */
static const char *parse_state(const struct token *t, size_t n, size_t *i, int proto,
			       struct sock_row *r)
{
	uint64_t v;
	int s;

	if (proto == IPPROTO_UDP) {
		r->state = ST_CLOSE;
		if (*i < n) {
			s = tcpstate_parse(t[*i].s, t[*i].len);
			if (s >= 0) {
				r->state = (uint8_t)s;
				(*i)++;
			} else if (token_is(&t[*i], "UNKNOWN")) {
				/* net-tools' word for a UDP state other than
				 * the two UDP has */
				r->state = ST_UNKNOWN;
				(*i)++;
			}
		}
		return NULL;
	}
	if (*i == n)
		return proto == IPPROTO_TCP ? "expected a TCP state like LISTEN or ESTABLISHED"
					    : "expected a raw socket state number like 7";
	if (proto == IPPROTO_RAW && token_digits(&t[*i])) {
		if (num_parse_dec(t[*i].s, t[*i].len, ST_MAX_ - 1, &v) < 0 || v == ST_UNKNOWN)
			return "expected a raw socket state number like 7";
		s = v == ST_NEW_SYN_RECV ? ST_SYN_RECV : (int)v;
	} else {
		s = tcpstate_parse(t[*i].s, t[*i].len);
		if (s < 0)
			return proto == IPPROTO_TCP
				       ? "expected a TCP state like LISTEN or ESTABLISHED"
				       : "expected a raw socket state number like 7";
	}
	r->state = (uint8_t)s;
	(*i)++;
	return NULL;
}

static const char *parse_row(struct ns_state *st, const struct token *t, size_t n,
			     struct sock_row *r)
{
	const char *why;
	size_t i = 5;
	int p = find_proto(&t[0]);

	if (p < 0)
		return "expected a netstat row starting with tcp, tcp6, udp, udp6, raw or raw6";
	textfmt_row_init(r);
	r->proto = protos[p].proto;
	r->family = protos[p].family;
	if (n < 5 || token_u32(&t[1], &r->rxq) < 0 || token_u32(&t[2], &r->txq) < 0)
		return "expected Recv-Q and Send-Q numbers, then two addresses";
	r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_QUEUES;
	why = endpoint(&t[3], r->family, r->proto, &r->local, &r->lport, st->lhost, &r->lhost,
		       &r->named);
	if (!why)
		why = endpoint(&t[4], r->family, r->proto, &r->remote, &r->rport, st->rhost,
			       &r->rhost, &r->named);
	if (!why)
		textfmt_settle_family(r);
	if (!why)
		why = parse_state(t, n, &i, r->proto, r);
	if (!why)
		why = parse_tail(st, t, i, n, r);
	return why;
}

/* "Proto Recv-Q Send-Q Local Address Foreign Address State [User Inode]
 * [PID/Program name] [Timer]". net-tools translates the header (and
 * the state names): a header in another language leaves the columns to
 * be told by shape. */
static int header_cols(struct ns_state *st, const struct token *t, size_t n)
{
	int cols = 0;

	if (n < 8 || !token_is(&t[3], "Local") || !token_is(&t[5], "Foreign") ||
	    !token_is(&t[7], "State"))
		return COLS_UNKNOWN;
	for (size_t i = 8; i < n; i++) {
		if (token_is(&t[i], "User") || token_is(&t[i], "Inode"))
			cols |= COL_USER;
		else if (token_is(&t[i], "PID/Program"))
			cols |= COL_PROG;
		else if (token_is(&t[i], "name") && (cols & COL_PROG))
			continue;   /* "PID/Program name" */
		else if (token_is(&t[i], "Timer"))
			cols |= COL_TIMER;
		else {
			cols |= COL_OTHER;
			textfmt_skipped_add(&st->skipped, t[i].s, t[i].len);
		}
	}
	return cols;
}

/* Lines netstat writes around the table: "(Not all processes could be
 * identified, ...", its second line, and "netstat: ..." warnings. */
static int is_note(const struct token *t, size_t n)
{
	if (t[0].s[0] == '(')
		return 1;
	if (t[0].len >= 8 && memcmp(t[0].s, "netstat:", 8) == 0)
		return 1;
	return n >= 4 && token_is(&t[0], "will") && token_is(&t[1], "not") &&
	       token_is(&t[2], "be") && token_is(&t[3], "shown,");
}

static void ns_begin(void *state, const char *name_hint)
{
	struct ns_state *st = state;

	(void)name_hint;
	memset(st, 0, sizeof *st);
	st->cols = COLS_UNKNOWN;
}

static int ns_line(void *state, const char *line, size_t len, size_t lineno,
		   const struct row_sink *sink)
{
	struct ns_state *st = state;
	struct token t[NS_MAXTOK];
	struct sock_row r;
	const char *why;
	size_t n = token_split(line, len, t, NS_MAXTOK);

	if (n == 0)
		return 0;
	if (token_is(&t[0], "Active")) {
		/* a new section: Internet, or UNIX/Bluetooth/... skipped */
		st->skipping = !(n > 1 && token_is(&t[1], "Internet"));
		st->cols = COLS_UNKNOWN;
		return 0;
	}
	if (token_is(&t[0], "Proto")) {
		/* the UNIX, IPX, Bluetooth... headers stay in their skipped
		 * sections: only an "Active Internet" title ends those */
		if (!st->skipping && n > 1 && token_is(&t[1], "Recv-Q"))
			st->cols = header_cols(st, t, n < NS_MAXTOK ? n : NS_MAXTOK);
		return 0;
	}
	if (st->skipping || is_note(t, n) || token_is(&t[0], "unix"))
		return 0;
	if (n > NS_MAXTOK) {
		sink->bad(sink->ctx, lineno, "expected a netstat row, not a line of so many fields");
		return 0;
	}
	why = parse_row(st, t, n, &r);
	return textfmt_emit(sink, lineno, why, &r);
}

/* Both endpoints parse as "addr:port" (or "host:service", netstat
 * without -n), or one was cut to 23 columns. */
static int probe_endpoint(const struct token *t)
{
	struct hostport_names nm;
	struct addr a;
	uint16_t port;

	if (hostport_parse_names(t->s, t->len, HOSTPORT_COLON, AF_INET6, IPPROTO_TCP,
				 t->len == NS_ADDR_COL, &a, &port, &nm) == 0)
		return 1;
	return t->len == NS_ADDR_COL && memchr(t->s, ':', t->len) != NULL;
}

static int ns_probe(const char *line, size_t len)
{
	struct token t[8];
	size_t n = token_split(line, len, t, 8);

	if (n == 0)
		return TEXTFMT_PROBE_NO;
	if (token_is(&t[0], "Active")) {
		/* net-tools always says which sockets: "(servers and
		 * established)", "(w/o servers)", "(only servers)"; BSD says
		 * "(including servers)" or nothing */
		for (size_t i = 1; i < n && i < 8; i++) {
			if (token_is(&t[i], "(servers") || token_is(&t[i], "(w/o") ||
			    token_is(&t[i], "(only"))
				return TEXTFMT_PROBE_SURE;
			if (token_is(&t[i], "(including"))
				return TEXTFMT_PROBE_NO;
		}
		return n > 1 && (token_is(&t[1], "Internet") || token_is(&t[1], "UNIX"))
			       ? TEXTFMT_PROBE_MAYBE
			       : TEXTFMT_PROBE_NO;
	}
	if (token_is(&t[0], "Proto")) {
		if (n >= 8 && token_is(&t[1], "Recv-Q") && token_is(&t[2], "Send-Q") &&
		    token_is(&t[3], "Local") && token_is(&t[5], "Foreign") &&
		    token_is(&t[7], "State"))
			return TEXTFMT_PROBE_SURE;
		if (n >= 3 && token_is(&t[1], "RefCnt") && token_is(&t[2], "Flags"))
			return TEXTFMT_PROBE_SURE;   /* the UNIX section's header */
		return TEXTFMT_PROBE_NO;
	}
	if (token_is(&t[0], "unix"))
		return n >= 3 && token_digits(&t[1]) && t[2].s[0] == '[' ? TEXTFMT_PROBE_MAYBE
								       : TEXTFMT_PROBE_NO;
	/* net-tools puts the queues right after the protocol (ss puts the
	 * state there, Windows the address) and writes "addr:port" (BSD
	 * "addr.port") */
	if (n >= 5 && find_proto(&t[0]) >= 0 && token_digits(&t[1]) && token_digits(&t[2]) &&
	    probe_endpoint(&t[3]) && probe_endpoint(&t[4]))
		return TEXTFMT_PROBE_SURE;
	return TEXTFMT_PROBE_NO;
}

static const char *ns_skipped(const void *state)
{
	const struct ns_state *st = state;

	return st->skipped.len ? st->skipped.text : NULL;
}

const struct textfmt textfmt_netstat = {
	.name = "netstat",
	.summary = "Linux net-tools netstat -na/-anp/-ntu/-aultnp/-W/-e/-o output",
	.state_size = sizeof(struct ns_state),
	.probe = ns_probe,
	.begin = ns_begin,
	.line = ns_line,
	.end = textfmt_end_nothing,
	.skipped = ns_skipped,
};
