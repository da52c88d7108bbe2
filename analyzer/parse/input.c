/* input — raw bytes from a file or stdin, decompressed by zstd (segread's
 * decoder, which also judges how the stream ended) or zlib when the magic
 * says so, SHA-256 of the raw bytes kept on the way. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "input.h"
#include "segread.h"

#define RAW_CHUNK (128 * 1024)
/* read-ahead: decoded slots between the decoding thread and the reader */
#define RA_SLOTS 4
#define RA_SLOT (256 * 1024)

struct readahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	char *slot[RA_SLOTS];
	size_t len[RA_SLOTS];
	unsigned head, tail, count;   /* fill at head, take at tail */
	size_t pos;                   /* read position in the tail slot */
	bool done, stop;
	ssize_t end_rc;               /* 0 or -errno once done */
};

struct input {
	int fd;
	bool own_fd;
	enum input_codec codec;
	bool eof_raw;            /* no more raw bytes */
	bool truncated;
	uint64_t raw_bytes, limit, size;
	bool has_mtime;
	usec_t mtime;
	struct sha256 sha;
	bool hash;               /* keep sha up to date */
	uint8_t *raw;            /* RAW_CHUNK */
	size_t raw_pos, raw_len;
	struct segread_zstd *zd;
	z_stream zs;
	bool zs_init;
	bool frame_open;         /* a gzip member started and has not ended */
	char err[160];
	_Atomic uint64_t raw_seen;   /* raw_bytes for other threads (progress) */
	struct readahead *ra;    /* NULL: decode in the caller's thread */
	const uint8_t *head;     /* input_open_head: read before fd */
	size_t head_len, head_pos;
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
	if (in->head_pos < in->head_len) {
		n = (ssize_t)(in->head_len - in->head_pos < want ? in->head_len - in->head_pos : want);
		memcpy(in->raw, in->head + in->head_pos, (size_t)n);
		in->head_pos += (size_t)n;
	} else {
		do
			n = read(in->fd, in->raw, want);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0) {
		snprintf(in->err, sizeof in->err, "read: %s", strerror(errno));
		return -errno;
	}
	if (n == 0)
		in->eof_raw = true;
	if (in->hash)
		sha256_update(&in->sha, in->raw, (size_t)n);
	in->raw_bytes += (uint64_t)n;
	atomic_store_explicit(&in->raw_seen, in->raw_bytes, memory_order_relaxed);
	in->raw_pos = 0;
	in->raw_len = (size_t)n;
	return n;
}

int input_open(const char *path, uint64_t limit, bool hash, struct input **out, char *err,
	       size_t errsz)
{
	return input_open_head(path, NULL, 0, limit, hash, out, err, errsz);
}

