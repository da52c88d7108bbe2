/* textfmt_windows — the parser of saved Windows `netstat -an`, `-ano` and
 * `-anob` output: TCP/UDP rows to sock_rows, -b program lines to their row,
 * every other line either a part of netstat's layout or a bad line. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "hostport.h"
#include "num.h"
#include "tcpstate.h"

/* proto, local, foreign, state, PID: one more is a malformed row */
#define WIN_MAXTOK 6
/* Longest program name kept from a -b line; Windows file names stop at 255
 * UTF-16 units, longer lines are cut at a character boundary. */
#define WIN_PROGRAM_MAX 256

/* A host name kept from `netstat -a` (no -n); DNS names stop at 253. */

/* Indented lines under a row that may be its -b owner: the component
 * lines (" RpcSs", a chain of them when one executable hosts several) and
 * "Can not obtain ownership information" in the system's language. */
#define WIN_OWNER_MAX 4
/* A title ("Active Connections", "Aktive Verbindungen", "TCP Statistics
 * for IPv4") has at most this many words. */
#define WIN_TITLE_MAXTOK 5

/*
 * Which lines are netstat's own, in any language, is told by where they
 * stand, not by their words: an unindented title followed by a blank line,
 * the indented line after it (the column header), up to WIN_OWNER_MAX
 * indented lines under a row, a " [program.exe]" line, a -s counter line
 * ("  Active Opens   = 1234"). Anything else is a bad line: 5 MB of junk
 * after a valid header is not "0 bad lines".
 */
struct win_state {
	struct sock_row held;        /* the last row, waiting for its -b lines */
	bool have_held;
	bool have_program;           /* held.program points at program[] */
	bool want_header;            /* at the start, or after a title and a blank */
	unsigned owner_left;         /* owner lines still allowed under the last row */
	size_t title_line;           /* a title's line, until a blank line follows (0: none) */
	char program[WIN_PROGRAM_MAX];
	char lhost[TEXTFMT_HOST_MAX], rhost[TEXTFMT_HOST_MAX];   /* the held row's host names */
};

/* Localized state names, accepted only where a public report shows
 * netstat printing them (German Windows):
 *   ABHÖREN (LISTENING): github.com/raycast/extensions/pull/30682,
 *     github.com/hanlulong/stata-mcp/issues/64;
 *   HERGESTELLT (ESTABLISHED): github.com/AGI-is-going-to-arrive/
 *     Antigravity-Context-Window-Monitor/issues/64.
 * Other localized names are reported as bad lines rather than guessed. */
static const struct {
	const char *name;   /* UTF-8, as the reader hands the line over */
	uint8_t st;
} localized[] = {
    {"ABH\xc3\x96REN", ST_LISTEN},
    {"HERGESTELLT", ST_ESTABLISHED},
};

/* Windows' spellings are all in tcpstate_parse() (LISTENING, SYN_RECEIVED,
 * FIN_WAIT_1, DELETE_TCB -> CLOSE, ...) except BOUND, which `netstat -q`
 * prints for a socket that is bound but neither listening nor connected:
 * Linux calls that state CLOSE, so it is stored as ST_CLOSE. */
static int parse_state(const struct token *t)
{
	int st = tcpstate_parse(t->s, t->len);

	if (st >= 0)
		return st;
	if (token_is(t, "BOUND"))
		return ST_CLOSE;
	for (size_t i = 0; i < sizeof localized / sizeof localized[0]; i++)
		if (t->len == strlen(localized[i].name) &&
		    memcmp(t->s, localized[i].name, t->len) == 0)
			return localized[i].st;
	return -EINVAL;
}

/* "TCP" or "UDP" first, then something shaped like an endpoint. Titles,
 * localized headers, -b service names, "Can not obtain ownership
 * information" and the -s statistics ("TCP Statistics for IPv4") are not
 * rows, whatever their language. */
static int row_proto(const struct token *t, size_t n)
{
	int proto;

	if (token_is(&t[0], "TCP"))
		proto = IPPROTO_TCP;
	else if (token_is(&t[0], "UDP"))
		proto = IPPROTO_UDP;
	else
		return 0;
	if (n < 2 || (!memchr(t[1].s, ':', t[1].len) && t[1].s[0] != '['))
		return 0;
	return proto;
}

/* One endpoint, numeric or (netstat -a without -n) named: a host name is
 * copied to `host`. */
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

