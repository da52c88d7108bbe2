/* Fuzz target for the format 2 section decoder (common/snapdelta_dec.c): a
 * hostile encoding against a hostile base (absurd counts, copies outside the
 * base, truncated residuals) must fail cleanly or decode within bounds; and
 * any two texts, encoded as a delta, must decode back to the second exactly,
 * by the whole-text encoder and by the recorder's streaming one (common/
 * snapenc.c: a compact base, the text fed in pieces); and a section decoded
 * against a base's kept lines (snapdelta_split) decodes as against its
 * text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "snapdelta.h"

static const char *const names[] = {"proc/net/tcp", "proc/net/udp6", "sockets", "counters"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int feed(struct snapdelta_enc *e, const char *p, size_t n, size_t piece)
{
	int rc = 0;

	for (size_t off = 0; rc == 0 && off < n; off += piece)
		rc = snapdelta_enc_feed(e, p + off, n - off < piece ? n - off : piece);
	return rc;
}

/* Encodes cur against the base built from prev, fed in pieces, and decodes
 * it: -1 when it does not come back exactly (out of memory is no failure). */
static int stream_round_trip(const char *name, const char *prev, size_t pn, const char *cur,
			     size_t cn, size_t piece, struct buf *enc, struct buf *out)
{
	struct snapdelta_enc *e = snapdelta_enc_new(7);
	struct snapdelta_base *base = NULL, *next = NULL;
	const struct buf *head, *body;
	const char *what;
	int rc = -ENOMEM;

	if (!e)
		return 0;
	if (snapdelta_enc_begin(e, name, NULL, false, true) < 0 || feed(e, prev, pn, piece) < 0 ||
	    snapdelta_enc_end(e, &head, &body, &base) < 0)
		goto out;
	if (snapdelta_enc_begin(e, name, base, true, true) < 0 || feed(e, cur, cn, piece) < 0 ||
	    snapdelta_enc_end(e, &head, &body, &next) < 0)
		goto out;
	buf_reset(enc);
	if (buf_append(enc, head->data, head->len) < 0 || buf_append(enc, body->data, body->len) < 0)
		goto out;
	rc = snapdelta_decode(prev, pn, enc->data, enc->len, out, &what);
	if (rc == -ENOMEM)
		goto out;
	rc = rc == 0 && out->len == cn && !memcmp(out->data ? out->data : "", cur, cn) ? 0 : -1;
out:
	snapdelta_base_free(base);
	snapdelta_base_free(next);
	snapdelta_enc_free(e);
	return rc == -ENOMEM ? 0 : rc;
}

/* 0, or -1 when decoding enc against its own output differs between the
 * kept lines and the text (out of memory is no failure). */
static int kept_lines_agree(const char *base, size_t bn, const char *enc, size_t en)
{
	struct snapdelta_split s1 = {0}, s2 = {0};
	struct buf o1 = BUF_INIT, o2 = BUF_INIT, plain = BUF_INIT;
	const char *what;
	int rc = 0, a, b;

	if (snapdelta_decode_split(base, bn, NULL, enc, en, &o1, &s1, NULL, &what) < 0)
		goto out;
	if (s1.valid && s1.len != o1.len)
		rc = -1;
	a = snapdelta_decode_split(o1.data, o1.len, &s1, enc, en, &o2, &s2, NULL, &what);
	b = snapdelta_decode(o1.data, o1.len, enc, en, &plain, &what);
	if (a == -ENOMEM || b == -ENOMEM)
		goto out;
	if (a != b || (a == 0 && (o2.len != plain.len ||
				  memcmp(o2.data ? o2.data : "", plain.data ? plain.data : "", o2.len))))
		rc = -1;
out:
	snapdelta_split_fini(&s1);
	snapdelta_split_fini(&s2);
	buf_fini(&o1);
	buf_fini(&o2);
	buf_fini(&plain);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf enc = BUF_INIT, out = BUF_INIT;
	struct snapdelta_prov prov = {0};
	const char *what = NULL, *p = (const char *)data;
	size_t cut;
	int rc;

	if (size < 2)
		return 0;
	cut = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	p += 2;
	size -= 2;
	/* 1. the input as (base, encoding), with the lines' sources: one per
	 * decoded line, each copy from a line the base has */
	rc = snapdelta_decode_prov(p, cut, p + cut, size - cut, &out, &prov, &what);
	if (rc < 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc == -EINVAL && !what)
		abort();
	if (out.len > SNAPDELTA_SECTION_MAX)
		abort();
	if (rc == 0 && prov.valid) {
		size_t lines = 0, blines = 1;

		for (size_t i = 0; i < out.len; i++)
			lines += out.data[i] == '\n';
		lines += out.len && out.data[out.len - 1] != '\n';
		for (size_t i = 0; i < cut; i++)
			blines += p[i] == '\n';
		if (prov.n != lines)
			abort();
		/* each source gives its line's length: the lines, end to end */
		for (size_t i = 0, off = 0; i < prov.n; i++) {
			if (prov.v[i].base > blines || prov.v[i].len > out.len - off ||
			    (off + prov.v[i].len < out.len && out.data[off + prov.v[i].len] != '\n') ||
			    memchr(out.data + off, '\n', prov.v[i].len))
				abort();
			off += (size_t)prov.v[i].len + 1;
		}
	}
	snapdelta_prov_fini(&prov);
	/* 1b. the encoding applied again, to what it gave: against the lines
	 * the first decode kept, exactly as against the text */
	if (kept_lines_agree(p, cut, p + cut, size - cut) < 0)
		abort();
	/* 2. the input as (base, text): the delta round-trips */
	buf_reset(&out);
	rc = snapdelta_encode(names[data[1] % 4], p, cut, p + cut, size - cut, &enc);
	if (rc == 0) {
		rc = snapdelta_decode(p, cut, enc.data, enc.len, &out, &what);
		if (rc != 0 || out.len != size - cut || memcmp(out.data ? out.data : "", p + cut, out.len))
			abort();
	}
	/* 3. the same with the streaming encoder against a compact base */
	buf_reset(&out);
	if (stream_round_trip(names[data[1] % 4], p, cut, p + cut, size - cut,
			      1 + (size_t)data[0] % 97, &enc, &out) < 0)
		abort();
	buf_fini(&enc);
	buf_fini(&out);
	return 0;
}
