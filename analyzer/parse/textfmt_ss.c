/* textfmt_ss — the parser of saved iproute2 `ss` output (-tan, -tanp, -uan,
 * -tuan, -nap, -H, -e, -i, -o, rows a terminal wrapped): inet rows to sock_rows. */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "hostport.h"
#include "num.h"
#include "tcpstate.h"

/* One logical row: its first line and every continuation line joined. The
 * fields that matter come first; a row longer than this (a listener shared
 * by hundreds of workers, long -i lines) is cut, which can only lose the -e
 * fields after a very long users:(...) list. */
#define SS_ROW_MAX 8192
/* ss prints the kernel's comm (15 bytes); hand-made dumps may hold more. */
#define SS_PROG_MAX 256
/* A host name kept from a row of ss -r (DNS names stop at 253). */
/* Netid, State, Recv-Q, Send-Q, Local, Peer: the fields before the rest. */
#define SS_MAXTOK 7

enum ss_pending {
	PEND_NONE,   /* nothing held */
	PEND_ROW,    /* an inet row is held in text[] */
	PEND_SKIP,   /* a row of another Netid (unix, netlink, ...) */
	PEND_HEADER, /* the header, possibly wrapped over lines */
};

struct ss_state {
	int hint;		   /* IPPROTO_TCP / IPPROTO_UDP from the file name, or 0 */
	int kind;		   /* protocol of Netid-less rows as seen so far, or 0 */
	int pending;		   /* enum ss_pending */
	size_t lineno;		   /* first line of the held row, for sink->bad */
	size_t len;		   /* bytes in text[] */
	char program[SS_PROG_MAX]; /* the emitted row's program */
	char lhost[TEXTFMT_HOST_MAX], rhost[TEXTFMT_HOST_MAX]; /* its host names (ss -r) */
	char text[SS_ROW_MAX];	   /* the held row, joined */
};

#define WHY_STATE "expected an ss state like ESTAB, LISTEN or UNCONN"
#define WHY_QUEUES "expected Recv-Q and Send-Q numbers after the state"
#define WHY_LOCAL "expected a local address:port like 0.0.0.0:22, [::]:443, *:80 or 0.0.0.0:ssh"
#define WHY_PEER "expected a peer address:port like 192.0.2.1:80, [::]:*, *:* or 192.0.2.1:https"
#define WHY_FAMILY "expected local and peer addresses of one family"
#define WHY_USERS "expected a process list like users:((\"sshd\",pid=1,fd=3))"
#define WHY_ROW "expected an ss row starting with a state like ESTAB or a Netid like tcp"
#define WHY_NOSTATE                                                                                \
	"expected a State column (ss omits it when one state is filtered; not importable)"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int tok_state(const struct token *t)
{
	return tcpstate_parse(t->s, t->len);
}

/* What a line at column 0 starts: a row of `ss` (with or without Netid), a
 * row of a Netid other than tcp/udp, or neither. */
enum row_kind { ROW_NONE, ROW_INET, ROW_OTHER };

static enum row_kind row_start(const struct token *t, size_t n)
{
	if (n >= 1 && tok_state(&t[0]) >= 0)
		return ROW_INET;
	/* The Netid is any word followed by a state: ss has a dozen (nl,
	 * u_str, p_raw, raw, mptcp, sctp, v_str, ti_st, xdp, ...). Raw rows
	 * are left out: their "port" is the IP protocol. MPTCP rows too: each
	 * subflow is listed as a tcp row already. */
	if (n >= 2 && tok_state(&t[1]) >= 0 && !token_digits(&t[0]))
		return token_is(&t[0], "tcp") || token_is(&t[0], "udp") ? ROW_INET
									      : ROW_OTHER;
	return ROW_NONE;
}

/* "State Recv-Q Send-Q Local Address:Port Peer Address:Port Process", with
 * "Netid" first for several protocols, without "State" when one state is
 * filtered. */
static int is_header(const struct token *t, size_t n)
{
	size_t i = 0;

	if (n > i && token_is(&t[i], "Netid"))
		i++;
	if (n > i && token_is(&t[i], "State"))
		i++;
	return n >= i + 2 && token_is(&t[i], "Recv-Q") && token_is(&t[i + 1], "Send-Q");
}

