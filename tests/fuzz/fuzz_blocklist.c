/* fuzz_blocklist — fuzzed dumps imported into an in-memory database and
 * turned into a block-list in every format: each firewall file fits the
 * strict grammar (blockgrammar.h) and names only networks the rails allow,
 * every format agrees on the networks, CSV and JSON rows are well formed and
 * equal, and no text of the dump reaches any output or the explanation. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blockgrammar.h"
#include "db.h"
#include "filter.h"
#include "fuzzdb.h"
#include "import.h"
#include "report_blocklist.h"
#include "utctime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a 2-byte header choosing the parameters, then the file's bytes.
 *   h0: bits 0-1 --min-conns (min_conns[]: 0 is the baseline's threshold),
 *       bits 2-4 --min-hosts 1..8, bits 5-7 --spread (spread[])
 *   h1: bits 0-2 --prefix (prefix4[]), bits 3-4 --prefix6 (prefix6[]),
 *       bit 5 --include-private, bit 6 --max-prefix 8 --max-prefix6 16
 *       (else the defaults 16 and 32), bit 7 --allow ALLOW4 --allow ALLOW6
 *       and --ttl 1h
 * A prefix keeps one file minimizable with its options.
 *
 * Seeds (corpus/blocklist/): small netstat, ss and /proc dumps from
 * tests/data, history.awk's first 60 kB, and the hostile netstat and ss
 * dumps of tests/integration/blocklist_hostile.sh.
 */
#define HDR 2
#define MAX_FILE (64 * 1024)
/* --at of the import: dumps without a date line are at AT */
#define AT ((usec_t)1795608000 * USEC_PER_SEC) /* 2026-11-25T12:00:00Z */
#define ALLOW4 "203.0.113.128/25"
#define ALLOW6 "2001:db8:a::/48"
#define NCOLS 17

static const uint32_t min_conns[] = {0, 1, 2, 5};
static const uint32_t spread[] = {1, 2, 3, 4, 8, 16, 32, 64};
static const unsigned prefix4[] = {24, 8, 16, 20, 22, 28, 31, 32};
static const unsigned prefix6[] = {64, 16, 48, 128};

static const char *const formats[] = {"plain", "iptables", "ip6tables", "nft",
				      "ipset", "csv",      "json"};
enum { F_PLAIN, F_IPT, F_IP6T, F_NFT, F_IPSET, F_CSV, F_JSON, NFMT };

static const char *const colnames[NCOLS] = {
	"cidr",      "action",   "score",   "pattern", "hosts",       "alike",
	"peak",      "peak_time", "syn_recv", "established", "closing", "present",
	"snapshots", "share",    "first",   "last",    "why",
};
/* JSON: the columns written as bare numbers */
static const bool numeric[NCOLS] = {false, false, true, false, true, true, true, false, true,
				    true,  true,  true, true,  true, false, false, false};

/*
 * The words the explanation and the why cells are made of (report_blocklist.c,
 * blocklist.c, blockrail.c), besides numbers, canonical addresses and times.
 * A word from a dump is not among them: that is the point. A new word in
 * those texts belongs here.
 */
static const char *const vocabulary[] = {
	"a", "accept", "ack", "address", "advise", "alike", "all", "allow", "an", "and", "are",
	"assignments", "at", "backlog", "behave", "below", "block", "blocked", "blocking",
	"broadcast", "burst", "came", "CGNAT", "chain", "churn", "closing", "compare",
	"compatible", "completed", "connection", "connections", "conns", "cookies", "core",
	"dport", "drop", "e", "embeds", "established", "evidence", "f", "few", "fewer", "file",
	"filter", "fin", "first", "flags", "flood", "flooded", "floor", "for", "format", "from",
	"futile", "g", "handshake", "has", "have", "held", "here", "holds", "hook", "host",
	"hosts", "IETF", "in", "include", "inet", "input", "instead", "ip", "ipset", "iptables",
	"ipv", "is", "its", "left", "legitimate", "like", "likely", "limit", "limits", "link",
	"local", "look", "looks", "loopback", "made", "mapped", "max", "median", "min", "mixed",
	"more", "most", "multicast", "NAT", "near", "net", "network", "networks", "new", "nft",
	"no", "not", "note", "nothing", "of", "off", "on", "one", "only", "or", "out", "over",
	"overlaps", "own", "packets", "part", "pattern", "peak", "peer", "peers", "per", "policy",
	"ports", "prefix", "present", "priority", "private", "protocol", "quarter", "quiet",
	"rate", "recv", "reserved", "retries", "RFC", "rst", "rule", "s", "score", "second", "set",
	"share", "shared", "sigma", "skip", "snapshot", "snapshots", "socket", "sockets",
	"sockscope", "somaxconn", "source", "sources", "space", "spoofed", "spread", "subnet",
	"syn", "synack", "syncookies", "synlimit", "sysctl", "table", "tables", "tcp", "than",
	"that", "the", "them", "this", "threshold", "time", "times", "to", "type", "ULA", "unique",
	"unspecified", "up", "use", "usual", "w", "was", "when", "wider", "with", "x", "your",
	/* peers known by name only (analyzer/query/named.c) */
	"had", "known", "by", "name", "names", "dump", "saved", "without", "n", "none", "can",
	"become", "grouped", "never", "resolved", "save", "netstat", "ss", "output", "get",
	"addresses", "explain", "lists", "gives",
};

