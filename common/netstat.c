/* netstat — option parsing and byte-exact rendering of net-tools 2.10
 * `netstat` "Active Internet connections" output (Debian 12) from rows. */
#include "netstat.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpstate.h"

/* net-tools squeezes "addr:port" into 23 columns unless -W. */
#define ADDR_COL 23
#define PROG_COL 20   /* PROGNAME_WIDTH: "pid/name" is snprintf'ed into 20 bytes */

struct optname {
	const char *name;   /* long option without "--" */
	char shortopt;
	unsigned flag;
};

static const struct optname options[] = {
	{"tcp", 't', NS_TCP},
	{"udp", 'u', NS_UDP},
	{"raw", 'w', NS_RAW},
	{"all", 'a', NS_ALL},
	{"listening", 'l', NS_LISTEN},
	{"programs", 'p', NS_PROG},
	{"wide", 'W', NS_WIDE},
	{"numeric", 'n', NS_NUMERIC},
	{"extend", 'e', NS_EXTEND},
	{"timers", 'o', NS_TIMERS},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

int netstat_opts_parse(const char *args, struct netstat_opts *o, const char **bad)
{
	size_t i = 0, len = strlen(args);

	o->flags = 0;
	*bad = NULL;
	while (i < len) {
		const char *tok;
		size_t tl;

		while (i < len && is_ws(args[i]))
			i++;
		if (i == len)
			break;
		tok = args + i;
		while (i < len && !is_ws(args[i]))
			i++;
		tl = (size_t)(args + i - tok);
		*bad = tok;
		if (tl < 2 || tok[0] != '-')
			return -EINVAL;
		if (tok[1] == '-') {
			size_t k;

			for (k = 0; k < NOPTIONS; k++)
				if (strlen(options[k].name) == tl - 2 &&
				    memcmp(options[k].name, tok + 2, tl - 2) == 0)
					break;
			if (k == NOPTIONS)
				return -EINVAL;
			o->flags |= options[k].flag;
			continue;
		}
		for (size_t j = 1; j < tl; j++) {
			size_t k;

			for (k = 0; k < NOPTIONS; k++)
				if (options[k].shortopt == tok[j])
					break;
			if (k == NOPTIONS)
				return -EINVAL;
			o->flags |= options[k].flag;
		}
	}
	if (!(o->flags & NS_NUMERIC)) {
		*bad = "-n";
		return -EINVAL;
	}
	*bad = NULL;
	return 0;
}

int netstat_render_header(const struct netstat_opts *o, struct buf *out)
{
	const char *which = (o->flags & NS_ALL)      ? "(servers and established)"
			    : (o->flags & NS_LISTEN) ? "(only servers)"
						     : "(w/o servers)";
	int rc;

	rc = buf_printf(out,
			"Active Internet connections %s\n"
			"Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
			which);
	if (rc == 0 && (o->flags & NS_EXTEND))
		rc = buf_puts(out, " User       Inode     ");
	if (rc == 0 && (o->flags & NS_PROG))
		rc = buf_printf(out, " %-20s", "PID/Program name");
	if (rc == 0 && (o->flags & NS_TIMERS))
		rc = buf_puts(out, " Timer");
	if (rc == 0)
		rc = buf_putc(out, '\n');
	return rc;
}

/* The renderer runs over every socket five times a snapshot: these
 * printf-free helpers keep it from dominating the recorder's time. */

static char *put_quad(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p += fmt_u64(p, a[i]);
	}
	*p = '\0';
	return p;
}

/* "%-*s": s left-aligned in a field of at least w bytes. */
static char *pad_right(char *p, const char *s, size_t n, size_t w)
{
	memcpy(p, s, n);
	p += n;
	for (; n < w; n++)
		*p++ = ' ';
	return p;
}

/* "%*llu": v right-aligned in a field of at least w bytes. */
static char *dec_right(char *p, uint64_t v, size_t w)
{
	char tmp[24];
	size_t n = fmt_u64(tmp, v);

	for (; n < w; w--)
		*p++ = ' ';
	memcpy(p, tmp, n);
	return p + n;
}

