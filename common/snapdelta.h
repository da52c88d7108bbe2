/* snapdelta — format 2 section encoding (docs/FORMAT.md §7): a section as a
 * keyframe (verbatim) or as a line delta against the same section of the
 * previous snapshot, with countdown timers and /proc row numbers moved out of
 * the lines so that an unchanged socket costs nothing. Pure. */
#ifndef SOCKSCOPE_SNAPDELTA_H
#define SOCKSCOPE_SNAPDELTA_H

#include <stddef.h>

#include "buf.h"

/* The largest decoded section a reader accepts (a hostile delta cannot make
 * a reader allocate more). */
#define SNAPDELTA_SECTION_MAX (256u << 20)

/* First byte of an encoded section. */
#define SNAPDELTA_KEY 'K'      /* the content follows verbatim */
#define SNAPDELTA_DELTA 'D'    /* a delta against the previous section */
#define SNAPDELTA_DERIVED 'R'  /* a rendering: rebuilt on read, SHA-256 checked */

/* Appends the verbatim encoding of cur to out. 0 or -ENOMEM. */
int snapdelta_encode_key(const char *cur, size_t curlen, struct buf *out);
/* Appends the delta of cur against prev (section `name`, which picks the
 * timer column) to out. 0 or -ENOMEM. */
int snapdelta_encode(const char *name, const char *prev, size_t prevlen, const char *cur,
		     size_t curlen, struct buf *out);

/* ---- streaming encoder (snapenc.c): what the recorder's writer uses -------
 * A section's delta is made line by line as its text arrives, against a
 * compact base: the previous section's lines as 64-bit digests and
 * countdowns (16 B a line, plus a digest table), and its text
 * zstd-compressed in 64 kB chunks, read back only for the rows an edit
 * starts from. The bytes are those of snapdelta_encode (up to a digest
 * collision, which the snapshot's decoded checksum rejects on read). */
#include <stdbool.h>
#include <stdint.h>

struct snapdelta_base;
void snapdelta_base_free(struct snapdelta_base *b);   /* NULL is a no-op */
size_t snapdelta_base_bytes(const struct snapdelta_base *b);   /* memory held */

struct snapdelta_enc;
/* seed keys the line digests (any value gives the same bytes). */
struct snapdelta_enc *snapdelta_enc_new(uint64_t seed);
void snapdelta_enc_free(struct snapdelta_enc *e);   /* NULL is a no-op */
/* Starts section `name` (kept by the caller until _end). delta: make its D
 * encoding against base (NULL: no line of the base); keep: build the base
 * the next snapshot's section will be encoded against. 0 or -ENOMEM. */
int snapdelta_enc_begin(struct snapdelta_enc *e, const char *name,
			const struct snapdelta_base *base, bool delta, bool keep);
/* The section's content, in pieces of any size. 0 or -ENOMEM. */
int snapdelta_enc_feed(struct snapdelta_enc *e, const void *p, size_t n);
/* Ends the section. With delta, the D encoding is *head then *body (valid
 * until the next begin); with keep, *next is the new base (the caller's to
 * free), else NULL. 0, -ENOMEM or -EIO (a base chunk did not decompress). */
int snapdelta_enc_end(struct snapdelta_enc *e, const struct buf **head, const struct buf **body,
		      struct snapdelta_base **next);

/* Decodes a K or D encoding (prev is ignored for K) and appends the content
 * to out. 0, -ENOMEM, or -EINVAL with *what saying what was wrong. */
int snapdelta_decode(const char *prev, size_t prevlen, const char *enc, size_t enclen,
		     struct buf *out, const char **what);

/* Where each decoded line of a D section came from, so that a reader can
 * take a repeated row for the base row it repeats without comparing text
 * (the import's fast path). A copied line is its base line but for the
 * moving numbers: the countdown (`when`, and in mode 1 the row number). */
struct snapdelta_src {
	uint32_t base;      /* 1 + the base line copied; 0: a literal or an edit */
	/* the line's length in the text, its LF aside: a reader taking copies
	 * by their source steps over their text without looking for LFs */
	uint32_t len : 31;
	uint32_t same : 1;  /* the copy is the base line byte for byte */
	uint64_t when;      /* a copied split line's countdown (0 otherwise) */
};

/* Past this many lines a section has no provenance (bounded memory against
 * a hostile line count; 16 B a line). */
#define SNAPDELTA_PROV_MAX (8u << 20)

struct snapdelta_prov {
	struct snapdelta_src *v;   /* one per decoded line when valid */
	size_t n, cap;
	bool valid;         /* a D section decoded whole, within the bound */
	unsigned mode;      /* the split: 0 plain lines, 1 /proc/net, 2 TSV */
	uint64_t col;       /* mode 2: the countdown column (0-based) */
};

/* snapdelta_decode, also filling prov (reused: its array is kept; valid
 * false for a K section or on error). 0, -ENOMEM or -EINVAL. */
int snapdelta_decode_prov(const char *prev, size_t prevlen, const char *enc, size_t enclen,
			  struct buf *out, struct snapdelta_prov *prov, const char **what);
void snapdelta_prov_fini(struct snapdelta_prov *prov);

/* A decoded section's lines as the next delta against it reads them, kept
 * by the decoder beside the text: a base that was itself decoded from a
 * delta is not split into lines again (that was half of decoding one). The
 * lines are what splitting the text would give, made from the copies'
 * base lines, so the text is not read again; a line the encoding spelled
 * out (a literal, an edit) is split as before. */
struct snapdelta_split {
	void *v;            /* the decoder's lines, by offset in the text */
	size_t n, cap;
	bool valid;         /* made by the last decode into this text, whole */
	unsigned mode;      /* the split they were made with */
	uint64_t width, col;
	size_t len;         /* the text's length */
};

/* snapdelta_decode_prov with the base's lines (prev_split, NULL: none kept;
 * used when it says it is prev's, which the caller vouches for: kept with
 * prev's text and made by the decode that wrote it or by an earlier call
 * against prev; when it is not, prev is split into it, its array reused,
 * so that a keyframe is split once, by the first delta against it) and the
 * decoded text's lines into out_split (NULL: not kept; valid false for a K
 * section or on error; its offsets count from out's length at the call).
 * 0, -ENOMEM or -EINVAL. */
int snapdelta_decode_split(const char *prev, size_t prevlen, struct snapdelta_split *prev_split,
			   const char *enc, size_t enclen, struct buf *out,
			   struct snapdelta_split *out_split, struct snapdelta_prov *prov,
			   const char **what);
void snapdelta_split_fini(struct snapdelta_split *s);


#endif