/* Never blocked, whatever the options (docs/BLOCKLIST.md), and the private
 * ranges blocked only with --include-private: written apart from
 * blockrail.c's table. */
static const char *const never[] = {
	"127.0.0.0/8",    "::1/128",     "0.0.0.0/8", "::/128",   "169.254.0.0/16",
	"fe80::/10",      "224.0.0.0/4", "ff00::/8",  "255.255.255.255/32",
	"240.0.0.0/4",    "192.0.0.0/24",
};
static const char *const private_nets[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7",
};

struct setup {
	const uint8_t *dump;     /* the file's bytes */
	size_t dumplen;
	struct report_blocklist_opts o;
	struct blockrail rails;
	struct cidr allow4, allow6;
	bool allow;
};

/* One format's run. */
struct run {
	long rc;
	char *out, *why;
	size_t outlen, whylen;
	char err[256];
};

/* A CSV or JSON row: its cells (NUL-terminated; "" for none, JSON's null). */
struct row {
	char *cell[NCOLS];
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static _Noreturn void fail(const struct setup *s, const char *what, const char *detail)
{
	fprintf(stderr,
		"fuzz_blocklist: %s%s%s\n  setup: min_conns %u min_hosts %u spread %u prefix %u "
		"prefix6 %u include_private %d max_prefix %u/%u allow %d ttl %u\n",
		what, detail ? ": " : "", detail ? detail : "", s->o.p.min_conns, s->o.p.min_hosts,
		s->o.p.spread, s->o.p.prefix4, s->o.p.prefix6, s->rails.include_private,
		s->rails.max_prefix4, s->rails.max_prefix6, s->allow, s->o.ttl);
	abort();
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

static void setup_of(const uint8_t *h, struct setup *s)
{
	memset(s, 0, sizeof *s);
	blocklist_params_default(&s->o.p);
	s->o.p.min_conns = min_conns[h[0] & 3];
	s->o.p.min_hosts = (h[0] >> 2 & 7) + 1u;
	s->o.p.spread = spread[h[0] >> 5];
	s->o.p.prefix4 = prefix4[h[1] & 7];
	s->o.p.prefix6 = prefix6[h[1] >> 3 & 3];
	s->o.explain = true;
	s->o.now = AT;
	blockrail_init(&s->rails);
	s->rails.include_private = h[1] & 0x20;
	if (h[1] & 0x40) {
		s->rails.max_prefix4 = 8;
		s->rails.max_prefix6 = 16;
	}
	if (cidr_parse(ALLOW4, strlen(ALLOW4), &s->allow4) < 0 ||
	    cidr_parse(ALLOW6, strlen(ALLOW6), &s->allow6) < 0)
		abort();
	s->allow = h[1] & 0x80;
	if (s->allow) {
		if (blockrail_allow(&s->rails, &s->allow4) < 0 ||
		    blockrail_allow(&s->rails, &s->allow6) < 0)
			abort();
		s->o.ttl = 3600;
	}
}


/* ---- text checks --------------------------------------------------------- */

/* Printable ASCII, tab and newline only; none of a shell's active
 * characters (no fixed text has them; JSON escapes a quote with a
 * backslash); ends in a newline when not empty. */
static void clean_text(const struct setup *s, const char *what, const char *p, size_t len)
{
	bool json = !strcmp(what, "json");

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t'))
			fail(s, what, "a byte outside printable ASCII, tab and newline");
		if (c == '$' || c == '`' || (c == '\\' && !json) || c == '!' || c == '~' ||
		    c == '^')
			fail(s, what, "a shell-active character");
	}
	if (memmem(p, len, ";rm", 3) || memmem(p, len, "$(", 2))
		fail(s, what, "a hostile marker");
	if (len && p[len - 1] != '\n')
		fail(s, what, "no newline at the end");
}

/* Letters equal but for case. A loop, not strncasecmp: libFuzzer would
 * put the words compared into its inputs (see words_only). */
static bool same_word(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((a[i] | 0x20) != (b[i] | 0x20))
			return false;
	return true;
}

static bool is_word(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof vocabulary / sizeof vocabulary[0]; i++)
		if (strlen(vocabulary[i]) == n && same_word(vocabulary[i], w, n))
			return true;
	return false;
}

