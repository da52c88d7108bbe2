/* snap — the snapshot text format of docs/FORMAT.md: a streaming writer and
 * a push reader that verifies each snapshot's trailer and checksum and
 * reports torn or corrupt snapshots instead of returning their data as good. */
#ifndef SOCKSCOPE_SNAP_H
#define SOCKSCOPE_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utctime.h"

#define SNAP_VERSION 1      /* the default written; readers read 1 and 2 */
#define SNAP_VERSION_DELTA 2
#define SNAP_BLOCK_MAX (64 * 1024)          /* writer's DATA block size */
#define SNAP_READER_BLOCK_LIMIT (16u << 20) /* larger DATA = corrupt */

struct snap_header {
	unsigned version;        /* format version read (SNAP_VERSION written) */
	char host[256];
	usec_t time;             /* UTC, µs */
	uint64_t seq;            /* per recorder run, from 1 */
	usec_t interval;         /* configured interval, µs (0 = one-shot) */
	char reason[256];        /* why this snapshot: interval, start, burst: ... */
	char kernel[128];        /* uname release */
	char boot_id[64];
	char recorder[64];       /* "sockscope-recorder 0.1.0" */
	/* Format 2 (docs/FORMAT.md §7); 0 in version 1. */
	unsigned frame;          /* SNAP_FRAME_KEY or SNAP_FRAME_DELTA */
	uint64_t base_seq;       /* DELTA: seq of the snapshot it is based on */
	uint32_t base_dcrc;      /* DELTA: decoded checksum of that snapshot */
	bool thinned;            /* "thinned:" header: the segment was rewritten
	                          * to its keyframes (--thin-after) */
};

enum { SNAP_FRAME_KEY = 1, SNAP_FRAME_DELTA = 2 };

/* ---- writer ------------------------------------------------------------ */

/* Receives the encoded bytes; returns 0 or -errno (which aborts the write). */
typedef int (*snap_out_fn)(void *ctx, const void *p, size_t n);

struct snap_writer;

struct snap_writer *snap_writer_new(snap_out_fn out, void *ctx);
void snap_writer_free(struct snap_writer *w);   /* NULL is a no-op */

/* Starts a snapshot. Control characters in header strings are written as
 * '?'. 0 or -errno (from out, or -EINVAL when a snapshot is open). */
int snap_writer_begin(struct snap_writer *w, const struct snap_header *h);
/* Starts a section (ends the previous one). Names are 1..64 bytes of
 * [A-Za-z0-9 ./_-]; -EINVAL otherwise. */
int snap_writer_section(struct snap_writer *w, const char *name);
/* Appends section content. Blocks are cut at line ends when possible. */
int snap_writer_write(struct snap_writer *w, const void *p, size_t n);
/* Ends the snapshot: flushes, writes the END trailer with the checksum. */
int snap_writer_end(struct snap_writer *w);
/* Forgets an open snapshot after an output error so the next begin works. */
void snap_writer_abort(struct snap_writer *w);
/* Writes format 2 from the next snapshot on: a keyframe at least every
 * key_every snapshots (1 = keyframes only), deltas between. 0 or -EINVAL. */
int snap_writer_set_delta(struct snap_writer *w, unsigned key_every);
/* Format 2: whether sections named "netstat <args>" are stored as derived
 * (their SHA-256 only; readers rebuild them from the snapshot's proc/net
 * sections and processes) or verbatim. Takes effect at the next section. */
void snap_writer_derive(struct snap_writer *w, bool on);
/* Whether snap_writer_derived may be used: format 2, derived renderings,
 * no twin (which needs their text). */
bool snap_writer_takes_digests(const struct snap_writer *w);
/* Adds section `name` ("netstat <args>") stored as derived, whose content
 * (len bytes) the caller rendered and digested itself (SHA-256): the text
 * need never exist whole. 0, or -EINVAL unless snap_writer_takes_digests. */
int snap_writer_derived(struct snap_writer *w, const char *name, const uint8_t *digest,
			uint64_t len);
/* Makes the next snapshot a keyframe (a new segment starts; snap_writer_abort
 * does it too). */
