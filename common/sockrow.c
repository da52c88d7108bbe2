/* sockrow — names of protocols and timers, and the strict TSV encoding of a
 * socket row used by the snapshot's `sockets` section. */
#include "sockrow.h"

#include "num.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpstate.h"

#define NCOLS 16

static const char *const timer_names[] = {
	[TIMER_OFF] = "off",
	[TIMER_ON] = "on",
	[TIMER_KEEPALIVE] = "keepalive",
	[TIMER_TIMEWAIT] = "timewait",
	[TIMER_PROBE] = "probe",
};
#define NTIMERS (sizeof timer_names / sizeof timer_names[0])

const char *sockrow_proto_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_RAW:
		return "raw";
	default:
		return NULL;
	}
}

static bool eq(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

int sockrow_proto_parse(const char *s, size_t len)
{
	static const int protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW};

	for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (eq(s, len, sockrow_proto_name(protos[i])))
			return protos[i];
	return -EINVAL;
}

const char *sockrow_timer_name(int timer)
{
	if (timer < 0 || (size_t)timer >= NTIMERS)
		return NULL;
	return timer_names[timer];
}

int sockrow_timer_parse(const char *s, size_t len)
{
	for (size_t i = 0; i < NTIMERS; i++)
		if (eq(s, len, timer_names[i]))
			return (int)i;
	return -EINVAL;
}

/* The state column: net-tools names for the eleven classic states, UNCONN
 * for a closed UDP socket (as ss says), and for anything else (state 0,
 * raw-socket oddities) the plain number so that no row is ever lost. */
static const char *state_word(int proto, int st)
{
	if (proto == IPPROTO_UDP && st == ST_CLOSE)
		return "UNCONN";
	if (st >= ST_ESTABLISHED && st <= ST_NEW_SYN_RECV)
		return tcpstate_name(st);
	return NULL;
}

static int state_parse(int proto, const char *s, size_t len)
{
	for (int st = ST_ESTABLISHED; st <= ST_CLOSING; st++) {
		const char *w = state_word(proto, st);

		if (w && eq(s, len, w))
			return st;
	}
	return -EINVAL;
}

/* Name if the value has one, else decimal: what to_tsv writes. */
static int put_word_or_num(struct buf *out, const char *word, unsigned v)
{
	return word ? buf_puts(out, word) : buf_printf(out, "%u", v);
}

static int put_addr(struct buf *out, const struct addr *a)
{
	struct addr f = *a;
	char txt[ADDR_STRLEN];
	size_t n;

	addr_fold(&f);
	n = addr_format(&f, txt, sizeof txt);
	return buf_append(out, txt, n);
}

int sockrow_put_escaped(struct buf *out, const char *p)
{
	int rc = 0;

	if (!p)
		return buf_putc(out, '-');
	/* A program really called "-" must not read back as "unknown". */
	if (strcmp(p, "-") == 0)
		return buf_puts(out, "\\-");
	for (; *p && rc == 0; p++) {
		switch (*p) {
		case '\\':
			rc = buf_puts(out, "\\\\");
			break;
		case '\t':
			rc = buf_puts(out, "\\t");
			break;
		case '\n':
			rc = buf_puts(out, "\\n");
			break;
		case '\r':
			rc = buf_puts(out, "\\r");
			break;
		default:
			rc = buf_putc(out, *p);
		}
	}
	return rc;
}

/* A v6 socket may hold a folded (AF_INET) address; a v4 socket never holds
 * an IPv6 one. */
static bool family_ok(uint8_t family, const struct addr *a)
{
	if (family == AF_INET)
		return a->family == AF_INET;
	return family == AF_INET6 && (a->family == AF_INET6 || a->family == AF_INET);
}

/* Appends [before] v [after] (a 0 byte means none): the row writer runs for
 * every socket of every snapshot, where printf was the cost. */