/* The word w[0..n) is in the dump, in any case. */
static bool in_dump(const struct setup *s, const char *w, size_t n)
{
	for (size_t i = 0; n && i + n <= s->dumplen; i++)
		if (same_word((const char *)s->dump + i, w, n))
			return true;
	return false;
}

/* A canonical address or network, or a time as utctime_format writes it. */
static bool is_value(const char *t, size_t n)
{
	char back[CIDR_STRLEN > UTCTIME_STRLEN ? CIDR_STRLEN : UTCTIME_STRLEN];
	struct addr a;
	struct cidr c;
	usec_t u;

	if (n == 0 || n >= sizeof back)
		return false;
	if (addr_parse(t, n, &a) == 0)
		return addr_format(&a, back, sizeof back) == n && !memcmp(back, t, n);
	if (memchr(t, '/', n) && cidr_parse(t, n, &c) == 0)
		return cidr_format(&c, back, sizeof back) == n && !memcmp(back, t, n);
	if (utctime_parse(t, n, &u) == 0)
		return utctime_format(u, 0, back, sizeof back) == n && !memcmp(back, t, n);
	return false;
}

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '.' || c == '/' || c == '_' || c == '-';
}

/*
 * Free text made of the vocabulary, numbers, canonical addresses and
 * networks and times: a token that is not a value (with or without trailing
 * sentence punctuation) is checked word by word, and a word outside the
 * vocabulary must not be in the dump: then it came from the dump. (A word
 * of sockscope's own that is missing from the vocabulary only fails when a
 * dump holds it too: rarely, so texts may change without this target.)
 */
static void words_only(const struct setup *s, const char *what, const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t a = i, n;
		bool ok = false;

		if (!token_char(p[i])) {
			i++;
			continue;
		}
		while (i < len && token_char(p[i]))
			i++;
		for (n = i - a; n > 0; n--) {
			if (is_value(p + a, n)) {
				ok = true;
				break;
			}
			if (p[a + n - 1] != '.' && p[a + n - 1] != ':')
				break;
		}
		for (size_t k = a; !ok && k < i;) {
			size_t w = k;

			while (w < i && (((unsigned char)p[w] | 0x20) >= 'a' &&
					 ((unsigned char)p[w] | 0x20) <= 'z'))
				w++;
			if (w > k && !is_word(p + k, w - k) && in_dump(s, p + k, w - k)) {
				char msg[400];

				snprintf(msg, sizeof msg,
					 "word \"%.*s\" of the dump in the output (or a new word of "
					 "sockscope's: add it to the vocabulary), in \"%.*s\"",
					 (int)(w - k < 40 ? w - k : 40), p + k,
					 (int)(len < 240 ? len : 240), p);
				fail(s, what, msg);
			}
			k = w > k ? w : k + 1;
		}
	}
}

/* The explanation: lines of known kinds, made of the vocabulary. */
static void check_why(const struct setup *s, const char *what, const char *p, size_t len)
{
	static const char *const kinds[] = {
		"evidence: ", "threshold: ", "block ",      "not blocked ", "no peer or subnet ",
		"spoofed: ",  "The sources ", "and limit ", "  ",          "note: ",
		"named: ",
	};

	clean_text(s, what, p, len);
	for (size_t i = 0; i < len;) {
		const char *l = p + i, *nl = memchr(l, '\n', len - i);
		size_t n = (size_t)(nl - l), k;

		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (n >= strlen(kinds[k]) && !memcmp(l, kinds[k], strlen(kinds[k])))
				break;
		if (k == sizeof kinds / sizeof kinds[0]) {
			char msg[128];

			snprintf(msg, sizeof msg, "a line of no known kind: \"%.*s\"",
				 (int)(n < 80 ? n : 80), l);
			fail(s, what, msg);
		}
		/* "  name HOST  peak ...": HOST is the dump's, by design (a peer
		 * known by name only); it must be a host name the parser took */
		if (n > 7 && !memcmp(l, "  name ", 7)) {
			const char *h = l + 7, *e = memchr(h, ' ', n - 7);
			size_t hl = e ? (size_t)(e - h) : n - 7;

			if (hl == 0 || hl > 253 || !in_dump(s, h, hl))
				fail(s, what, "a named peer that is not the dump's");
			for (size_t c = 0; c < hl; c++)
				if (!((h[c] | 0x20) >= 'a' && (h[c] | 0x20) <= 'z') &&
				    !(h[c] >= '0' && h[c] <= '9') && h[c] != '-' && h[c] != '_' &&
				    h[c] != '.')
					fail(s, what, "a named peer that is no host name");
			words_only(s, what, h + hl, n - 7 - hl);
			i += n + 1;
			continue;
		}
		words_only(s, what, l, n);
		i += n + 1;
	}
}

/* ---- CSV and JSON -------------------------------------------------------- */

