/* addr — IPv4/IPv6 addresses and CIDR prefixes: parse, canonical format
 * (RFC 5952), IPv4-mapped folding, masking and containment. Pure functions. */
#ifndef SOCKSCOPE_ADDR_H
#define SOCKSCOPE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address in network byte order. For AF_INET only a[0..3] are used and
 * a[4..15] are zero, so two addrs compare equal with memcmp. */
struct addr {
	uint8_t family;   /* AF_INET or AF_INET6 (0 = unset) */
	uint8_t a[16];
};

/* Longest canonical text: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
#define ADDR_STRLEN 46
/* ... plus "/128". */
#define CIDR_STRLEN (ADDR_STRLEN + 4)

struct cidr {
	struct addr addr;  /* always masked: host bits are zero */
	uint8_t prefix;    /* 0..32 for AF_INET, 0..128 for AF_INET6 */
};

/* Parses exactly s[0..len) as dotted-quad IPv4 or any RFC 4291 IPv6 text
 * (incl. "::ffff:1.2.3.4"). No brackets, no "%scope", no port: callers
 * strip those. Returns 0 or -EINVAL. Does not fold mapped addresses.
 * Dotted quads are strict, also inside IPv6: exactly four decimal parts
 * 0..255, no sign, no leading zero ("01" is refused: inet_aton reads it as
 * octal, people as decimal, so any answer would be a guess). */
int addr_parse(const char *s, size_t len, struct addr *out);

/* Writes the canonical text into out (size >= ADDR_STRLEN): dotted quad for
 * IPv4; RFC 5952 for IPv6 (lowercase, longest run of >= 2 zero groups
 * compressed, first one on ties, "::ffff:a.b.c.d" for IPv4-mapped).
 * Returns the length written (excluding NUL). A smaller out gets a truncated,
 * NUL-terminated text and the full length is returned (snprintf rules). An
 * unset family formats as "". */
size_t addr_format(const struct addr *a, char *out, size_t outsz);

/* True for ::ffff:a.b.c.d. */
bool addr_is_v4mapped(const struct addr *a);
/* Folds ::ffff:a.b.c.d to a.b.c.d in place; other addresses unchanged. */
void addr_fold(struct addr *a);
/* The reverse: a.b.c.d to ::ffff:a.b.c.d in place (how a dump's IPv6 row
 * shows an IPv4 peer); other addresses unchanged. */
void addr_unfold(struct addr *a);

/* Sets host bits past `prefix` to zero (prefix clamped to the family max). */
void addr_mask(struct addr *a, unsigned prefix);
/* Total order: by family (unset < AF_INET < AF_INET6), then bytes.
 * Returns -1, 0 or 1. */
int addr_cmp(const struct addr *x, const struct addr *y);
static inline unsigned addr_maxprefix(const struct addr *a)
{
	return a->family == 10 /* AF_INET6 */ ? 128u : 32u;
}

/* Parses "addr" or "addr/prefix" (a bare address is a host prefix). Host
 * bits in the text are masked off. IPv4-mapped v6 with prefix >= 96 folds to
 * IPv4 with prefix - 96. The prefix is plain decimal without leading zero
 * ("/08" is refused, like "01" in a dotted quad). Returns 0 or -EINVAL. */
int cidr_parse(const char *s, size_t len, struct cidr *out);
/* "addr/prefix", always with the prefix; out size >= CIDR_STRLEN
 * (snprintf rules as addr_format). */
size_t cidr_format(const struct cidr *c, char *out, size_t outsz);
/* True when `a` (folded by the caller if needed) lies in c. Families differ:
 * false. */
bool cidr_contains(const struct cidr *c, const struct addr *a);

/* Address-class predicates used by safety rails and reports. They look
 * through IPv4-mapped addresses (::ffff:127.0.0.1 is loopback), so a rail
 * cannot be dodged by spelling. */
bool addr_is_loopback(const struct addr *a);     /* 127/8, ::1 */
bool addr_is_unspecified(const struct addr *a);  /* 0.0.0.0, :: */
bool addr_is_linklocal(const struct addr *a);    /* 169.254/16, fe80::/10 */
bool addr_is_multicast(const struct addr *a);    /* 224/4, ff00::/8 */
bool addr_is_private(const struct addr *a);      /* 10/8 172.16/12 192.168/16 100.64/10 fc00::/7 */

#endif