/* The rest of a header a terminal wrapped onto more lines. */
static int is_header_rest(const struct token *t, size_t n)
{
	static const char *const words[] = {
	    "Netid",	"State", "Recv-Q",	 "Send-Q",  "Local",	   "Peer",
	    "Address:", "Port",	 "Address:Port", "Process", "PortProcess", "Address:PortProcess",
	};

	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < sizeof words / sizeof words[0] && !token_is(&t[i], words[k]))
			k++;
		if (k == sizeof words / sizeof words[0])
			return 0;
	}
	return 1;
}

/* What ss writes to stderr, when a dump caught it too: "RTNETLINK answers:
 * Invalid argument" (a family the kernel lacks), "Failed to find cgroup2
 * mount" (-e). */
static int is_note(const struct token *t, size_t n)
{
	return token_is(&t[0], "RTNETLINK") ||
	       (n >= 2 && token_is(&t[0], "Failed") && token_is(&t[1], "to"));
}

/* A file name saying which protocol a Netid-less dump holds: "ss-udp.txt". */
static int name_proto(const char *name)
{
	const char *base = name, *p;
	int tcp = 0, udp = 0;

	for (p = name; *p; p++)
		if (*p == '/')
			base = p + 1;
	for (p = base; p[0] && p[1] && p[2]; p++) {
		tcp |= strncasecmp(p, "tcp", 3) == 0;
		udp |= strncasecmp(p, "udp", 3) == 0;
	}
	return tcp == udp ? 0 : tcp ? IPPROTO_TCP : IPPROTO_UDP;
}

/* Without a Netid column (ss -t or ss -u alone) the dump holds one protocol
 * and no row names it. A state only TCP has makes the dump TCP; an UNCONN
 * row in a dump not known as TCP makes it UDP. ESTAB rows (TCP, or connected
 * UDP) and UNCONN rows of a TCP dump (bound but inactive, ss -B) follow
 * that; ESTAB rows before either follow the file name's hint, else TCP. */
static int proto_of(struct ss_state *st, int state)
{
	if (state == ST_CLOSE) {
		if (st->kind == 0)
			st->kind = st->hint == IPPROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
		return st->kind;
	}
	if (state != ST_ESTABLISHED) {
		st->kind = IPPROTO_TCP;
		return IPPROTO_TCP;
	}
	if (st->kind)
		return st->kind;
	return st->hint ? st->hint : IPPROTO_TCP;
}

/* ss's print_ms_timer: "", "200ms", "1.192ms" (1 s 192 ms), "12sec",
 * "2min5sec", "15min". */
static int parse_ms(const char *s, size_t len, uint32_t *out)
{
	uint64_t total = 0;
	size_t i = 0;

	while (i < len) {
		size_t d = i;
		uint64_t v, unit;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d || num_parse_dec(s + d, i - d, 1000000, &v) < 0)
			return -EINVAL;
		if (len - i >= 3 && memcmp(s + i, "min", 3) == 0) {
			unit = 60000;
			i += 3;
		} else if (len - i >= 3 && memcmp(s + i, "sec", 3) == 0) {
			unit = 1000;
			i += 3;
		} else if (len - i >= 2 && memcmp(s + i, "ms", 2) == 0) {
			unit = 1;
			i += 2;
		} else if (len - i >= 1 && s[i] == '.') {
			unit = 1000; /* seconds, milliseconds follow */
			i++;
		} else {
			return -EINVAL;
		}
		total += v * unit;
	}
	*out = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	return 0;
}

