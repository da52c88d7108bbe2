/* textfmt — the table of foreign-dump parsers, format detection (every
 * parser scores the first lines, the format with the most sure lines wins)
 * and the row helpers every parser shares. */
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "dateline.h"
#include "textfmt.h"

const struct textfmt *const textfmt_all[] = {
	&textfmt_netstat, &textfmt_ss, &textfmt_proc, &textfmt_bsd, &textfmt_windows, NULL,
};

const struct textfmt *textfmt_find(const char *name)
{
	for (size_t i = 0; textfmt_all[i]; i++)
		if (!strcmp(textfmt_all[i]->name, name))
			return textfmt_all[i];
	return NULL;
}

/* Lines looked at: enough to get past titles and a cron log's first date
 * line, few enough that detection stays cheap. */
#define DETECT_LINES 200

const struct textfmt *textfmt_detect(const char *text, size_t len)
{
	enum { N = sizeof textfmt_all / sizeof textfmt_all[0] - 1 };
	unsigned sure[N] = {0}, maybe[N] = {0};
	size_t pos = 0, best = N, second = N;
	unsigned lines = 0;

	while (pos < len && lines < DETECT_LINES) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end, l;
		usec_t t;

		/* a last line without '\n' counts too: a cut one only adds noise */
		end = nl ? (size_t)(nl - text) : len;
		l = end - pos;
		if (l > 0 && text[end - 1] == '\r')
			l--;
		lines++;
		if (l > 0 && dateline_parse(text + pos, l, &t) != 0) {
			for (size_t i = 0; i < N; i++) {
				int p = textfmt_all[i]->probe(text + pos, l);

				sure[i] += p == TEXTFMT_PROBE_SURE;
				maybe[i] += p == TEXTFMT_PROBE_MAYBE;
			}
		}
		pos = end + 1;
	}
	/* rank by sure lines, then by maybe lines */
	for (size_t i = 0; i < N; i++) {
		if (best == N || sure[i] > sure[best] ||
		    (sure[i] == sure[best] && maybe[i] > maybe[best])) {
			second = best;
			best = i;
		} else if (second == N || sure[i] > sure[second] ||
			   (sure[i] == sure[second] && maybe[i] > maybe[second])) {
			second = i;
		}
	}
	if (best == N || sure[best] == 0)
		return NULL;
	if (second != N && sure[second] == sure[best] && maybe[second] == maybe[best])
		return NULL;   /* a tie: refuse to guess */
	return textfmt_all[best];
}

int textfmt_emit(const struct row_sink *sink, size_t lineno, const char *why,
		 const struct sock_row *r)
{
	if (why) {
		sink->bad(sink->ctx, lineno, why);
		return 0;
	}
	return sink->row(sink->ctx, r);
}

int textfmt_end_nothing(void *state, const struct row_sink *sink)
{
	(void)state;
	(void)sink;
	return 0;
}

void textfmt_row_init(struct sock_row *r)
{
	memset(r, 0, sizeof *r);
	r->unknown = SOCKROW_UNKNOWN_ALL;
}

void textfmt_skipped_add(struct textfmt_skipped *sk, const char *name, size_t len)
{
	size_t need = len + (sk->len ? 2 : 0);
	const char *p = sk->text;

	if (len == 0 || len > 32)
		return;   /* no column is named so long: not a header word */
	/* already there: as a whole item */
	while ((p = memmem(p, sk->len - (size_t)(p - sk->text), name, len)) != NULL) {
		if ((p == sk->text || p[-1] == ' ') &&
		    (p + len == sk->text + sk->len || p[len] == ','))
			return;
		p++;
	}
	if (sk->len >= 3 && memcmp(sk->text + sk->len - 3, "...", 3) == 0)
		return;
	if (sk->len + need + 1 > sizeof sk->text) {
		if (sk->len + 6 < sizeof sk->text) {
			memcpy(sk->text + sk->len, sk->len ? ", ..." : "...", sk->len ? 6 : 4);
			sk->len += sk->len ? 5 : 3;
		}
		return;
	}
	if (sk->len) {
		memcpy(sk->text + sk->len, ", ", 2);
		sk->len += 2;
	}
	/* a dump's header is hostile text like the rest: only printable
	 * ASCII reaches the warning */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		sk->text[sk->len++] = c > ' ' && c < 0x7f ? (char)c : '?';
	}
	sk->text[sk->len] = '\0';
}

void textfmt_keep_names(const struct hostport_names *nm, char *host, const char **hostp,
			uint8_t *named)
{
	size_t l;

	if (nm->port_named)
		*named |= SOCKROW_NAMED_PORT;
	if (!nm->host)
		return;
	l = nm->hostlen < TEXTFMT_HOST_MAX - 1 ? nm->hostlen : TEXTFMT_HOST_MAX - 1;
	memcpy(host, nm->host, l);
	host[l] = '\0';
	*hostp = host;
	*named |= SOCKROW_NAMED_HOST;
}

void textfmt_settle_family(struct sock_row *r)
{
	bool upgraded = false;

	if (r->family == AF_INET && (r->local.family == AF_INET6 || r->remote.family == AF_INET6)) {
		r->family = AF_INET6;
		upgraded = true;
	}
	if (r->family != AF_INET6)
		return;
	for (int i = 0; i < 2; i++) {
		struct addr *a = i ? &r->remote : &r->local;

		if (a->family != AF_INET)
			continue;
		if (upgraded && addr_is_unspecified(a)) {
			memset(a, 0, sizeof *a);
			a->family = AF_INET6;
		} else {
			addr_unfold(a);
		}
	}
}
