/* input — raw bytes from a file or stdin, decompressed by zstd or zlib when
 * the magic says so, SHA-256 of the raw bytes kept on the way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "input.h"

#define RAW_CHUNK (128 * 1024)

struct input {
	int fd;
	bool own_fd;
	enum input_codec codec;
	bool eof_raw;            /* no more raw bytes */
	bool done;               /* decoder finished */
	bool truncated;
	uint64_t raw_bytes, limit, size;
	bool has_mtime;
	usec_t mtime;
	struct sha256 sha;
	uint8_t *raw;            /* RAW_CHUNK */
	size_t raw_pos, raw_len;
	ZSTD_DCtx *zd;
	z_stream zs;
	bool zs_init;
	bool frame_open;         /* a zstd/gzip member started and has not ended */
	char err[160];
};

static ssize_t fill_raw(struct input *in)
{
	size_t want = RAW_CHUNK;
	ssize_t n;

	if (in->eof_raw)
		return 0;
	if (in->limit && in->limit - in->raw_bytes < want)
		want = (size_t)(in->limit - in->raw_bytes);
	if (want == 0) {
		in->eof_raw = true;
		return 0;
	}
	do
		n = read(in->fd, in->raw, want);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(in->err, sizeof in->err, "read: %s", strerror(errno));
		return -errno;
	}
	if (n == 0)
		in->eof_raw = true;
	sha256_update(&in->sha, in->raw, (size_t)n);
	in->raw_bytes += (uint64_t)n;
	in->raw_pos = 0;
	in->raw_len = (size_t)n;
	return n;
}