int input_open_head(const char *path, const void *head, size_t headlen, uint64_t limit,
		    bool hash, struct input **out, char *err, size_t errsz)
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
	in->hash = hash;
	in->limit = limit;
	if (!strcmp(path, "-")) {
		in->fd = STDIN_FILENO;
		in->head = head;
		in->head_len = head ? headlen : 0;
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
		rc = segread_zstd_new(&in->zd);
		if (rc < 0) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
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

static void readahead_stop(struct input *in);

void input_free(struct input *in)
{
	if (!in)
		return;
	readahead_stop(in);
	if (in->own_fd)
		close(in->fd);
	segread_zstd_free(in->zd);
	if (in->zs_init)
		inflateEnd(&in->zs);
	free(in->raw);
	free(in);
}

/* Undecodable data ends the input like a cut does (what came before stays
 * read); input_end() says CORRUPT and input_error() why. */
static ssize_t read_zstd(struct input *in, void *p, size_t n)
{
	size_t opos = 0;

	while (opos == 0) {
		if (in->raw_pos == in->raw_len) {
			ssize_t got = fill_raw(in);

			if (got < 0)
				return got;
			if (got == 0)
				break;
		}
		if (segread_zstd_step(in->zd, in->raw, in->raw_len, &in->raw_pos, p, n, &opos) < 0) {
			ssize_t got;

			snprintf(in->err, sizeof in->err, "zstd: %s", segread_zstd_error(in->zd));
			/* the rest is undecodable: read (and hash) it all, decode none */
			do
				got = fill_raw(in);
			while (got > 0);
			if (got < 0)
				return got;
			in->raw_pos = in->raw_len;
			break;
		}
	}
	if (opos == 0)
		in->truncated = segread_zstd_end(in->zd) != SEGREAD_END_CLEAN;
	return (ssize_t)opos;
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

/* Decodes up to n bytes in the calling thread. */
static ssize_t decode_read(struct input *in, void *p, size_t n)
{
	size_t take;

	if (n == 0)
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

/* The decoding thread: fills slots until the input ends or it is told to
 * stop. Owns `in`'s decoder state; the reader only takes slots. */
static void *readahead_main(void *arg)
{
	struct input *in = arg;
	struct readahead *ra = in->ra;

	for (;;) {
		ssize_t n = 0, got;
		unsigned slot;

		pthread_mutex_lock(&ra->mu);
		while (ra->count == RA_SLOTS && !ra->stop)
			pthread_cond_wait(&ra->emptied, &ra->mu);
		slot = ra->head;
		pthread_mutex_unlock(&ra->mu);
		if (ra->stop)
			break;
		/* fill the whole slot: fewer, larger hand-overs */
		do {
			got = decode_read(in, ra->slot[slot] + n, RA_SLOT - (size_t)n);
			if (got > 0)
				n += got;
		} while (got > 0 && n < RA_SLOT);
		pthread_mutex_lock(&ra->mu);
		if (n > 0) {
			ra->len[slot] = (size_t)n;
			ra->head = (ra->head + 1) % RA_SLOTS;
			ra->count++;
		}
		if (got <= 0) {
			ra->done = true;
			ra->end_rc = got;
		}
		pthread_cond_signal(&ra->filled);
		pthread_mutex_unlock(&ra->mu);
		if (got <= 0)
			break;
	}
	return NULL;
}

int input_readahead(struct input *in)
{
	struct readahead *ra = calloc(1, sizeof *ra);
	int i;

	if (!ra)
		return -ENOMEM;
	for (i = 0; i < RA_SLOTS; i++)
		if (!(ra->slot[i] = malloc(RA_SLOT)))
			goto fail;
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->filled, NULL);
	pthread_cond_init(&ra->emptied, NULL);
	in->ra = ra;
	if (pthread_create(&ra->thread, NULL, readahead_main, in) != 0) {
		in->ra = NULL;
		pthread_mutex_destroy(&ra->mu);
		pthread_cond_destroy(&ra->filled);
		pthread_cond_destroy(&ra->emptied);
		goto fail;
	}
	return 0;
fail:
	for (i = 0; i < RA_SLOTS; i++)
		free(ra->slot[i]);
	free(ra);
	return -ENOMEM;   /* the caller may go on without read-ahead */
}

static void readahead_stop(struct input *in)
{
	struct readahead *ra = in->ra;

	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->stop = true;
	pthread_cond_signal(&ra->emptied);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->thread, NULL);
	pthread_mutex_destroy(&ra->mu);
	pthread_cond_destroy(&ra->filled);
	pthread_cond_destroy(&ra->emptied);
	for (int i = 0; i < RA_SLOTS; i++)
		free(ra->slot[i]);
	free(ra);
	in->ra = NULL;
}

static ssize_t readahead_read(struct readahead *ra, void *p, size_t n)
{
	ssize_t rc;

	pthread_mutex_lock(&ra->mu);
	while (ra->count == 0 && !ra->done)
		pthread_cond_wait(&ra->filled, &ra->mu);
	if (ra->count == 0) {
		rc = ra->end_rc;
	} else {
		size_t left = ra->len[ra->tail] - ra->pos;

		if (n > left)
			n = left;
		memcpy(p, ra->slot[ra->tail] + ra->pos, n);
		ra->pos += n;
		if (ra->pos == ra->len[ra->tail]) {
			ra->pos = 0;
			ra->tail = (ra->tail + 1) % RA_SLOTS;
			ra->count--;
			pthread_cond_signal(&ra->emptied);
		}
		rc = (ssize_t)n;
	}
	pthread_mutex_unlock(&ra->mu);
	return rc;
}

ssize_t input_read(struct input *in, void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (in->ra)
		return readahead_read(in->ra, p, n);
	return decode_read(in, p, n);
}

const char *input_error(const struct input *in) { return in->err; }
enum input_codec input_codec(const struct input *in) { return in->codec; }
enum segread_end input_end(const struct input *in)
{
	if (in->codec == INPUT_ZSTD)
		return segread_zstd_end(in->zd);
	/* gzip cannot tell a cut between blocks from one inside */
	return in->truncated ? SEGREAD_END_CUT : SEGREAD_END_CLEAN;
}

uint64_t input_raw_bytes(const struct input *in)
{
	return atomic_load_explicit(&in->raw_seen, memory_order_relaxed);
}
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