/* "timer:(on,1.192ms,3)" of -o / -e. */
static int parse_timer(const char *s, size_t len, struct sock_row *r)
{
	static const char *const names[] = {"off", "on", "keepalive", "timewait", "persist"};
	const char *c1, *c2, *end = s + len - 1;
	uint64_t retr;
	uint32_t ms;
	size_t k;

	if (len < 10 || memcmp(s, "timer:(", 7) != 0 || *end != ')')
		return -EINVAL;
	s += 7;
	c1 = memchr(s, ',', (size_t)(end - s));
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ',', (size_t)(end - c1 - 1));
	if (!c2)
		return -EINVAL;
	for (k = 0; k < sizeof names / sizeof names[0]; k++)
		if (strlen(names[k]) == (size_t)(c1 - s) &&
		    memcmp(s, names[k], (size_t)(c1 - s)) == 0)
			break;
	if (k == sizeof names / sizeof names[0] ||
	    parse_ms(c1 + 1, (size_t)(c2 - c1 - 1), &ms) < 0 ||
	    num_parse_dec(c2 + 1, (size_t)(end - c2 - 1), UINT32_MAX, &retr) < 0)
		return -EINVAL; /* "unknown" among them: the timer stays unknown */
	r->timer = (uint8_t)k;	/* ss's order is the kernel's, as enum sock_timer */
	r->expires_ms = ms;
	r->retrans = (uint32_t)retr;
	r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_TIMER;
	return 0;
}

/* users:(("name",pid=N,fd=N),("other",pid=M,fd=K)) — before iproute2 3.14
 * users:(("name",N,K)) — the first process owns the row. The name is the
 * kernel's comm as ss read it from /proc/PID/stat: ss neither escapes nor
 * quotes it, so it may hold spaces, quotes, commas and '(' (ss cuts it at
 * the first ')'). It is taken verbatim up to the first `",` that a pid
 * follows, controls shown as '.'. On success *p is moved past the list (or
 * to the end when the row was cut). */
static const char *parse_users(struct ss_state *st, const char **p, const char *end,
			       struct sock_row *r)
{
	static const char open[] = "users:((\"";
	const char *name = *p + sizeof open - 1, *q = name, *d = NULL, *close;
	size_t len = 0;
	uint64_t pid;

	while ((q = memmem(q, (size_t)(end - q), "\",", 2)) != NULL) {
		d = q + 2;
		if ((size_t)(end - d) >= 4 && memcmp(d, "pid=", 4) == 0)
			d += 4;
		for (len = 0; d + len < end && d[len] >= '0' && d[len] <= '9'; len++)
			;
		if (len > 0 && d + len < end && (d[len] == ',' || d[len] == ')'))
			break;
		q++;
	}
	if (!q || num_parse_dec(d, len, INT32_MAX, &pid) < 0 || pid == 0)
		return WHY_USERS;
	r->pid = (int32_t)pid;
	len = (size_t)(q - name);
	if (len >= sizeof st->program)
		len = sizeof st->program - 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		st->program[i] = c < 0x20 || c == 0x7f ? '.' : (char)c;
	}
	st->program[len] = '\0';
	r->program = len ? st->program : NULL;
	close = memmem(d, (size_t)(end - d), "))", 2);
	*p = close ? close + 2 : end;
	return NULL;
}

/* What follows the peer address: the process list (-p), then -o/-e words
 * (timer:(...), uid:N, ino:N, sk:..., ...), -i info lines joined in. -e
 * prints uid only when it is not 0, and inode and sk always: a row with
 * "ino:" tells its uid and timer even when they are absent. */
static const char *parse_rest(struct ss_state *st, const char *p, const char *end,
			      struct sock_row *r)
{
	struct token w;
	const char *why;
	uint64_t v;
	int details = 0, timer = 0;

	while (p < end && is_blank(*p))
		p++;
	if ((size_t)(end - p) >= 7 && memcmp(p, "users:(", 7) == 0) {
		if ((size_t)(end - p) < 9 || memcmp(p, "users:((\"", 9) != 0)
			return WHY_USERS;
		why = parse_users(st, &p, end, r);
		if (why)
			return why;
	}
	while (p < end) {
		while (p < end && is_blank(*p))
			p++;
		w.s = p;
		while (p < end && !is_blank(*p))
			p++;
		w.len = (size_t)(p - w.s);
		if (w.len > 4 && memcmp(w.s, "uid:", 4) == 0) {
			if (num_parse_dec(w.s + 4, w.len - 4, UINT32_MAX, &v) == 0) {
				r->uid = (uint32_t)v;
				r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_UID;
			}
		} else if (w.len > 4 && memcmp(w.s, "ino:", 4) == 0) {
			if (num_parse_dec(w.s + 4, w.len - 4, UINT64_MAX, &v) == 0) {
				r->inode = v;
				r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_INODE;
				details = 1;
			}
		} else if (w.len > 7 && memcmp(w.s, "timer:(", 7) == 0) {
			timer = 1;
			(void)parse_timer(w.s, w.len, r);
		}
	}
	if (details) {
		/* absent means 0 / no timer running ("unknown" stays so) */
		r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_UID;
		if (!timer)
			r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_TIMER;
	}
	return NULL;
}