static int put_num(struct buf *out, char before, uint64_t v, char after)
{
	int rc = buf_reserve(out, 22);
	char *p;

	if (rc < 0)
		return rc;
	p = out->data + out->len;
	if (before)
		*p++ = before;
	p += fmt_u64(p, v);
	if (after)
		*p++ = after;
	*p = '\0';
	out->len = (size_t)(p - out->data);
	return 0;
}

int sockrow_to_tsv(const struct sock_row *r, struct buf *out)
{
	size_t start = out->len;
	int rc;

	if (!family_ok(r->family, &r->local) || !family_ok(r->family, &r->remote))
		return -EINVAL;
	rc = put_word_or_num(out, sockrow_proto_name(r->proto), r->proto);
	if (rc == 0)
		rc = buf_puts(out, r->family == AF_INET ? "\t4\t" : "\t6\t");
	if (rc == 0)
		rc = put_word_or_num(out, state_word(r->proto, r->state), r->state);
	if (rc == 0)
		rc = buf_putc(out, '\t');
	if (rc == 0)
		rc = put_addr(out, &r->local);
	if (rc == 0)
		rc = put_num(out, '\t', r->lport, '\t');
	if (rc == 0)
		rc = put_addr(out, &r->remote);
	if (rc == 0)
		rc = put_num(out, '\t', r->rport, '\t');
	if (rc == 0)
		rc = put_num(out, 0, r->rxq, '\t');
	if (rc == 0)
		rc = put_num(out, 0, r->txq, '\t');
	if (rc == 0)
		rc = put_num(out, 0, r->uid, '\t');
	if (rc == 0)
		rc = put_num(out, 0, r->inode, '\t');
	if (rc == 0)
		rc = put_word_or_num(out, sockrow_timer_name(r->timer), r->timer);
	if (rc == 0)
		rc = put_num(out, '\t', r->expires_ms, '\t');
	if (rc == 0)
		rc = put_num(out, 0, r->retrans, '\t');
	if (rc == 0)
		rc = r->pid > 0 ? put_num(out, 0, (uint64_t)r->pid, '\t') : buf_puts(out, "-\t");
	if (rc == 0)
		rc = sockrow_put_escaped(out, r->program);
	if (rc == 0)
		rc = buf_putc(out, '\n');
	if (rc != 0)
		buf_truncate(out, start);
	return rc;
}

/* Canonical unsigned decimal: digits only, no leading zero, <= max. */
static int parse_dec(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	if (len > 1 && s[0] == '0')
		return -EINVAL;
	return num_parse_dec(s, len, max, v);
}

/* A name, or the decimal of a value that has no name (what to_tsv wrote). */
static int parse_word_or_num(const char *s, size_t len, int named, int (*has_name)(int, int),
			     int ctx, uint64_t *v)
{
	if (named >= 0) {
		*v = (uint64_t)named;
		return 0;
	}
	if (parse_dec(s, len, 255, v) < 0 || has_name(ctx, (int)*v))
		return -EINVAL;
	return 0;
}

static int proto_has_name(int ctx, int v)
{
	(void)ctx;
	return sockrow_proto_name(v) != NULL;
}

static int state_has_name(int proto, int v)
{
	return state_word(proto, v) != NULL;
}

static int timer_has_name(int ctx, int v)
{
	(void)ctx;
	return sockrow_timer_name(v) != NULL;
}

/* Parses a canonical address (exactly what put_addr writes) for a socket of
 * `family`; a folded IPv4 address in a v6 row becomes ::ffff:a.b.c.d again,
 * since sock_row keeps addresses as the kernel reports them. */
static int parse_addr(const char *s, size_t len, uint8_t family, struct addr *a)
{
	struct addr f;
	char txt[ADDR_STRLEN];
	size_t n;

	if (len >= ADDR_STRLEN || addr_parse(s, len, a) < 0)
		return -EINVAL;
	f = *a;
	addr_fold(&f);
	n = addr_format(&f, txt, sizeof txt);
	if (n != len || memcmp(txt, s, len) != 0)
		return -EINVAL;
	if (family == AF_INET)
		return a->family == AF_INET ? 0 : -EINVAL;
	if (a->family == AF_INET) {
		uint8_t v4[4];

		memcpy(v4, a->a, 4);
		memset(a->a, 0, sizeof a->a);
		a->a[10] = 0xff;
		a->a[11] = 0xff;
		memcpy(a->a + 12, v4, 4);
		a->family = AF_INET6;
	}
	return 0;
}