static struct row *row_add(struct rows *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	memset(&r->v[r->n], 0, sizeof r->v[r->n]);
	return &r->v[r->n++];
}

static void rows_fini(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t c = 0; c < NCOLS; c++)
			free(r->v[i].cell[c]);
	free(r->v);
	memset(r, 0, sizeof *r);
}

static char *dup_n(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* RFC 4180 as output.c writes it: a field quoted when it must be, "" for a
 * quote inside; a row per line (no cell holds a line break). */
static void parse_csv(const struct setup *s, char *p, size_t len, struct rows *out)
{
	static const char header[] = "cidr,action,score,pattern,hosts,alike,peak,peak_time,"
				     "syn_recv,established,closing,present,snapshots,share,first,"
				     "last,why\n";
	char *end = p + len;

	if (len < sizeof header - 1 || memcmp(p, header, sizeof header - 1))
		fail(s, "csv", "not the header");
	p += sizeof header - 1;
	while (p < end) {
		struct row *r = row_add(out);

		for (size_t c = 0; c < NCOLS; c++) {
			char *cell = malloc((size_t)(end - p) + 1);
			size_t n = 0;

			if (!cell)
				abort();
			if (p < end && *p == '"') {
				for (p++;; p++) {
					if (p == end || *p == '\n')
						fail(s, "csv", "an open quote");
					if (*p == '"') {
						if (p + 1 < end && p[1] == '"') {
							cell[n++] = *p++;
							continue;
						}
						p++;
						break;
					}
					cell[n++] = *p;
				}
			} else {
				while (p < end && *p != ',' && *p != '\n') {
					if (*p == '"')
						fail(s, "csv", "a quote inside an unquoted field");
					cell[n++] = *p++;
				}
			}
			cell[n] = '\0';
			r->cell[c] = cell;
			if (p == end)
				fail(s, "csv", "a row without its line end");
			if (c + 1 < NCOLS && *p++ != ',')
				fail(s, "csv", "a row of fewer than 17 fields");
			if (c + 1 == NCOLS && *p++ != '\n')
				fail(s, "csv", "a row of more than 17 fields");
		}
	}
}

/* RFC 8259 number grammar. */
static size_t json_number_len(const char *p)
{
	const char *q = p;

	if (*q == '-')
		q++;
	if (*q == '0')
		q++;
	else if (*q >= '1' && *q <= '9')
		while (*q >= '0' && *q <= '9')
			q++;
	else
		return 0;
	if (*q == '.') {
		if (!(q[1] >= '0' && q[1] <= '9'))
			return 0;
		for (q++; *q >= '0' && *q <= '9'; q++)
			;
	}
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9'))
			return 0;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	return (size_t)(q - p);
}

/* A JSON string at *pp (no \u: no cell of ours holds a control
 * character); decoded into a new cell. */
static char *json_str(const struct setup *s, const char **pp)
{
	const char *p = *pp;
	char *d = malloc(strlen(p) + 1);
	size_t n = 0;

	if (!d)
		abort();
	if (*p++ != '"')
		fail(s, "json", "expected a string");
	for (; *p != '"'; p++) {
		if (!*p)
			fail(s, "json", "an open string");
		if (*p != '\\') {
			d[n++] = *p;
			continue;
		}
		p++;
		if (*p == '"' || *p == '\\' || *p == '/')
			d[n++] = *p;
		else
			fail(s, "json", "an escape other than \\\" \\\\ \\/");
	}
	d[n] = '\0';
	*pp = p + 1;
	return d;
}

/* Each line one object: the 17 keys in order, strings or null for text,
 * bare numbers or null for numbers. */
static void parse_json(const struct setup *s, char *p, size_t len, struct rows *out)
{
	char *end = p + len;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		struct row *r = row_add(out);

		*nl = '\0';
		if (strncmp(q, "{\"cidr\":", 8))
			fail(s, "json", "a line not starting with {\"cidr\":");
		q++;
		for (size_t c = 0; c < NCOLS; c++) {
			char *key = json_str(s, &q);
			size_t n;

			if (strcmp(key, colnames[c]))
				fail(s, "json", "a key out of order");
			free(key);
			if (*q++ != ':')
				fail(s, "json", "no ':' after a key");
			if (!strncmp(q, "null", 4)) {
				r->cell[c] = dup_n("", 0);
				q += 4;
			} else if (numeric[c]) {
				if (!(n = json_number_len(q)))
					fail(s, "json", "a numeric column not a number");
				r->cell[c] = dup_n(q, n);
				q += n;
			} else {
				r->cell[c] = json_str(s, &q);
			}
			if (*q++ != (c + 1 < NCOLS ? ',' : '}'))
				fail(s, "json", "bad separator");
		}
		if (*q)
			fail(s, "json", "text after the object");
		p = nl + 1;
	}
}

