/* procnet — parser for the text of /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}.
 * Pure: bytes in, rows out. */
#ifndef SOCKSCOPE_PROCNET_H
#define SOCKSCOPE_PROCNET_H

#include <stdbool.h>
#include <stddef.h>

#include "sockrow.h"

/* Parses one line (with or without '\n'). proto/family say which file it
 * came from. Addresses are hex words in the writing CPU's byte order; `swap`
 * says the dump came from a machine of the other endianness (false for
 * dumps of this machine). Returns 0 (row filled; program NULL, pid 0),
 * 1 (header or blank line, nothing filled) or -EINVAL with *what set. */
int procnet_parse_line(const char *line, size_t len, int proto, int family,
		       bool swap, struct sock_row *out, const char **what);

/* Parses a whole file's text, calling sink->row per socket and sink->bad per
 * malformed line. Returns the number of rows or the first negative errno
 * returned by sink->row. */
long procnet_parse(const char *text, size_t len, int proto, int family,
		   bool swap, const struct row_sink *sink);

#endif
