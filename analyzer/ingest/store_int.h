/* store_int — private to analyzer/ingest: what store.c and store_row.c
 * share (a row's checks and digest). */
#ifndef SOCKSCOPE_STORE_INT_H
#define SOCKSCOPE_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sockrow.h"
#include "store.h"

/* A row some table can hold: a known protocol, addresses of its family. */
bool store_row_ok(const struct sock_row *in);
/* h mixed with the row as the table would hold it (store_snapshot_match
 * compares snapshots by it). */
uint64_t store_row_digest(uint64_t h, const struct store_row *in);

#endif
