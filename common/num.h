/* num — strict number parsing shared by every parser of text (the snapshot
 * reader, /proc/net, the sockets TSV, addresses): one definition of what a
 * digit is and where overflow starts. Formatting lives in buf.h. */
#ifndef SOCKSCOPE_NUM_H
#define SOCKSCOPE_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit (either case), or -1. */
int num_hexval(char c);

/* Parses exactly s[0..len) as unsigned decimal: 1..20 digits, no sign, no
 * space, leading zeros allowed, value <= max. 0 or -EINVAL. */
int num_parse_dec(const char *s, size_t len, uint64_t max, uint64_t *out);

#endif
