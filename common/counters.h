/* counters — parser for /proc/net/snmp and /proc/net/netstat ("Group: names"
 * line followed by "Group: values" line) into name/value pairs. Pure. */
#ifndef SOCKSCOPE_COUNTERS_H
#define SOCKSCOPE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

/* Called per field: group ("Tcp", "TcpExt", ...), field name, value. Names
 * are not NUL-terminated. Return 0 to go on, negative errno to stop. */
struct counter_sink {
	int (*counter)(void *ctx, const char *group, size_t glen,
		       const char *name, size_t nlen, int64_t value);
	void (*bad)(void *ctx, size_t lineno, const char *expected);
	void *ctx;
};

/* Parses a whole file's text. Malformed pairs (group mismatch, count
 * mismatch, non-numeric value) are reported through bad() and skipped.
 * Returns number of counters or the first negative errno from counter(). */
long counters_parse(const char *text, size_t len, const struct counter_sink *sink);

#endif
