/* options — sockscope-recorder's configuration: the option table (which
 * also makes --help), the defaults, and parsing the command line. */
#ifndef SOCKSCOPE_RECORDER_OPTIONS_H
#define SOCKSCOPE_RECORDER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "burst.h"
#include "collect.h"
#include "retention.h"
#include "segment.h"
#include "utctime.h"

/* Exit statuses, sockscope-recorder(8) EXIT STATUS. */
enum {
	EXIT_LOST = 1,      /* output unusable, or (--once/--count) snapshots lost */
	EXIT_USAGE = 2,     /* invalid arguments */
	EXIT_LOCKED = 3,    /* another recorder records this host into DIR */
};

struct config {
	const char *dir;
	usec_t interval;
	usec_t burst_interval;
	bool once;
	uint64_t count;              /* stop after this many snapshots, 0 = never */
	char host[256];
	uint64_t segment_bytes;
	usec_t segment_age;
	struct retention_opts keep;
	struct burst_cfg burst;
	bool do_fsync;
	int verbose;                 /* -1 quiet, 0 normal, 1 per-snapshot stats */
	struct segment_opts seg;
	struct collect_opts col;
	char netstat_list[512];      /* storage for col.netstat_args */
	unsigned format;             /* 1 or 2 */
	usec_t thin_after;
	unsigned keyframe_every;
};

/* Parses the command line into cfg (defaults first). -1 to go on, or the
 * exit status (0 after --help/--version; EXIT_USAGE, told on stderr). */
int config_parse(int argc, char **argv, struct config *cfg);
/* Writes argument s quoted and bounded (a hostile or huge one cannot flood
 * or drive the terminal). */
void config_put_arg(FILE *f, const char *s);
/* "sockscope-recorder: WHAT 'VAL'" and the --help hint on stderr;
 * EXIT_USAGE. */
int config_usage_error(const char *what, const char *val);

#endif
