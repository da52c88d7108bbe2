/* snap_int — what the snapshot writer (snap_writer.c) and reader
 * (snap_reader.c) share: framing constants, decoded section lists, the
 * decoded checksum and section names (snap.c). Internal to common/. */
#ifndef SOCKSCOPE_SNAP_INT_H
#define SOCKSCOPE_SNAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sha256.h"
#include "snapdelta.h"

#define MAGIC "SOCKSCOPE "
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define SECTION_NAME_MAX 64

/* ---- decoded sections (format 2 keeps the previous snapshot's) ---------- */

struct sect {
	char name[SECTION_NAME_MAX + 1];
	struct buf text;
	bool derived;        /* writer: only its digest is kept */
	struct snapdelta_base *base;   /* writer: what the next delta is made against */
	struct sha256 sha;
	bool digested;       /* writer: sha given whole (snap_writer_derived) */
	uint8_t digest[SHA256_LEN];
	uint64_t len;        /* writer: bytes written */
	bool skipped;        /* reader: not selected, so neither kept nor decoded */
	struct snapdelta_prov prov;   /* reader: the tracked section's line sources */
	struct snapdelta_split split; /* reader: text's lines, written with it */
};

struct sectlist {
	struct sect *v;
	size_t n, cap;     /* v[n..cap) keep their allocations for reuse */
};

/* Appends section `name`, reusing a slot's buffers; NULL when out of memory. */
struct sect *snap_sectlist_add(struct sectlist *l, const char *name);
const struct sect *snap_sectlist_find(const struct sectlist *l, const char *name);
void snap_sectlist_fini(struct sectlist *l);
void snap_sectlist_swap(struct sectlist *a, struct sectlist *b);
/* The decoded checksum of format 2 (see snap.c): one section's trailer, and
 * the whole list's (derived sections left out). */
uint32_t snap_dcrc_trailer(uint32_t crc, const char *name, size_t len);
uint32_t snap_sectlist_dcrc(const struct sectlist *l);
/* Section names are 1..64 bytes of [A-Za-z0-9 ./_-]. */
bool snap_section_name_ok(const char *name);

#endif