/* The program column's text unescaped onto out, or only checked (out
 * NULL). 0, -EINVAL or -ENOMEM. */
static int unescape(const char *s, size_t len, struct buf *out)
{
	int rc = out ? buf_reserve(out, len) : 0;

	for (size_t i = 0; i < len && rc == 0;) {
		size_t j = i;
		char c;

		/* the bytes that stand for themselves (nearly every name is
		 * only those), appended at once: a byte at a time was most of
		 * reading a processes section */
		while (j < len && s[j] != '\\' && s[j] != '\r' && s[j] != '\0')
			j++;
		if (j > i) {
			rc = out ? buf_append(out, s + i, j - i) : 0;
			i = j;
			continue;
		}
		if (s[i] != '\\' || ++i == len)
			return -EINVAL;   /* a CR or NUL, or a lone backslash at the end */
		switch (s[i]) {
		case '\\':
			c = '\\';
			break;
		case 't':
			c = '\t';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		default:
			return -EINVAL;
		}
		rc = out ? buf_putc(out, c) : 0;
		i++;
	}
	return rc;
}

int sockrow_get_escaped(const char *s, size_t len, struct buf *scratch, const char **prog)
{
	int rc;

	*prog = NULL;
	if (eq(s, len, "-"))
		return 0;
	buf_reset(scratch);
	if (eq(s, len, "\\-"))
		rc = buf_putc(scratch, '-');
	else
		rc = unescape(s, len, scratch);
	if (rc == 0 && scratch->data)
		scratch->data[scratch->len] = '\0';
	if (rc == 0)
		*prog = scratch->data ? scratch->data : "";
	return rc;
}

int sockrow_check_escaped(const char *s, size_t len)
{
	return eq(s, len, "\\-") ? 0 : unescape(s, len, NULL);
}

/* line[0..len) at its tabs into exactly NCOLS fields. 0, or -EINVAL with
 * *what. */
static int split_fields(const char *line, size_t len, const char *f[NCOLS], size_t fl[NCOLS],
			const char **what)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] == '\n') {
			*what = "expected one line (no newline inside a row)";
			return -EINVAL;
		}
		if (i == len || line[i] == '\t') {
			if (n == NCOLS) {
				*what = "expected 16 tab-separated fields";
				return -EINVAL;
			}
			f[n] = line + start;
			fl[n++] = i - start;
			start = i + 1;
		}
	}
	if (n != NCOLS) {
		*what = "expected 16 tab-separated fields";
		return -EINVAL;
	}
	return 0;
}

/* Columns laddr, lport, raddr, rport (out->family already set). 0, or
 * -EINVAL with *what. */
static int parse_endpoints(const char *const f[NCOLS], const size_t fl[NCOLS],
			   struct sock_row *out, const char **what)
{
	uint64_t v;

	if (parse_addr(f[3], fl[3], out->family, &out->local) < 0) {
		*what = out->family == AF_INET
			? "expected a canonical IPv4 address in column laddr"
			: "expected a canonical address (RFC 5952, IPv4-mapped folded) in column laddr";
		return -EINVAL;
	}
	if (parse_dec(f[4], fl[4], 65535, &v) < 0) {
		*what = "expected port 0..65535 in column lport";
		return -EINVAL;
	}
	out->lport = (uint16_t)v;
	if (parse_addr(f[5], fl[5], out->family, &out->remote) < 0) {
		*what = out->family == AF_INET
			? "expected a canonical IPv4 address in column raddr"
			: "expected a canonical address (RFC 5952, IPv4-mapped folded) in column raddr";
		return -EINVAL;
	}
	if (parse_dec(f[6], fl[6], 65535, &v) < 0) {
		*what = "expected port 0..65535 in column rport";
		return -EINVAL;
	}
	out->rport = (uint16_t)v;
	return 0;
}