/* "%-*llu" */
static char *dec_left(char *p, uint64_t v, size_t w)
{
	char tmp[24];

	return pad_right(p, tmp, fmt_u64(tmp, v), w);
}

/* The address as net-tools prints it: inet_ntop's text, except that a
 * mapped address (folded or not) is reduced to its dotted quad, as its
 * fix_v4_address() does. That is addr_format() of the folded address but for
 * one case: glibc still prints deprecated IPv4-compatible addresses
 * (::a.b.c.d, first six groups zero, the seventh not) with a dotted-quad
 * tail, which RFC 5952 and addr_format() write in hex. out: >= 64 bytes. */
static void format_addr(const struct addr *a, char *out)
{
	static const uint8_t zero[12];
	struct addr f = *a;

	if (a->family == AF_INET6 && !memcmp(a->a, zero, 12) && (a->a[12] | a->a[13])) {
		out[0] = ':';
		out[1] = ':';
		put_quad(out + 2, a->a + 12);
		return;
	}
	addr_fold(&f);
	addr_format(&f, out, 64);
}

/* notnull() of net-tools: any address bit set (a mapped address always). */
static int addr_notnull(const struct sock_row *r, const struct addr *a)
{
	if (r->family == AF_INET6 && a->family == AF_INET)
		return 1;
	for (size_t i = 0; i < sizeof a->a; i++)
		if (a->a[i])
			return 1;
	return 0;
}

/* addr_do_one(): "addr:port" into out (>= 80 bytes), and without -W, when
 * longer than 23, the address is cut so that the port survives. Returns the
 * length. */
static size_t endpoint(const struct netstat_opts *o, const struct addr *a, uint16_t port,
		       char *out)
{
	char at[64], pt[8];
	size_t al, pl;

	format_addr(a, at);
	if (port == 0) {
		pt[0] = '*';
		pl = 1;
	} else {
		pl = fmt_u64(pt, port);
	}
	al = strlen(at);
	if (!(o->flags & NS_WIDE) && al + pl > ADDR_COL - 1) {
		if (pl > ADDR_COL - 5)
			pl = ADDR_COL - 5;
		al = ADDR_COL - 1 - pl;
	}
	memcpy(out, at, al);
	out[al] = ':';
	memcpy(out + al + 1, pt, pl);
	return al + 1 + pl;
}