static bool digits(const char *t)
{
	if (!*t || (t[0] == '0' && t[1]))
		return false;
	for (; *t; t++)
		if (*t < '0' || *t > '9')
			return false;
	return true;
}

static uint64_t num(const char *t)
{
	return strtoull(t, NULL, 10);
}

/* d+.d{places}, at most 100 */
static bool fixed(const char *t, unsigned places)
{
	const char *dot = strchr(t, '.');

	if (!dot || strlen(dot + 1) != places || dot == t)
		return false;
	for (const char *c = t; *c; c++)
		if (c != dot && (*c < '0' || *c > '9'))
			return false;
	if (dot - t > 1 && t[0] == '0')
		return false;
	return strtod(t, NULL) <= 100.0;
}

static usec_t time_of(const struct setup *s, const char *t)
{
	usec_t u;

	if (!is_value(t, strlen(t)) || utctime_parse(t, strlen(t), &u) < 0)
		fail(s, "rows", "a time field not a time");
	return u;
}

static bool one_of(const char *t, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t, set[i]))
			return true;
	return false;
}

/* Rows: blocks (by score), then near misses, then at most one advice. */
static void check_rows(const struct setup *s, const struct rows *rs, long nblock,
		       long long nsnaps)
{
	static const char *const patterns[] = {"syn-flood", "held", "churn", "mixed"};
	static const int ints[] = {4, 5, 6, 8, 9, 10, 11, 12};
	long blocks = 0;
	int phase = 0;
	double last_score = 101;

	for (size_t i = 0; i < rs->n; i++) {
		char *const *c = rs->v[i].cell;
		struct cidr net;
		bool advise = !strcmp(c[1], "advise");
		int ph = !strcmp(c[1], "block") ? 0 : !strcmp(c[1], "skip") ? 1 : advise ? 2 : -1;

		if (ph < 0)
			fail(s, "rows", "an action other than block, skip, advise");
		if (ph < phase || (phase == 2 && ph == 2))
			fail(s, "rows", "rows out of order");
		phase = ph;
		for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
			if (!(advise && (ints[k] == 9 || ints[k] == 10 || ints[k] == 11)) &&
			    !digits(c[ints[k]]))
				fail(s, "rows", "a count not a number");
		if (!digits(c[12]) || (long long)num(c[12]) != nsnaps)
			fail(s, "rows", "snapshots is not the number of snapshots");
		words_only(s, "rows: why", c[16], strlen(c[16]));
		if (advise) {
			if (*c[0] || *c[2] || strcmp(c[3], "spoofed") || *c[9] || *c[10] ||
			    *c[11] || *c[13] || !*c[16])
				fail(s, "rows", "a malformed advice row");
			time_of(s, c[7]);
			if (time_of(s, c[14]) > time_of(s, c[15]))
				fail(s, "rows", "advice: first after last");
			continue;
		}
		bg_canonical(c[0], strlen(c[0]), &net);
		if (!fixed(c[2], 1) || !fixed(c[13], 3))
			fail(s, "rows", "a score or share not a number of 0..100");
		if (!one_of(c[3], patterns, sizeof patterns / sizeof patterns[0]))
			fail(s, "rows", "an unknown pattern");
		if (num(c[11]) < 1 || num(c[11]) > num(c[12]))
			fail(s, "rows", "present outside 1..snapshots");
		if (num(c[8]) + num(c[9]) + num(c[10]) > num(c[6]))
			fail(s, "rows", "more sockets by state than at the peak");
		if (time_of(s, c[14]) > time_of(s, c[7]) || time_of(s, c[7]) > time_of(s, c[15]))
			fail(s, "rows", "peak_time outside first..last");
		if (ph == 0) {
			if (*c[16])
				fail(s, "rows", "a block with a why");
			if (strtod(c[2], NULL) > last_score)
				fail(s, "rows", "blocks not by score");
			last_score = strtod(c[2], NULL);
			blocks++;
		} else if (!*c[16]) {
			fail(s, "rows", "a near miss without its why");
		}
	}
	if (blocks != nblock)
		fail(s, "rows", "block rows are not the networks recommended");
}

/* ---- the networks -------------------------------------------------------- */

static bool overlaps(const struct cidr *x, const struct cidr *y)
{
	const struct cidr *wide = x->prefix <= y->prefix ? x : y, *narrow = wide == x ? y : x;
	struct addr a = narrow->addr;

	if (x->addr.family != y->addr.family)
		return false;
	addr_mask(&a, wide->prefix);
	return !memcmp(&a, &wide->addr, sizeof a);
}

static bool overlaps_any(const struct cidr *c, const char *const *nets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cidr r;

		if (cidr_parse(nets[i], strlen(nets[i]), &r) < 0)
			abort();
		if (overlaps(c, &r))
			return true;
	}
	return false;
}