/* One endpoint, numeric or named: a host name is copied to `host`. */
static int endpoint(const struct token *t, int family, int proto, struct addr *a,
		    uint16_t *port, char *host, const char **hostp, uint8_t *named)
{
	struct hostport_names nm;

	if (hostport_parse_names(t->s, t->len, HOSTPORT_COLON, family, proto, 0, a, port, &nm) <
	    0)
		return -EINVAL;
	textfmt_keep_names(&nm, host, hostp, named);
	return 0;
}

static const char *parse_row(struct ss_state *st, struct sock_row *r)
{
	struct token t[SS_MAXTOK];
	size_t n = token_split(st->text, st->len, t, SS_MAXTOK), i = 0;
	const char *rest;
	int state, proto = 0, rp;

	textfmt_row_init(r);
	if (n < 1)
		return WHY_ROW;
	state = tok_state(&t[0]);
	if (state < 0) {
		proto = token_is(&t[0], "udp") ? IPPROTO_UDP : IPPROTO_TCP;
		i = 1;
		state = n > 1 ? tok_state(&t[1]) : -1;
		if (state < 0)
			return WHY_STATE;
	}
	r->state = (uint8_t)state;
	if (n < i + 3 || token_u32(&t[i + 1], &r->rxq) < 0 || token_u32(&t[i + 2], &r->txq) < 0)
		return WHY_QUEUES;
	r->unknown &= (uint8_t)~SOCKROW_UNKNOWN_QUEUES;
	/* without -n ss names the ports (0.0.0.0:ssh), with -r the hosts too */
	rp = proto ? proto : proto_of(st, state);
	/* '*' is the dual-stack IPv6 wildcard since iproute2 4.14 (0.0.0.0 is
	 * IPv4's, [::] a v6-only socket's); older ss wrote '*' for IPv4's */
	if (n < i + 4 || endpoint(&t[i + 3], AF_INET6, rp, &r->local, &r->lport, st->lhost,
				  &r->lhost, &r->named) < 0)
		return WHY_LOCAL;
	if (n < i + 5 || endpoint(&t[i + 4], r->local.family, rp, &r->remote, &r->rport,
				  st->rhost, &r->rhost, &r->named) < 0)
		return WHY_PEER;
	/* a named host (ss -r) has no family of its own: it takes the
	 * address beside it's */
	if (r->lhost && !r->rhost && r->local.family != r->remote.family) {
		memset(&r->local, 0, sizeof r->local);
		r->local.family = r->remote.family;
	} else if (r->rhost && !r->lhost && r->remote.family != r->local.family) {
		memset(&r->remote, 0, sizeof r->remote);
		r->remote.family = r->local.family;
	}
	if (r->remote.family != r->local.family)
		return WHY_FAMILY;
	r->family = r->local.family;
	r->proto = (uint8_t)rp;
	rest = t[i + 4].s + t[i + 4].len;
	return parse_rest(st, rest, st->text + st->len, r);
}

/* Emits the held row, if any. */
static int flush(struct ss_state *st, const struct row_sink *sink)
{
	struct sock_row r;
	const char *why;
	int held = st->pending;

	st->pending = PEND_NONE;
	if (held != PEND_ROW)
		return 0;
	why = parse_row(st, &r);
	if (why) {
		sink->bad(sink->ctx, st->lineno, why);
		return 0;
	}
	return sink->row(sink->ctx, &r);
}