static const char *const tcp_names[] = {
	"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};

static const char *state_text(const struct sock_row *r)
{
	if (r->proto == IPPROTO_UDP)
		return r->state == ST_ESTABLISHED ? "ESTABLISHED"
		       : r->state == ST_CLOSE     ? ""
						  : "UNKNOWN";
	if (r->state < sizeof tcp_names / sizeof tcp_names[0])
		return tcp_names[r->state];
	/* request sockets from sock_diag; /proc already says 03 */
	return r->state == ST_NEW_SYN_RECV ? "SYN_RECV" : "UNKNOWN";
}

/* The -o column. net-tools prints the /proc "timeout" (unanswered probes)
 * field last; sock_row does not keep it, so it is always 0 here. */
static int put_timer(const struct sock_row *r, struct buf *out)
{
	static const char *const tcp_timer[] = {"off", "on", "keepalive", "timewait", "probe"};
	unsigned ticks = r->expires_ms / 10;
	unsigned retr = r->proto == IPPROTO_UDP ? 0 : r->retrans;

	if (r->timer == TIMER_OFF)
		return buf_printf(out, " off (0.00/%u/0)", retr);
	if (r->proto == IPPROTO_TCP && r->timer <= TIMER_PROBE)
		return buf_printf(out, " %s (%u.%02u/%u/0)", tcp_timer[r->timer], ticks / 100,
				  ticks % 100, retr);
	if (r->proto != IPPROTO_TCP && r->timer <= 2)
		return buf_printf(out, " on%u (%u.%02u/%u/0)", (unsigned)r->timer, ticks / 100,
				  ticks % 100, retr);
	return buf_printf(out, " unkn-%u (%u.%02u/%u/0)", (unsigned)r->timer, ticks / 100,
			  ticks % 100, retr);
}

int netstat_render_row(const struct netstat_opts *o, const struct sock_row *r, struct buf *out)
{
	unsigned protos = o->flags & (NS_TCP | NS_UDP | NS_RAW);
	int all = (o->flags & NS_ALL) != 0, lst = (o->flags & NS_LISTEN) != 0;
	char la[80], ra[80], prog[PROG_COL], *p;
	size_t la_n, ra_n, start = out->len;
	const char *pname;
	int rc;

	if (protos == 0)
		protos = NS_TCP | NS_UDP | NS_RAW;
	switch (r->proto) {
	case IPPROTO_TCP:
		if (!(protos & NS_TCP))
			return 0;
		/* net-tools decides "listening" for TCP by the remote port only */
		if (!all && ((lst && r->rport) || (!lst && !r->rport)))
			return 0;
		pname = r->family == AF_INET6 ? "tcp6" : "tcp";
		break;
	case IPPROTO_UDP:
	case IPPROTO_RAW:
		if (!(protos & (r->proto == IPPROTO_UDP ? NS_UDP : NS_RAW)))
			return 0;
		/* and for UDP and raw by the remote address only */
		if (!all && addr_notnull(r, &r->remote) == lst)
			return 0;
		if (r->proto == IPPROTO_UDP)
			pname = r->family == AF_INET6 ? "udp6" : "udp";
		else
			pname = r->family == AF_INET6 ? "raw6" : "raw";
		break;
	default:
		return 0;
	}
	la_n = endpoint(o, &r->local, r->lport, la);
	ra_n = endpoint(o, &r->remote, r->rport, ra);
	/* Longest line: 5+1+6+1+6+1+80+1+80+1+11 + 22 + 21 + 1 < 320, plus -o. */
	rc = buf_reserve(out, 320);
	if (rc < 0)
		return rc;
	p = out->data + out->len;
	p = pad_right(p, pname, strlen(pname), 5);
	*p++ = ' ';
	p = dec_right(p, r->rxq, 6);
	*p++ = ' ';
	p = dec_right(p, r->txq, 6);
	*p++ = ' ';
	p = pad_right(p, la, la_n, 23);
	*p++ = ' ';
	p = pad_right(p, ra, ra_n, 23);
	*p++ = ' ';
	if (r->proto == IPPROTO_RAW) {
		p = dec_left(p, r->state, 11);
	} else {
		const char *st = state_text(r);
		p = pad_right(p, st, strlen(st), 11);
	}
	if (o->flags & NS_EXTEND) {
		*p++ = ' ';
		p = dec_left(p, r->uid, 10);
		*p++ = ' ';
		p = dec_left(p, r->inode, 10);
	}
	if (o->flags & NS_PROG) {
		size_t n;
		if (r->pid > 0) {
			/* snprintf(prog, 20, "%d/%s") as net-tools: at most 19 bytes */
			n = fmt_u64(prog, (uint64_t)r->pid);
			if (n < PROG_COL - 1)
				prog[n++] = '/';
			/* control bytes become '.', as net-tools does since the
			 * CVE-2024-58251 fix (and procmap always): a name from
			 * elsewhere must not break the line */
			for (const char *c = r->program ? r->program : ""; *c && n < PROG_COL - 1; c++)
				prog[n++] = *c < ' ' || *c > '~' ? '.' : *c;
		} else {
			prog[0] = '-';
			n = 1;
		}
		*p++ = ' ';
		p = pad_right(p, prog, n, PROG_COL);
	}
	out->len = (size_t)(p - out->data);
	out->data[out->len] = '\0';
	if (rc == 0 && (o->flags & NS_TIMERS))
		rc = put_timer(r, out);
	if (rc == 0)
		rc = buf_putc(out, '\n');
	if (rc != 0) {
		buf_truncate(out, start);
		return rc;
	}
	return 1;
}