/* The IPv4 network an IPv6 one carries when it overlaps an embedding
 * (docs/BLOCKLIST.md): NAT64 64:ff9b::/96, IPv4-compatible ::/96 and
 * IPv4-mapped ::ffff:0:0/96 in the last 32 bits, 6to4 2002::/16 in bits
 * 16..47; all of IPv4 when the network is as wide as the embedding. Written
 * apart from blockrail.c: byte arithmetic instead of its bit loop. */
static bool carried_v4(const struct cidr *c, struct cidr *v4)
{
	static const struct {
		uint8_t pre[12];
		unsigned len, at; /* prefix bytes, where the IPv4 address starts */
	} emb[] = {
		{{0x00, 0x64, 0xff, 0x9b}, 12, 12},
		{{0}, 12, 12},
		{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 12, 12},
		{{0x20, 0x02}, 2, 2},
	};

	if (c->addr.family != AF_INET6)
		return false;
	for (size_t i = 0; i < sizeof emb / sizeof emb[0]; i++) {
		struct cidr e = {.addr = {.family = AF_INET6}, .prefix = (uint8_t)(emb[i].len * 8)};
		unsigned fixed;

		memcpy(e.addr.a, emb[i].pre, emb[i].len);
		if (!overlaps(c, &e))
			continue;
		memset(v4, 0, sizeof *v4);
		v4->addr.family = AF_INET;
		fixed = c->prefix > e.prefix ? c->prefix - e.prefix : 0;
		v4->prefix = (uint8_t)(fixed > 32 ? 32 : fixed);
		if (v4->prefix) {
			memcpy(v4->addr.a, c->addr.a + emb[i].at, 4);
			addr_mask(&v4->addr, v4->prefix);
		}
		return true;
	}
	return false;
}

/* The rails, written apart from blockrail.c, hold for c (or what it carries). */
static void check_oracle(const struct setup *s, const char *text, const struct cidr *c,
			 const struct addr *own, size_t nown)
{
	if (overlaps_any(c, never, sizeof never / sizeof never[0]))
		fail(s, text, "loopback, unspecified, link-local, multicast, broadcast or reserved");
	if (!s->rails.include_private &&
	    overlaps_any(c, private_nets, sizeof private_nets / sizeof private_nets[0]))
		fail(s, text, "private without --include-private");
	if (c->prefix < (c->addr.family == AF_INET ? s->rails.max_prefix4 : s->rails.max_prefix6))
		fail(s, text, "wider than --max-prefix");
	if (s->allow && (overlaps(c, &s->allow4) || overlaps(c, &s->allow6)))
		fail(s, text, "overlaps --allow");
	for (size_t k = 0; k < nown; k++) {
		struct cidr h = {own[k], (uint8_t)addr_maxprefix(&own[k])};

		if (!addr_is_unspecified(&h.addr) && overlaps(c, &h))
			fail(s, text, "holds the host's own address");
	}
}

/* Every network recommended passes the rails, and this oracle of them. */
static void check_rails(const struct setup *s, sqlite3 *db, const struct bg_net *v, size_t n)
{
	sqlite3_stmt *st;
	struct addr *own = NULL;
	size_t nown = 0;
	char buf[160], text[CIDR_STRLEN];

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT laddr FROM sockets", -1, &st, NULL) !=
	    SQLITE_OK)
		abort();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		struct addr a;

		if (!t || addr_parse(t, strlen(t), &a) < 0)
			continue;
		addr_fold(&a);
		own = xrealloc(own, (nown + 1) * sizeof *own);
		own[nown++] = a;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		const struct cidr *c = &v[i].net;
		const char *why = blockrail_check(&s->rails, c, buf, sizeof buf);
		struct cidr v4;

		cidr_format(c, text, sizeof text);
		if (why)
			fail(s, text, why);
		check_oracle(s, text, c, own, nown);
		/* an IPv6 network carrying IPv4 is held to the IPv4 rails too */
		if (carried_v4(c, &v4))
			check_oracle(s, text, &v4, own, nown);
	}
	free(own);
}

static int net_cmp(const void *x, const void *y)
{
	const struct bg_net *a = x, *b = y;
	int c = addr_cmp(&a->net.addr, &b->net.addr);

	return c ? c : (a->net.prefix > b->net.prefix) - (a->net.prefix < b->net.prefix);
}

/* got holds exactly plain's networks of family fam (0: all), any order. */
static void same_networks(const struct setup *s, const char *what, const struct bg *g,
			  const struct bg *plain, int fam)
{
	struct bg_net *a = xrealloc(NULL, plain->ngot * sizeof *a);
	struct bg_net *b = xrealloc(NULL, g->ngot * sizeof *b);
	size_t na = 0;

	for (size_t i = 0; i < plain->ngot; i++)
		if (!fam || plain->got[i].net.addr.family == fam)
			a[na++] = plain->got[i];
	if (g->ngot)
		memcpy(b, g->got, g->ngot * sizeof *b);
	if (na != g->ngot)
		fail(s, what, "not the plain list's networks (count)");
	qsort(a, na, sizeof *a, net_cmp);
	qsort(b, na, sizeof *b, net_cmp);
	for (size_t i = 0; i < na; i++)
		if (net_cmp(&a[i], &b[i]))
			fail(s, what, "not the plain list's networks");
	free(a);
	free(b);
}

