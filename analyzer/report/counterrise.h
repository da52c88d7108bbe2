/* counterrise — each kernel counter's rises over the selected snapshots,
 * from counter_changes (a counter's value per chain where it changed),
 * never expanding the `counters` view. */
#ifndef SOCKSCOPE_COUNTERRISE_H
#define SOCKSCOPE_COUNTERRISE_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "filter.h"

/* For names[0..n) over the snapshots flt selects: rose[i], the sum of the
 * counter's rises between consecutive snapshots (by time, then id) where
 * it has a value, within one host and boot (a fall counts 0); samples[i],
 * the snapshots where it has a value; seen[i] = samples[i] > 0 (arrays
 * zeroed by the caller). What summary's query over the view computed, but
 * per change, not per snapshot. Returns 0; 1 when this way cannot promise
 * the same answer (one host and boot's chains overlap in time, or a
 * difference overflows: the caller asks the view); -errno with err set. */
int counter_rises(sqlite3 *db, const struct filter *flt, const char *const *names, size_t n,
		  long long *rose, long long *samples, bool *seen, char *err, size_t errsz);

#endif