/* A terminal that wraps a row breaks it at the screen edge: between two
 * columns (ss pads each row so that the break falls there; the next column
 * starts with its blank delimiter, or with the port after "addr:"), or
 * inside the Process field. Joining the pieces as they are restores the
 * row in every case. */
static void append(struct ss_state *st, const char *line, size_t len)
{
	size_t room = sizeof st->text - st->len;

	if (len > room)
		len = room;
	memcpy(st->text + st->len, line, len);
	st->len += len;
}

static void ss_begin(void *state, const char *name_hint)
{
	struct ss_state *st = state;

	st->hint = name_hint ? name_proto(name_hint) : 0;
	st->kind = 0;
	st->pending = PEND_NONE;
	st->lineno = 0;
	st->len = 0;
	st->program[0] = '\0';
}

static int ss_line(void *state, const char *line, size_t len, size_t lineno,
		   const struct row_sink *sink)
{
	struct ss_state *st = state;
	struct token t[SS_MAXTOK];
	size_t n = token_split(line, len, t, SS_MAXTOK);
	enum row_kind k;
	int rc;

	if (n == 0)
		return 0; /* also a wrapped row's empty Process column */
	if (!is_blank(line[0])) {
		if (is_header(t, n < SS_MAXTOK ? n : SS_MAXTOK)) {
			rc = flush(st, sink);
			st->pending = PEND_HEADER;
			st->kind = 0; /* a new table: ss -uan; ss -tan in one file */
			return rc;
		}
		if (is_note(t, n))
			return 0;
		k = row_start(t, n);
		if (k != ROW_NONE) {
			rc = flush(st, sink);
			st->pending = k == ROW_INET ? PEND_ROW : PEND_SKIP;
			st->lineno = lineno;
			st->len = 0;
			if (k == ROW_INET)
				append(st, line, len);
			return rc;
		}
	}
	switch (st->pending) {
	case PEND_ROW:
		append(st, line, len);
		return 0;
	case PEND_SKIP:
		return 0; /* its -e/-i lines, SCTP's "`- ESTAB" association lines */
	case PEND_HEADER:
		if (is_header_rest(t, n < SS_MAXTOK ? n : SS_MAXTOK) && n <= SS_MAXTOK)
			return 0;
		break;
	default:
		break;
	}
	sink->bad(sink->ctx, lineno, token_digits(&t[0]) ? WHY_NOSTATE : WHY_ROW);
	return 0;
}

static int ss_end(void *state, const struct row_sink *sink)
{
	return flush(state, sink);
}

static int ss_probe(const char *line, size_t len)
{
	struct token t[SS_MAXTOK];
	size_t n = token_split(line, len, t, SS_MAXTOK), i;

	if (n == 0 || is_blank(line[0]))
		return TEXTFMT_PROBE_NO;
	if (is_header(t, n < SS_MAXTOK ? n : SS_MAXTOK)) {
		/* "Local Address:Port": netstat says "Local Address" */
		for (i = 2; i + 1 < n && i < SS_MAXTOK - 1; i++)
			if (token_is(&t[i], "Local") && t[i + 1].len >= 12 &&
			    strncasecmp(t[i + 1].s, "Address:Port", 12) == 0)
				return TEXTFMT_PROBE_SURE;
		return TEXTFMT_PROBE_NO;
	}
	/* A state first (or after the Netid), then the two queues: net-tools
	 * and BSD put the protocol first and the state last, Windows the
	 * protocol then addresses. */
	i = tok_state(&t[0]) >= 0 ? 1 : 2;
	if (row_start(t, n) != ROW_NONE && n >= i + 2 && token_digits(&t[i]) && token_digits(&t[i + 1]))
		return TEXTFMT_PROBE_SURE;
	return TEXTFMT_PROBE_NO;
}

const struct textfmt textfmt_ss = {
    .name = "ss",
    .summary = "iproute2 ss -tan/-tanp/-uan/-tuan/-nap output, -H, -e, -i, -o, wrapped rows",
    .state_size = sizeof(struct ss_state),
    .probe = ss_probe,
    .begin = ss_begin,
    .line = ss_line,
    .end = ss_end,
};
