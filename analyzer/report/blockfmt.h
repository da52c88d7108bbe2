/* blockfmt — a block-list in a firewall's language (iptables-restore,
 * ip6tables-restore, nft, ipset restore, one CIDR per line), written only
 * from parsed, canonical networks and numbers: no text read from a dump can
 * reach a rule. Writing only; sockscope never applies anything. */
#ifndef SOCKSCOPE_BLOCKFMT_H
#define SOCKSCOPE_BLOCKFMT_H

#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "utctime.h"

enum blockfmt {
	BLOCKFMT_IPTABLES, BLOCKFMT_IP6TABLES, BLOCKFMT_NFT, BLOCKFMT_IPSET, BLOCKFMT_PLAIN
};

/* "iptables", "ip6tables", "nft", "ipset", "plain". 0 or -EINVAL. */
int blockfmt_parse(const char *s, enum blockfmt *f);

struct blockfmt_entry {
	struct cidr net;         /* masked; an IPv4-mapped IPv6 network is refused */
	double score;            /* 0..100, shown in a comment */
};

struct blockfmt_opts {
	unsigned ttl;            /* seconds an entry lives (nft, ipset); 0: forever */
	usec_t generated;        /* shown in the header comment */
};

/* The names the rules use, fixed (docs/BLOCKLIST.md). */
#define BLOCK_CHAIN "SOCKSCOPE-BLOCK"   /* iptables, ip6tables */
#define BLOCK_TABLE "sockscope"         /* nft: table inet sockscope */
#define BLOCK_SET4 "sockscope-block4"   /* ipset */
#define BLOCK_SET6 "sockscope-block6"

/* Writes the n entries in fmt to f: iptables takes the IPv4 ones,
 * ip6tables the IPv6 ones, the others both. Returns the number of
 * networks written, -EINVAL when an entry is not canonical (host bits set,
 * a prefix beyond its family, IPv4-mapped, a score outside 0..100; nothing
 * is written then), or -EIO when writing failed. */
long blockfmt_write(FILE *f, enum blockfmt fmt, const struct blockfmt_entry *e, size_t n,
		    const struct blockfmt_opts *o);

#endif
