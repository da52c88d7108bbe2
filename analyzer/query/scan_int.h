/* scan_int — what scan.c and scan_files.c share: appending a snapshot to
 * the list. Private to query/. */
#ifndef SOCKSCOPE_SCAN_INT_H
#define SOCKSCOPE_SCAN_INT_H

#include "scan.h"

/* Appends a copy of sn (its host duplicated, "unknown" when NULL) to s.
 * 0, -ENOMEM or -E2BIG. */
int scan_snaps_add(struct scan_snaps *s, const struct scan_snap *sn);

#endif