/* ---- the run ------------------------------------------------------------- */

static void run_format(sqlite3 *db, struct setup *s, int k, struct run *r)
{
	struct scan_src src = {0};
	struct filter f;
	FILE *out, *why;

	memset(r, 0, sizeof *r);
	if (report_blocklist_format_parse(formats[k], &s->o) < 0)
		abort();
	filter_init(&f);
	src.db = db;
	src.threads = 1;
	out = open_memstream(&r->out, &r->outlen);
	why = open_memstream(&r->why, &r->whylen);
	if (!out || !why)
		abort();
	s->o.why = why;
	r->rc = report_blocklist(&src, &f, &s->rails, &s->o, out, r->err, sizeof r->err);
	s->o.why = NULL;
	if (fclose(out) != 0 || fclose(why) != 0)
		abort();
}

/* The explanation without notes: the same for every format. */
static bool same_but_notes(const char *a, size_t na, const char *b, size_t nb)
{
	size_t la, lb;

	for (;;) {
		while (na >= 6 && !memcmp(a, "note: ", 6)) {
			const char *nl = memchr(a, '\n', na);

			na -= (size_t)(nl - a) + 1;
			a = nl + 1;
		}
		while (nb >= 6 && !memcmp(b, "note: ", 6)) {
			const char *nl = memchr(b, '\n', nb);

			nb -= (size_t)(nl - b) + 1;
			b = nl + 1;
		}
		if (!na || !nb)
			return na == nb;
		la = (size_t)((const char *)memchr(a, '\n', na) - a) + 1;
		lb = (size_t)((const char *)memchr(b, '\n', nb) - b) + 1;
		if (la != lb || memcmp(a, b, la))
			return false;
		a += la;
		b += lb;
		na -= la;
		nb -= lb;
	}
}

/* "block NET, ..." lines in the explanation name the block rows in order. */
static void why_names_rows(const struct setup *s, const char *p, size_t len, const struct rows *rs,
			   long nblock)
{
	long k = 0;

	for (size_t i = 0; i < len;) {
		const char *l = p + i, *nl = memchr(l, '\n', len - i), *comma;

		if ((size_t)(nl - l) > 6 && !memcmp(l, "block ", 6)) {
			size_t n;

			comma = memchr(l + 6, ',', (size_t)(nl - l) - 6);
			n = comma ? (size_t)(comma - l - 6) : 0;
			if (!comma || k >= nblock || strlen(rs->v[k].cell[0]) != n ||
			    memcmp(rs->v[k].cell[0], l + 6, n))
				fail(s, "why", "a block line not naming the next block row");
			k++;
		}
		i += (size_t)(nl - l) + 1;
	}
	if (k != nblock)
		fail(s, "why", "not every block explained");
}

static bool has_note(const struct run *r)
{
	return memmem(r->why, r->whylen, "\nnote: ", 7) ||
	       (r->whylen >= 6 && !memcmp(r->why, "note: ", 6));
}

