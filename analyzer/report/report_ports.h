/* report_ports — `sockscope ports` (each listening port: its programs and
 * addresses, and who connected to it) and `sockscope programs` (each
 * program: its sockets, listening ports, connections and peers). */
#ifndef SOCKSCOPE_REPORT_PORTS_H
#define SOCKSCOPE_REPORT_PORTS_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "filter.h"
#include "output.h"

/* The snapshots are the filter's range, or with have_at each host's newest
 * at or before `at`, read by up to `threads` readers (connections of their
 * own to db's file). Return the rows written, or -errno with err set. */
long report_ports(sqlite3 *db, unsigned threads, const struct filter *flt, bool have_at,
		  usec_t at, enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		  size_t errsz);
long report_programs(sqlite3 *db, unsigned threads, const struct filter *flt, bool have_at,
		     usec_t at, enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		     size_t errsz);

#endif
