/* snapdelta — format 2 section encoding (docs/FORMAT.md §7): a section as a
 * keyframe (verbatim) or as a line delta against the same section of the
 * previous snapshot, with countdown timers and /proc row numbers moved out of
 * the lines so that an unchanged socket costs nothing. Pure. */
#ifndef SOCKSCOPE_SNAPDELTA_H
#define SOCKSCOPE_SNAPDELTA_H

#include <stddef.h>

#include "buf.h"

/* The largest decoded section a reader accepts (a hostile delta cannot make
 * a reader allocate more). */
#define SNAPDELTA_SECTION_MAX (256u << 20)

/* First byte of an encoded section. */
#define SNAPDELTA_KEY 'K'      /* the content follows verbatim */
#define SNAPDELTA_DELTA 'D'    /* a delta against the previous section */
#define SNAPDELTA_DERIVED 'R'  /* a rendering: rebuilt on read, SHA-256 checked */

/* Appends the verbatim encoding of cur to out. 0 or -ENOMEM. */
int snapdelta_encode_key(const char *cur, size_t curlen, struct buf *out);
/* Appends the delta of cur against prev (section `name`, which picks the
 * timer column) to out. 0 or -ENOMEM. */
int snapdelta_encode(const char *name, const char *prev, size_t prevlen, const char *cur,
		     size_t curlen, struct buf *out);
/* Decodes a K or D encoding (prev is ignored for K) and appends the content
 * to out. 0, -ENOMEM, or -EINVAL with *what saying what was wrong. */
int snapdelta_decode(const char *prev, size_t prevlen, const char *enc, size_t enclen,
		     struct buf *out, const char **what);

#endif