void snap_writer_keyframe(struct snap_writer *w);
/* The next snapshot will be no delta's base (the recorder's last, as with
 * --once): if it is a keyframe, its sections are streamed out as they come
 * instead of being kept, and the snapshot after it is a keyframe again. */
void snap_writer_last(struct snap_writer *w);
/* Tests only: also writes every snapshot in format 1 to twin (the same
 * sections, byte for byte), so that a test can compare both decodings. */
int snap_writer_set_twin(struct snap_writer *w, snap_out_fn twin, void *ctx);
/* Bytes handed to out() for the current/last snapshot (uncompressed size). */
uint64_t snap_writer_bytes(const struct snap_writer *w);

/* ---- reader ------------------------------------------------------------ */

enum snap_ev {
	SNAP_EV_NONE = 0,   /* needs more input (feed) or end of input (eof) */
	SNAP_EV_BEGIN,      /* header parsed: ev.hdr */
	SNAP_EV_SECTION,    /* a section starts: ev.section */
	SNAP_EV_DATA,       /* a piece of the current section: ev.data/len.
	                     * Provisional until SNAP_EV_END: a later BAD voids it */
	SNAP_EV_END,        /* trailer and checksum verified: the snapshot is good */
	SNAP_EV_BAD,        /* the snapshot started at ev.offset is torn or
	                     * corrupt (ev.error); drop what it delivered */
	SNAP_EV_JUNK,       /* bytes outside any snapshot were skipped (ev.len) */
};

struct snap_event {
	enum snap_ev type;
	const struct snap_header *hdr;  /* BEGIN..END/BAD: current header */
	const char *section;            /* SECTION, DATA */
	const char *data;               /* DATA: points into fed input */
	size_t len;                     /* DATA, JUNK */
	uint64_t offset;                /* stream offset of the snapshot start
	                                 * (BEGIN..BAD) or of the junk (JUNK) */
	const char *error;              /* BAD: what was expected */
	/* SECTION, DATA of a section snap_reader_track named, in a format 2
	 * delta: where each of its lines came from (snapdelta.h); NULL
	 * otherwise. Valid until the next SECTION or END. */
	const struct snapdelta_prov *prov;
};

struct snap_reader;
struct snapdelta_prov;

struct snap_reader *snap_reader_new(void);
void snap_reader_free(struct snap_reader *r);   /* NULL is a no-op */

/* Format 2: leave derived sections (renderings, docs/FORMAT.md §7) out:
 * neither rebuilt nor handed out, for readers that do not use them (import
 * without --keep-raw). They are checked by their own SHA-256 when rebuilt;
 * the rest of the snapshot is checked all the same. */
void snap_reader_skip_derived(struct snap_reader *r, bool skip);
/* Hands out only the sections named in `names` (NULL-terminated, kept by
 * the caller; NULL: all, the default). Set before the first feed. In format
 * 2 the others are neither kept nor decoded, so a snapshot that leaves one
 * out is checked by its encoded CRC and its chain of bases, not by its
 * decoded checksum (docs/FORMAT.md §7.2): verify and dump read everything. */
void snap_reader_select(struct snap_reader *r, const char *const *names);
/* Format 2: for the sections named in `names` (NULL-terminated, kept by the
 * caller; NULL: none, the default), each delta also says where its lines
 * came from (snap_event.prov). Set before the first feed. */
void snap_reader_track(struct snap_reader *r, const char *const *names);
/* Hands the reader the next piece of the stream. The bytes must stay valid
 * until snap_reader_next() returns SNAP_EV_NONE. */
void snap_reader_feed(struct snap_reader *r, const void *p, size_t n);
/* Next event from the fed bytes (SNAP_EV_NONE: feed more). */
enum snap_ev snap_reader_next(struct snap_reader *r, struct snap_event *ev);
/* Declares end of input. Returns SNAP_EV_BAD ("torn tail: ...") if a
 * snapshot was open, SNAP_EV_JUNK for pending junk, else SNAP_EV_NONE. */
enum snap_ev snap_reader_eof(struct snap_reader *r, struct snap_event *ev);

#endif
