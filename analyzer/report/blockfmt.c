/* blockfmt — the five writers. Every byte of a rule comes from cidr_format,
 * a number printed here, or a constant: entries are checked canonical first,
 * and nothing is written unless all are. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "blockfmt.h"

static const char *const format_names[] = {"iptables", "ip6tables", "nft", "ipset", "plain"};

int blockfmt_parse(const char *s, enum blockfmt *f)
{
	for (unsigned i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (!strcmp(s, format_names[i])) {
			*f = (enum blockfmt)i;
			return 0;
		}
	return -EINVAL;
}

/* Masked, within its family's prefixes, not an IPv4-mapped IPv6 network
 * (the caller folds those), a score that prints in a few characters. */
static bool canonical(const struct blockfmt_entry *e)
{
	struct addr m = e->net.addr;

	if (e->net.addr.family != AF_INET && e->net.addr.family != AF_INET6)
		return false;
	/* a /0 is no block-list entry: it would block everything (ipset
	 * refuses it too) */
	if (e->net.prefix == 0 || e->net.prefix > addr_maxprefix(&e->net.addr) ||
	    addr_is_v4mapped(&e->net.addr))
		return false;
	addr_mask(&m, e->net.prefix);
	if (memcmp(&m, &e->net.addr, sizeof m))
		return false;
	return e->score >= 0 && e->score <= 100;   /* false for NaN too */
}

static bool wanted(enum blockfmt fmt, const struct blockfmt_entry *e)
{
	if (fmt == BLOCKFMT_IPTABLES)
		return e->net.addr.family == AF_INET;
	if (fmt == BLOCKFMT_IP6TABLES)
		return e->net.addr.family == AF_INET6;
	return true;
}

/* The header: what it is and how to load it, as comments. */
static void header(FILE *f, enum blockfmt fmt, size_t n, const struct blockfmt_opts *o)
{
	static const char *const load[] = {
		"iptables-restore --noflush < FILE", "ip6tables-restore --noflush < FILE",
		"nft -f FILE", "ipset restore < FILE", "",
	};
	char when[UTCTIME_STRLEN];

	utctime_format(o->generated, 0, when, sizeof when);
	fprintf(f, "# sockscope block-list, %s: %zu network%s. Load: %s\n", when, n,
		n == 1 ? "" : "s", load[fmt]);
}

static void tables(FILE *f, enum blockfmt fmt, const struct blockfmt_entry *e, size_t n)
{
	char net[CIDR_STRLEN];

	fputs("*filter\n:" BLOCK_CHAIN " - [0:0]\n-F " BLOCK_CHAIN "\n", f);
	for (size_t i = 0; i < n; i++) {
		if (!wanted(fmt, &e[i]))
			continue;
		cidr_format(&e[i].net, net, sizeof net);
		/* + 0.0: a score of -0.0 prints as 0.0 */
		fprintf(f, "-A " BLOCK_CHAIN " -s %s -m comment --comment \"sockscope score %.1f\" -j DROP\n",
			net, e[i].score + 0.0);
	}
	/* the chain is reached from INPUT's top; loading the file again adds a
	 * second jump (docs/BLOCKLIST.md: refresh with -F, or use nft/ipset) */
	fputs("-I INPUT 1 -j " BLOCK_CHAIN "\nCOMMIT\n", f);
}

static void nft_set(FILE *f, const char *name, int family, const struct blockfmt_entry *e, size_t n,
		    unsigned ttl)
{
	char net[CIDR_STRLEN];
	bool first = true;

	/* auto-merge: overlapping networks (a host inside a listed /24) are
	 * merged instead of refused as conflicting intervals */
	fprintf(f, "\tset %s {\n\t\ttype %s\n\t\tflags interval%s\n\t\tauto-merge\n", name,
		family == AF_INET ? "ipv4_addr" : "ipv6_addr", ttl ? ", timeout" : "");
	if (ttl)
		fprintf(f, "\t\ttimeout %us\n", ttl);
	for (size_t i = 0; i < n; i++) {
		if (e[i].net.addr.family != family)
			continue;
		cidr_format(&e[i].net, net, sizeof net);
		fprintf(f, "%s%s", first ? "\t\telements = { " : ", ", net);
		first = false;
	}
	if (!first)
		fputs(" }\n", f);
	fputs("\t}\n", f);
}

static void nft(FILE *f, const struct blockfmt_entry *e, size_t n, unsigned ttl)
{
	/* declaring the table first makes the delete succeed on a first load:
	 * the file replaces what an earlier one loaded */
	fputs("table inet " BLOCK_TABLE " {}\ndelete table inet " BLOCK_TABLE "\n"
	      "table inet " BLOCK_TABLE " {\n", f);
	nft_set(f, "block4", AF_INET, e, n, ttl);
	nft_set(f, "block6", AF_INET6, e, n, ttl);
	fputs("\tchain input {\n\t\ttype filter hook input priority -10; policy accept;\n"
	      "\t\tip saddr @block4 drop\n\t\tip6 saddr @block6 drop\n\t}\n}\n", f);
}

static void ipset(FILE *f, const struct blockfmt_entry *e, size_t n, unsigned ttl)
{
	static const struct {
		const char *name, *family;
		int af;
	} sets[] = {{BLOCK_SET4, "inet", AF_INET}, {BLOCK_SET6, "inet6", AF_INET6}};
	char net[CIDR_STRLEN];

	for (size_t s = 0; s < 2; s++) {
		fprintf(f, "create %s hash:net family %s", sets[s].name, sets[s].family);
		if (ttl)
			fprintf(f, " timeout %u", ttl);
		fprintf(f, " -exist\nflush %s\n", sets[s].name);
		for (size_t i = 0; i < n; i++) {
			if (e[i].net.addr.family != sets[s].af)
				continue;
			cidr_format(&e[i].net, net, sizeof net);
			fprintf(f, "add %s %s -exist\n", sets[s].name, net);
		}
	}
}

long blockfmt_write(FILE *f, enum blockfmt fmt, const struct blockfmt_entry *e, size_t n,
		    const struct blockfmt_opts *o)
{
	char net[CIDR_STRLEN];
	size_t written = 0;

	for (size_t i = 0; i < n; i++)
		if (!canonical(&e[i]))
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		written += wanted(fmt, &e[i]);
	if (fmt != BLOCKFMT_PLAIN)   /* a plain list is networks and nothing else */
		header(f, fmt, written, o);
	switch (fmt) {
	case BLOCKFMT_IPTABLES:
	case BLOCKFMT_IP6TABLES:
		tables(f, fmt, e, n);
		break;
	case BLOCKFMT_NFT:
		nft(f, e, n, o->ttl);
		break;
	case BLOCKFMT_IPSET:
		ipset(f, e, n, o->ttl);
		break;
	case BLOCKFMT_PLAIN:
	default:
		for (size_t i = 0; i < n; i++) {
			cidr_format(&e[i].net, net, sizeof net);
			fprintf(f, "%s\n", net);
		}
		break;
	}
	return fflush(f) == 0 && !ferror(f) ? (long)written : -EIO;
}