int input_open(const char *path, uint64_t limit, struct input **out, char *err, size_t errsz)
{
	struct input *in = calloc(1, sizeof *in);
	struct stat st;
	int rc;

	*out = NULL;
	if (!in || !(in->raw = malloc(RAW_CHUNK))) {
		free(in);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	sha256_init(&in->sha);
	in->limit = limit;
	if (!strcmp(path, "-")) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (in->fd < 0) {
			rc = -errno;
			snprintf(err, errsz, "%s", strerror(errno));
			goto fail;
		}
		in->own_fd = true;
	}
	if (fstat(in->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			rc = -EISDIR;
			snprintf(err, errsz, "is a directory");
			goto fail;
		}
		if (S_ISREG(st.st_mode)) {
			in->size = (uint64_t)st.st_size;
			if (limit && limit < in->size)
				in->size = limit;
			if (in->fd != STDIN_FILENO) {
				in->has_mtime = true;
				in->mtime = (usec_t)st.st_mtim.tv_sec * USEC_PER_SEC +
					    st.st_mtim.tv_nsec / 1000;
			}
		}
	}
	/* sniff: the first read decides the codec */
	rc = (int)fill_raw(in);
	if (rc < 0) {
		snprintf(err, errsz, "%s", in->err);
		goto fail;
	}
	if (in->raw_len >= 4 && !memcmp(in->raw, "\x28\xb5\x2f\xfd", 4)) {
		in->codec = INPUT_ZSTD;
		in->zd = ZSTD_createDCtx();
		if (!in->zd) {
			rc = -ENOMEM;
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		/* a hostile frame must not make us allocate gigabytes */
		ZSTD_DCtx_setParameter(in->zd, ZSTD_d_windowLogMax, 27);
	} else if (in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
		in->codec = INPUT_GZIP;
		if (inflateInit2(&in->zs, 15 + 16) != Z_OK) {
			rc = -ENOMEM;
			snprintf(err, errsz, "zlib: cannot initialise");
			goto fail;
		}
		in->zs_init = true;
	}
	*out = in;
	return 0;
fail:
	input_free(in);
	return rc;
}

void input_free(struct input *in)
{
	if (!in)
		return;
	if (in->own_fd)
		close(in->fd);
	ZSTD_freeDCtx(in->zd);
	if (in->zs_init)
		inflateEnd(&in->zs);
	free(in->raw);
	free(in);
}

static ssize_t read_zstd(struct input *in, void *p, size_t n)
{
	ZSTD_outBuffer ob = {p, n, 0};

	while (ob.pos == 0) {
		ZSTD_inBuffer ib;
		size_t r;

		if (in->raw_pos == in->raw_len) {
			ssize_t got = fill_raw(in);

			if (got < 0)
				return got;
			if (got == 0) {
				in->truncated = in->frame_open;
				return 0;
			}
		}
		ib.src = in->raw;
		ib.size = in->raw_len;
		ib.pos = in->raw_pos;
		r = ZSTD_decompressStream(in->zd, &ob, &ib);
		in->raw_pos = ib.pos;
		if (ZSTD_isError(r)) {
			snprintf(in->err, sizeof in->err, "zstd: %s", ZSTD_getErrorName(r));
			return -EBADMSG;
		}
		/* r == 0: a frame ended; the next bytes (if any) start another */
		in->frame_open = r != 0;
	}
	return (ssize_t)ob.pos;
}

static ssize_t read_gzip(struct input *in, void *p, size_t n)
{
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	in->zs.next_out = p;
	in->zs.avail_out = (uInt)n;
	while (in->zs.avail_out == n) {
		int r;

		if (in->raw_pos == in->raw_len) {
			ssize_t got = fill_raw(in);

			if (got < 0)
				return got;
			if (got == 0) {
				in->truncated = in->frame_open;
				return 0;
			}
		}
		in->zs.next_in = in->raw + in->raw_pos;
		in->zs.avail_in = (uInt)(in->raw_len - in->raw_pos);
		r = inflate(&in->zs, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->zs.avail_in;
		if (r == Z_STREAM_END) {
			/* concatenated members (cat a.gz b.gz) are one stream */
			in->frame_open = false;
			inflateReset(&in->zs);
			continue;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			snprintf(in->err, sizeof in->err, "gzip: %s",
				 in->zs.msg ? in->zs.msg : "corrupt data");
			return -EBADMSG;
		}
		in->frame_open = true;
	}
	return (ssize_t)(n - in->zs.avail_out);
}

ssize_t input_read(struct input *in, void *p, size_t n)
{
	size_t take;

	if (n == 0 || in->done)
		return 0;
	if (in->codec == INPUT_ZSTD)
		return read_zstd(in, p, n);
	if (in->codec == INPUT_GZIP)
		return read_gzip(in, p, n);
	if (in->raw_pos == in->raw_len) {
		ssize_t got = fill_raw(in);

		if (got <= 0)
			return got;
	}
	take = in->raw_len - in->raw_pos;
	if (take > n)
		take = n;
	memcpy(p, in->raw + in->raw_pos, take);
	in->raw_pos += take;
	return (ssize_t)take;
}

const char *input_error(const struct input *in) { return in->err; }
enum input_codec input_codec(const struct input *in) { return in->codec; }
bool input_truncated(const struct input *in) { return in->truncated; }
uint64_t input_raw_bytes(const struct input *in) { return in->raw_bytes; }
uint64_t input_size(const struct input *in) { return in->size; }
bool input_has_mtime(const struct input *in) { return in->has_mtime; }
usec_t input_mtime(const struct input *in) { return in->mtime; }

const char *input_codec_name(enum input_codec c)
{
	return c == INPUT_ZSTD ? "zstd" : c == INPUT_GZIP ? "gzip" : "plain";
}

void input_sha256_hex(const struct input *in, char hex[SHA256_HEXLEN + 1])
{
	struct sha256 c = in->sha;   /* final() consumes the context */
	uint8_t d[SHA256_LEN];

	sha256_final(&c, d);
	sha256_hex(d, hex);
}

int input_hash_file(const char *path, char hex[SHA256_HEXLEN + 1], uint64_t *size)
{
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	uint8_t *b = malloc(RAW_CHUNK);
	int fd, rc = 0;
	ssize_t n;

	*size = 0;
	if (!b)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		free(b);
		return -errno;
	}
	sha256_init(&c);
	for (;;) {
		n = read(fd, b, RAW_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		sha256_update(&c, b, (size_t)n);
		*size += (uint64_t)n;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
out:
	close(fd);
	free(b);
	return rc;
}