static void check_all(sqlite3 *db, struct setup *s, struct run *r, long long nsnaps)
{
	struct bg g[NFMT];
	struct rows csv = {0}, json = {0};
	long ret = r[0].rc, n4 = 0, n6 = 0;

	for (int k = 0; k < NFMT; k++) {
		if (r[k].rc != ret)
			fail(s, formats[k], "a return value unlike plain's");
		clean_text(s, formats[k], r[k].out, r[k].outlen);
	}
	if (ret == -ENODATA) {
		if (nsnaps != 0)
			fail(s, "plain", "no snapshot matches, but the database has some");
		for (int k = 0; k < NFMT; k++)
			if (r[k].outlen || r[k].whylen)
				fail(s, formats[k], "output without a snapshot");
		return;
	}
	if (ret < 0)
		fail(s, "plain", r[0].err);
	if (nsnaps <= 0)
		fail(s, "plain", "a list without snapshots");

	memset(g, 0, sizeof g);
	g[F_PLAIN].fmt = BLOCKFMT_PLAIN;
	bg_check(&g[F_PLAIN], r[F_PLAIN].out, r[F_PLAIN].outlen, ret);
	for (size_t i = 0; i < g[F_PLAIN].ngot; i++) {
		n4 += g[F_PLAIN].got[i].net.addr.family == AF_INET;
		n6 += g[F_PLAIN].got[i].net.addr.family == AF_INET6;
	}
	if (n4 + n6 != ret)
		abort();
	check_rails(s, db, g[F_PLAIN].got, g[F_PLAIN].ngot);
	for (int k = F_IPT; k <= F_IPSET; k++) {
		static const enum blockfmt bf[] = {BLOCKFMT_PLAIN, BLOCKFMT_IPTABLES, BLOCKFMT_IP6TABLES, BLOCKFMT_NFT,
						       BLOCKFMT_IPSET};
		long want = k == F_IPT ? n4 : k == F_IP6T ? n6 : ret;

		g[k].fmt = bf[k];
		g[k].ttl = k == F_NFT || k == F_IPSET ? s->o.ttl : 0;
		bg_check(&g[k], r[k].out, r[k].outlen, want);
		same_networks(s, formats[k], &g[k], &g[F_PLAIN],
			      k == F_IPT ? AF_INET : k == F_IP6T ? AF_INET6 : 0);
	}

	/* CSV and JSON: the same rows; the blocks are plain's list, in order */
	parse_csv(s, r[F_CSV].out, r[F_CSV].outlen, &csv);
	parse_json(s, r[F_JSON].out, r[F_JSON].outlen, &json);
	if (csv.n != json.n)
		fail(s, "json", "not as many rows as csv");
	for (size_t i = 0; i < csv.n; i++)
		for (size_t c = 0; c < NCOLS; c++)
			if (strcmp(csv.v[i].cell[c], json.v[i].cell[c]))
				fail(s, "json", "a cell unlike csv's");
	check_rows(s, &csv, ret, nsnaps);
	for (long i = 0; i < ret; i++) {
		char text[CIDR_STRLEN];

		cidr_format(&g[F_PLAIN].got[i].net, text, sizeof text);
		if (strcmp(text, csv.v[i].cell[0]))
			fail(s, "csv", "block rows unlike the plain list");
	}
	/* the firewall comments' scores are the rows' */
	for (int k = F_IPT; k <= F_IP6T; k++)
		for (size_t i = 0; i < g[k].ngot; i++) {
			char text[CIDR_STRLEN], want[16];
			size_t j;

			cidr_format(&g[k].got[i].net, text, sizeof text);
			for (j = 0; j < (size_t)ret && strcmp(csv.v[j].cell[0], text); j++)
				;
			snprintf(want, sizeof want, "%.1f", g[k].got[i].score);
			if (j == (size_t)ret || strcmp(want, csv.v[j].cell[2]))
				fail(s, formats[k], "a score unlike the row's");
		}

	/* the explanation: clean, of known words, the same for every format
	 * but its notes, naming the blocks */
	for (int k = 0; k < NFMT; k++) {
		check_why(s, formats[k], r[k].why, r[k].whylen);
		if (!same_but_notes(r[k].why, r[k].whylen, r[0].why, r[0].whylen))
			fail(s, formats[k], "an explanation unlike plain's");
	}
	why_names_rows(s, r[0].why, r[0].whylen, &csv, ret);
	if ((n6 > 0) != has_note(&r[F_IPT]))
		fail(s, "iptables", "IPv6 networks left out, or a note, but not both");
	if ((n4 > 0) != has_note(&r[F_IP6T]))
		fail(s, "ip6tables", "IPv4 networks left out, or a note, but not both");

	rows_fini(&csv);
	rows_fini(&json);
	for (int k = 0; k < NFMT; k++)
		bg_fini(&g[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	const struct import_opts io = {
	    .quiet = true, .show_errors = 0, .host = "h", .have_at = true, .at = AT};
	struct run r[NFMT];
	struct importer *im = NULL;
	struct setup s;
	sqlite3 *db = NULL;
	char path[64], err[256];
	long long nsnaps;

	if (size <= HDR || size > HDR + MAX_FILE)
		return 0;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	if (fuzz_write_file(data + HDR, size - HDR, "blocklist", path, sizeof path) < 0) {
		fprintf(stderr, "fuzz_blocklist: cannot write %s\n", path);
		abort();
	}
	if (db_open(NULL, DB_MEMORY, &db, err, sizeof err) != 0 ||
	    importer_new(db, &io, devnull, &im, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_blocklist: %s\n", err);
		abort();
	}
	if (importer_path(im, path) < 0)
		abort(); /* a database failure: never from input alone */
	importer_free(im);
	unlink(path);
	nsnaps = fuzz_scalar(db, "SELECT count(*) FROM snapshots");

	setup_of(data, &s);
	s.dump = data + HDR;
	s.dumplen = size - HDR;
	for (int k = 0; k < NFMT; k++)
		run_format(db, &s, k, &r[k]);
	check_all(db, &s, r, nsnaps);
	for (int k = 0; k < NFMT; k++) {
		free(r[k].out);
		free(r[k].why);
	}
	blockrail_fini(&s.rails);
	db_close(db);
	return 0;
}
