/* segdump — `sockscope dump` and `sockscope verify`: a segment's verified
 * snapshots printed, and integrity reports; torn tails and junk named. */
#ifndef SOCKSCOPE_SEGDUMP_H
#define SOCKSCOPE_SEGDUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "utctime.h"

struct segdump_opts {
	const char *section;     /* only this section's content, NULL: all */
	uint64_t seq;            /* only this snapshot, 0: all */
	bool have_at;
	usec_t at;               /* only the newest snapshot at or before at */
	bool list;               /* one line per snapshot instead of content */
	bool raw;                /* content byte for byte, not made visible */
};

/* Prints the verified snapshots of the segment at path to out, control,
 * C1 and bidi characters and ill-formed UTF-8 made visible (termsafe; LF
 * and TAB kept) unless raw; problems
 * (torn or corrupt snapshots, junk) go to msg. 0 all good, 1 problems
 * found, -errno when the file cannot be read (msg says). */
int segdump(const char *path, const struct segdump_opts *o, FILE *out, FILE *msg);

/* One line per file to out: "PATH: good=N bad=N junk=N frame=complete|open|plain"
 * and details of each problem to msg. 0 intact, 1 problems, -errno. */
int segdump_verify(const char *path, FILE *out, FILE *msg);

#endif