int sockrow_from_tsv(const char *line, size_t len, struct sock_row *out,
		     struct buf *scratch, const char **what)
{
	const char *f[NCOLS];
	size_t fl[NCOLS];
	uint64_t v;
	int x;

	*what = NULL;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len == sizeof SOCKROW_TSV_HEADER - 2 &&
	    memcmp(line, SOCKROW_TSV_HEADER, len) == 0)
		return 1;
	if (split_fields(line, len, f, fl, what) < 0)
		return -EINVAL;
	memset(out, 0, sizeof *out);

	x = sockrow_proto_parse(f[0], fl[0]);
	if (parse_word_or_num(f[0], fl[0], x, proto_has_name, 0, &v) < 0) {
		*what = "expected tcp, udp, raw or an unnamed protocol number in column proto";
		return -EINVAL;
	}
	out->proto = (uint8_t)v;

	if (eq(f[1], fl[1], "4")) {
		out->family = AF_INET;
	} else if (eq(f[1], fl[1], "6")) {
		out->family = AF_INET6;
	} else {
		*what = "expected 4 or 6 in column family";
		return -EINVAL;
	}

	x = state_parse(out->proto, f[2], fl[2]);
	if (parse_word_or_num(f[2], fl[2], x, state_has_name, out->proto, &v) < 0) {
		*what = "expected a net-tools state name (UNCONN for closed UDP) or an "
			"unnamed state number in column state";
		return -EINVAL;
	}
	out->state = (uint8_t)v;

	if (parse_endpoints(f, fl, out, what) < 0)
		return -EINVAL;

	{
		static const char *const u32_what[] = {
			"expected decimal 0..4294967295 in column rxq",
			"expected decimal 0..4294967295 in column txq",
			"expected decimal 0..4294967295 in column uid",
		};
		uint32_t *dst[] = {&out->rxq, &out->txq, &out->uid};

		for (size_t i = 0; i < 3; i++) {
			if (parse_dec(f[7 + i], fl[7 + i], UINT32_MAX, &v) < 0) {
				*what = u32_what[i];
				return -EINVAL;
			}
			*dst[i] = (uint32_t)v;
		}
	}
	if (parse_dec(f[10], fl[10], UINT64_MAX, &v) < 0) {
		*what = "expected decimal 0..18446744073709551615 in column inode";
		return -EINVAL;
	}
	out->inode = v;

	x = sockrow_timer_parse(f[11], fl[11]);
	if (parse_word_or_num(f[11], fl[11], x, timer_has_name, 0, &v) < 0) {
		*what = "expected off, on, keepalive, timewait, probe or an unnamed timer "
			"number in column timer";
		return -EINVAL;
	}
	out->timer = (uint8_t)v;

	if (parse_dec(f[12], fl[12], UINT32_MAX, &v) < 0) {
		*what = "expected decimal 0..4294967295 in column expires_ms";
		return -EINVAL;
	}
	out->expires_ms = (uint32_t)v;
	if (parse_dec(f[13], fl[13], UINT32_MAX, &v) < 0) {
		*what = "expected decimal 0..4294967295 in column retrans";
		return -EINVAL;
	}
	out->retrans = (uint32_t)v;

	if (eq(f[14], fl[14], "-")) {
		out->pid = 0;
	} else if (parse_dec(f[14], fl[14], INT32_MAX, &v) < 0 || v == 0) {
		*what = "expected - or a pid 1..2147483647 in column pid";
		return -EINVAL;
	} else {
		out->pid = (int32_t)v;
	}

	x = sockrow_get_escaped(f[15], fl[15], scratch, &out->program);
	if (x == -ENOMEM)
		return x;
	if (x < 0) {
		*what = "expected -, or a program name with only \\\\ \\t \\n \\r escapes "
			"(\\- for a program named -) in column program";
		return -EINVAL;
	}
	return 0;
}