static const char *parse_row(struct win_state *st, const struct token *t, size_t n,
			     int proto, struct sock_row *r)
{
	size_t want = proto == IPPROTO_TCP ? 4 : 3;
	uint64_t pid;
	int stn;

	textfmt_row_init(r);
	r->proto = (uint8_t)proto;
	if (n < want || n > want + 1)
		return proto == IPPROTO_TCP ? "expected TCP, local address, foreign address, "
					      "state and an optional PID"
					    : "expected UDP, local address, foreign address "
					      "and an optional PID";
	if (endpoint(&t[1], AF_INET, proto, &r->local, &r->lport, st->lhost, &r->lhost,
		     &r->named) < 0)
		return "expected a local address like 0.0.0.0:135, [::]:445 or 0.0.0.0:epmap";
	r->family = r->local.family;
	/* A listener's peer is 0.0.0.0:0 or [::]:0 (no peer), a UDP socket's
	 * "*:*": both become the unspecified address and port 0, as the
	 * kernel reports an unconnected socket. */
	if (endpoint(&t[2], r->family, proto, &r->remote, &r->rport, st->rhost, &r->rhost,
		     &r->named) < 0)
		return "expected a foreign address like 203.0.113.5:443, [::]:0, *:* or "
		       "host:https";
	/* without -n the missing peer of a listener is the machine's own name,
	 * port 0 ("DESKTOP-7QJ1:0"): no peer, as with -n */
	if (r->rhost && r->rport == 0) {
		r->rhost = NULL;
		r->named &= (uint8_t)~SOCKROW_NAMED_HOST;
		if (r->lhost)
			r->named |= SOCKROW_NAMED_HOST;
	}
	/* a named host takes the family of the address beside it */
	if (r->lhost && r->remote.family == AF_INET6 && !r->rhost) {
		memset(&r->local, 0, sizeof r->local);
		r->local.family = AF_INET6;
		r->family = AF_INET6;
	}
	if (r->remote.family != r->family)
		return "expected the foreign address in the family of the local address";
	if (proto == IPPROTO_TCP) {
		stn = parse_state(&t[3]);
		if (stn < 0)
			return "expected a TCP state like LISTENING, ESTABLISHED or TIME_WAIT";
		r->state = (uint8_t)stn;
	} else {
		r->state = ST_CLOSE; /* Windows prints no UDP state */
	}
	if (n == want + 1) {
		if (num_parse_dec(t[want].s, t[want].len, INT32_MAX, &pid) < 0)
			return "expected a decimal PID after the state (netstat -o)";
		r->pid = (int32_t)pid; /* 0 (TIME_WAIT, System Idle) stays unknown */
	}
	return NULL;
}

/* The -b line " [svchost.exe]": everything between the first '[' and the
 * last ']', control characters replaced by '.' as procmap does. */
static void take_program(struct win_state *st, const char *s, size_t len)
{
	const char *lb = memchr(s, '[', len), *rb;
	size_t n, k = 0;

	if (!lb)
		return;
	lb++;
	rb = memrchr(lb, ']', (size_t)(s + len - lb));
	if (!rb || rb == lb)
		return;
	n = (size_t)(rb - lb);
	if (n > sizeof st->program - 1) {
		n = sizeof st->program - 1;
		/* do not end inside a UTF-8 sequence */
		while (n > 0 && ((unsigned char)lb[n] & 0xc0) == 0x80)
			n--;
	}
	for (; k < n; k++) {
		unsigned char c = (unsigned char)lb[k];

		st->program[k] = c < 0x20 || c == 0x7f ? '.' : (char)c;
	}
	st->program[n] = '\0';
	st->have_program = true;
}

static void win_begin(void *state, const char *name_hint)
{
	struct win_state *st = state;

	(void)name_hint;
	memset(st, 0, sizeof *st);
	st->want_header = true;   /* a dump cut after its title starts at the header */
}

/* " [svchost.exe]": starts with '[', ends with ']'. */
static bool bracket_line(const struct token *t0, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return t0->s[0] == '[' && len > 0 && line[len - 1] == ']';
}

/* netstat -s: "  Active Opens                        = 1234", "  Messages
 * 57   40": a name, then a number at the end. */
static bool counter_line(const struct token *t0, const char *line, size_t len)
{
	size_t d = 0;
	unsigned char c = (unsigned char)t0->s[0];

	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (d < len && line[len - 1 - d] >= '0' && line[len - 1 - d] <= '9')
		d++;
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && d > 0 && d < len &&
	       (line[len - 1 - d] == ' ' || line[len - 1 - d] == '\t');
}

