/* replay — `sockscope netstat --at T -- ARGS`: what an article command
 * printed at T, from the stored rendering (import --keep-raw) or rendered
 * from the snapshot's socket rows. */
#ifndef SOCKSCOPE_REPLAY_H
#define SOCKSCOPE_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "utctime.h"

struct replay_info {
	long long snapshot_id;
	long long sockets;       /* its rows */
	usec_t time;             /* of the snapshot used */
	char host[256];
	bool stored;             /* the verbatim section was printed */
	long rows;               /* rendered rows (not stored) */
};

/* Finds the newest snapshot at or before `at` (of `host`, or of the only
 * host there is) and prints netstat `args` ("-na", "-n -p", ...) to out:
 * byte for byte when raw, else with control, C1 and bidi characters and
 * ill-formed UTF-8 made visible (termsafe; LF and TAB kept), which leaves
 * what netstat prints for ordinary sockets unchanged.
 * 0; -EINVAL bad args; -ENOENT no snapshot; -EEXIST several hosts and no
 * host given; -EIO database. err says which. */
int replay_netstat(sqlite3 *db, const char *host, usec_t at, const char *args, bool raw,
		   FILE *out, struct replay_info *info, char *err, size_t errsz);

#endif
