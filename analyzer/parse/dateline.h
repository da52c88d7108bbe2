/* dateline — timestamps outside the dumps: the `date` lines of cron logs and
 * timestamps in file names. Pure. */
#ifndef SOCKSCOPE_DATELINE_H
#define SOCKSCOPE_DATELINE_H

#include <stddef.h>

#include "utctime.h"

/* Recognises a whole line (no '\n'; surrounding blanks allowed) printed by
 *   date            "Wed Nov 25 13:54:00 UTC 2026"  (C/POSIX locale)
 *   date -u         "Wed Nov 25 13:54:00 UTC 2026"
 *   date -R         "Wed, 25 Nov 2026 13:54:00 +0000"
 *   date -Iseconds  "2026-11-25T13:54:00+00:00"  (and -Ins, -Iminutes, --rfc-3339)
 *   date +%s        "1795614840" (9..11 digits, an optional .fraction)
 * For `date` with a zone abbreviation only unambiguous ones are known
 * (UTC, GMT, Z, UCT, and numeric +hhmm); any other abbreviation returns
 * -ERANGE with *t set to the wall-clock time taken as UTC, so the caller
 * can still split there and say what it assumed. 0, -EINVAL (not a date
 * line) or -ERANGE. */
int dateline_parse(const char *s, size_t len, usec_t *t);

/* Finds a timestamp in a file name (the last path component is used):
 *   netstat-20261125-1354.txt, ss_20261125T135400Z.log,
 *   dump-2026-11-25T13:54:00Z.txt, x.2026-11-25_13-54-00.gz, 1795614840.txt
 * Date and time must both be present (a date alone is not enough), taken
 * as UTC unless a zone follows. 0 or -ENOENT. */
int dateline_from_filename(const char *path, usec_t *t);

#endif