/* A line that is not a row: netstat's layout, a -b owner, or bad. */
static void non_row(struct win_state *st, const struct token *t, size_t n, const char *line,
		    size_t len, size_t lineno, const struct row_sink *sink)
{
	bool indented = line[0] == ' ' || line[0] == '\t';

	if (bracket_line(&t[0], line, len)) {
		/* -b: the owner of the row above; before any row it owns nothing */
		if (st->have_held && !st->have_program)
			take_program(st, t[0].s, (size_t)(line + len - t[0].s));
		return;
	}
	if (indented && st->want_header) {
		st->want_header = false;
		return;
	}
	if (indented && st->owner_left > 0) {
		st->owner_left--;
		return;
	}
	if (indented && counter_line(&t[0], line, len))
		return;
	if (!indented && n <= WIN_TITLE_MAXTOK) {
		st->title_line = lineno;   /* a title if a blank line follows */
		st->owner_left = 0;
		return;
	}
	sink->bad(sink->ctx, lineno,
		  "expected a TCP or UDP row, a -b owner line under a row, or a title, a blank "
		  "line and a column header");
}

static int flush(struct win_state *st, const struct row_sink *sink)
{
	if (!st->have_held)
		return 0;
	st->have_held = false;
	st->held.program = st->have_program ? st->program : NULL;
	st->have_program = false;
	return sink->row(sink->ctx, &st->held);
}

static int win_line(void *state, const char *line, size_t len, size_t lineno,
		    const struct row_sink *sink)
{
	struct win_state *st = state;
	struct token t[WIN_MAXTOK];
	struct sock_row r;
	const char *why;
	size_t n = token_split(line, len, t, WIN_MAXTOK);
	int proto, rc;

	if (st->title_line) {
		size_t title = st->title_line;

		st->title_line = 0;
		if (n == 0) {
			st->want_header = true;
			return 0;
		}
		sink->bad(sink->ctx, title,
			  "expected a row, or a title like \"Active Connections\" followed by a "
			  "blank line");
	}
	if (n == 0)
		return 0;
	proto = row_proto(t, n);
	if (!proto) {
		non_row(st, t, n, line, len, lineno, sink);
		return 0;
	}
	rc = flush(st, sink);
	if (rc < 0)
		return rc;
	st->want_header = false;
	st->owner_left = WIN_OWNER_MAX;   /* a bad row's -b lines are still its own */
	why = parse_row(st, t, n, proto, &r);
	if (why) {
		sink->bad(sink->ctx, lineno, why);
		return 0;
	}
	st->held = r;
	st->have_held = true;
	return 0;
}

static int win_end(void *state, const struct row_sink *sink)
{
	return flush(state, sink);
}

static int win_probe(const char *line, size_t len)
{
	struct token t[WIN_MAXTOK];
	struct hostport_names nm;
	struct addr a;
	uint16_t port;
	size_t n;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	n = token_split(line, len, t, WIN_MAXTOK);
	if (n == 0)
		return TEXTFMT_PROBE_NO;
	if (n == 2 && t[0].len == 6 && memcmp(t[0].s, "Active", 6) == 0 && t[1].len == 11 &&
	    memcmp(t[1].s, "Connections", 11) == 0)
		return TEXTFMT_PROBE_SURE;
	/* rows: indented, upper-case protocol (Linux, ss and BSD write it in
	 * lower case from the first column) and two colon endpoints */
	if (line[0] == ' ' && n >= 3 && t[0].len == 3 &&
	    (memcmp(t[0].s, "TCP", 3) == 0 || memcmp(t[0].s, "UDP", 3) == 0) &&
	    hostport_parse_names(t[1].s, t[1].len, HOSTPORT_COLON, AF_INET, IPPROTO_TCP, 0, &a,
				 &port, &nm) == 0 &&
	    hostport_parse_names(t[2].s, t[2].len, HOSTPORT_COLON, a.family, IPPROTO_TCP, 0, &a,
				 &port, &nm) == 0)
		return (t[0].s[0] == 'T' && n >= 4) || t[0].s[0] == 'U' ? TEXTFMT_PROBE_SURE
									: TEXTFMT_PROBE_MAYBE;
	/* the column header in any language, and -b owner lines */
	if (line[0] == ' ' && (token_is(&t[0], "Proto") || t[0].s[0] == '['))
		return TEXTFMT_PROBE_MAYBE;
	return TEXTFMT_PROBE_NO;
}

const struct textfmt textfmt_windows = {
	.name = "windows",
	.summary = "Windows netstat -an, -ano, -anob output ([::]:445, LISTENING, [svchost.exe])",
	.state_size = sizeof(struct win_state),
	.probe = win_probe,
	.begin = win_begin,
	.line = win_line,
	.end = win_end,
};
