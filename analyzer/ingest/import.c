/* import — what `sockscope import` does per path: walk directories, skip
 * content already imported (SHA-256), recognise the format, run the
 * segment or text importer in one transaction, report. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "import_int.h"
#include "termsafe.h"

struct importer {
	sqlite3 *db;
	const struct import_opts *o;
	FILE *msg;
	struct store *store;
	struct import_totals t;
	unsigned depth;
	bool tap;                /* rows go to a store tap: nothing to hash */
	bool stopped;            /* a database error: files are counted, not read */
	/* tap: regular files read, so one named twice is read once (the
	 * database's content hash does that otherwise) */
	struct {
		dev_t dev;
		ino_t ino;
	} *read;
	size_t nread;
	/* the database's own files (main, -wal, -shm), never read as input */
	struct stat own[3];
	unsigned nown;
};

/* Directory recursion stops here: deeper trees are refused, not followed. */
#define MAX_DEPTH 32

int importer_new(sqlite3 *db, const struct import_opts *o, FILE *msg, struct importer **out,
		 char *err, size_t errsz)
{
	struct importer *im = calloc(1, sizeof *im);
	int rc;

	*out = NULL;
	if (!im) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	im->db = db;
	im->o = o;
	im->msg = msg;
	{
		const char *f = sqlite3_db_filename(db, "main");
		static const char *const suffix[] = {"", "-wal", "-shm"};

		for (unsigned i = 0; f && *f && i < 3; i++) {
			char path[PATH_MAX];

			if ((size_t)snprintf(path, sizeof path, "%s%s", f, suffix[i]) < sizeof path &&
			    stat(path, &im->own[im->nown]) == 0)
				im->nown++;
		}
	}
	rc = store_new(db, &im->store, err, errsz);
	if (rc < 0) {
		free(im);
		return rc;
	}
	*out = im;
	return 0;
}

int importer_new_tap(const struct import_opts *o, const struct store_tap *tap, FILE *msg,
		     struct importer **out)
{
	struct importer *im = calloc(1, sizeof *im);

	*out = NULL;
	if (!im)
		return -ENOMEM;
	im->o = o;
	im->msg = msg;
	im->tap = true;
	if (store_new_tap(tap, &im->store) < 0) {
		free(im);
		return -ENOMEM;
	}
	*out = im;
	return 0;
}

void importer_free(struct importer *im)
{
	if (!im)
		return;
	store_free(im->store);
	free(im->read);
	free(im);
}

const struct import_totals *importer_totals(const struct importer *im)
{
	return &im->t;
}

/* Which importer: a segment starts with the magic (docs/FORMAT.md); other
 * text goes to format detection unless --format says. */
static int choose(struct importer *im, struct lines *l, const struct textfmt **f, bool *segment,
		  const char **why)
{
	const char *text;
	size_t len;
	int rc;

	*f = NULL;
	*segment = false;
	rc = lines_peek(l, 64 * 1024, &text, &len);
	if (rc < 0)
		return rc;
	if (len == 0) {
		enum segread_end end = input_end(l->in);

		*why = end == SEGREAD_END_CUT ? "compressed data ends inside its first block "
						"(a torn or partly copied file): nothing to import"
		     : end == SEGREAD_END_CORRUPT ? "undecodable compressed data from the start: "
						    "nothing to import"
						  : "empty";
		return 1;
	}
	if (im->o->format) {
		if (!strcmp(im->o->format, "segment"))
			*segment = true;
		else
			*f = textfmt_find(im->o->format);
		return 0;
	}
	if (len >= 10 && !memcmp(text, "SOCKSCOPE ", 10)) {
		*segment = true;
		return 0;
	}
	*f = textfmt_detect(text, len);
	if (!*f) {
		*why = "not a format sockscope knows (a sockscope segment, or netstat, ss, "
		       "/proc/net, BSD or Windows netstat output); --format forces one";
		return 1;
	}
	return 0;
}

static void stdin_placeholder(char *out, size_t n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, n, "pending-%ld-%ld.%09ld", (long)getpid(), (long)ts.tv_sec, ts.tv_nsec);
}

/* A database failure: reported once, the transaction (if begun) rolled
 * back, and nothing more read. -EIO. */
static int db_failed(struct importer *im, struct import_source *src, bool began)
{
	import_clear_progress(src);
	fprintf(im->msg, "%s: database error: %s\n", src->path, store_error(im->store));
	snprintf(im->t.db_error, sizeof im->t.db_error, "%s", store_error(im->store));
	if (began)
		store_rollback(im->store);
	im->stopped = true;
	return -EIO;
}

/* Tap: a regular file named twice is read once. 0: read it; otherwise
 * *done and 0 (already read) or 1 (skipped). */
static int tap_seen(struct importer *im, const char *open_path, const char *path, bool *done)
{
	struct stat st;
	void *v;

	if (stat(open_path, &st) != 0)
		return 0;
	for (size_t i = 0; i < im->nread; i++)
		if (im->read[i].dev == st.st_dev && im->read[i].ino == st.st_ino) {
			if (!im->o->quiet)
				fprintf(im->msg, "%s: already read, skipped\n", path);
			im->t.already++;
			*done = true;
			return 0;
		}
	v = realloc(im->read, (im->nread + 1) * sizeof *im->read);
	if (!v) {
		fprintf(im->msg, "%s: skipped: out of memory\n", path);
		im->t.failed++;
		*done = true;
		return 1;
	}
	im->read = v;
	im->read[im->nread].dev = st.st_dev;
	im->read[im->nread++].ino = st.st_ino;
	return 0;
}

/* Step 1, hash and de-duplicate: a regular file's SHA-256 (and size) into
 * sha, and a file whose content is imported already is skipped; stdin gets
 * a placeholder (it is hashed as it is read). 0 to go on; *done with the
 * file's result (0 already imported, 1 skipped); or -EIO. */
static int hash_and_dedup(struct importer *im, struct import_source *src, const char *open_path,
			  bool regular, char sha[SHA256_HEXLEN + 1], uint64_t *size, bool *done)
{
	int64_t id;
	int rc;

	if (im->tap) {
		snprintf(sha, SHA256_HEXLEN + 1, "tap");
		return regular ? tap_seen(im, open_path, src->path, done) : 0;
	}
	if (!regular) {
		stdin_placeholder(sha, SHA256_HEXLEN + 1);
		return 0;
	}
	*done = true;
	rc = input_hash_file(open_path, sha, size);
	if (rc < 0) {
		fprintf(im->msg, "%s: skipped: %s\n", src->path, strerror(-rc));
		im->t.failed++;
		return 1;
	}
	rc = store_source_find(im->store, sha, &id);
	if (rc < 0)
		return db_failed(im, src, false);
	if (rc == 1) {
		if (!im->o->quiet)
			fprintf(im->msg, "%s: already imported (source %" PRId64 "), skipped\n",
				src->path, id);
		im->t.already++;
		return 0;
	}
	if (*size == 0) {
		fprintf(im->msg, "%s: skipped: empty\n", src->path);
		im->t.failed++;
		return 1;
	}
	*done = false;
	return 0;
}

/* Step 2, open and detect: the input (decompressed, read ahead), its lines
 * (*lines_ok: l is to be finished) and which importer. 0 to go on; *done
 * and 1 when skipped; -errno when out of memory. */
static int open_and_detect(struct importer *im, struct import_source *src, const char *open_path,
			   bool regular, uint64_t size, struct lines *l, bool *lines_ok,
			   const struct textfmt **f, bool *segment, bool *done)
{
	const char *why = NULL;
	char err[256];
	int rc;

	/* a regular file was hashed in step 1; a pipe is hashed as it is read */
	rc = input_open_head(open_path, im->o->stdin_head, im->o->stdin_head_len,
			     regular ? size : 0, !regular && !im->tap, &src->in, err, sizeof err);
	if (rc < 0) {
		fprintf(im->msg, "%s: skipped: %s\n", src->path, err);
		im->t.failed++;
		*done = true;
		return 1;
	}
	/* decompression and hashing overlap parsing and SQLite */
	(void)input_readahead(src->in);
	rc = lines_init(l, src->in);
	if (rc < 0)
		return rc;
	*lines_ok = true;
	rc = choose(im, l, f, segment, &why);
	if (rc != 0) {
		if (rc < 0)
			why = input_error(src->in)[0] ? input_error(src->in) : strerror(-rc);
		fprintf(im->msg, "%s: skipped: %s\n", src->path, why);
		im->t.failed++;
		*done = true;
		return 1;
	}
	return 0;
}

/* Content another import took since step 1 (the database's unique hash
 * says so): rolled back and counted as already imported. 0. */
static int taken_meanwhile(struct importer *im, struct import_source *src)
{
	import_clear_progress(src);
	store_rollback(im->store);
	if (!im->o->quiet)
		fprintf(im->msg, "%s: already imported (same content), skipped\n", src->path);
	im->t.already++;
	return 0;
}

/* How the input's stream ended, judged as verify judges it (segread.h): an
 * open zstd frame is the normal state of a segment being written (torn
 * snapshots were reported by the reader); a cut inside a block or
 * undecodable data has lost what it held. */
static void report_stream_end(struct import_source *src)
{
	char what[256];

	switch (input_end(src->in)) {
	case SEGREAD_END_CUT:
		import_bad(src, 0, segread_end_text(SEGREAD_END_CUT));
		break;
	case SEGREAD_END_CORRUPT:
		snprintf(what, sizeof what, "%s (%s)", segread_end_text(SEGREAD_END_CORRUPT),
			 input_error(src->in));
		import_bad(src, 0, what);
		break;
	case SEGREAD_END_OPEN:
		import_warn(src, "the zstd frame is not closed (a segment still being written, "
				 "or cut short): every complete snapshot was imported");
		break;
	default:
		break;
	}
}

/* Step 3, the transaction: the source row, its snapshots, its totals,
 * committed together or not at all. 0 committed; *done and 0 when the
 * content turned out to be imported already; -EIO. */
static int import_transaction(struct importer *im, struct import_source *src, struct lines *l,
			      const struct textfmt *f, bool segment, bool regular,
			      char sha[SHA256_HEXLEN + 1], uint64_t size, bool *done)
{
	int rc;

	rc = store_begin(im->store);
	if (rc < 0)
		return db_failed(im, src, false);
	rc = store_source_add(im->store,
			      &(struct store_source){src->name, sha, segment ? "segment" : f->name, size},
			      &src->source_id);
	if (rc == -EEXIST) {
		*done = true;
		return taken_meanwhile(im, src);
	}
	if (rc < 0)
		return db_failed(im, src, true);
	rc = segment ? import_segment(src, l) : import_text(src, l, f);
	if (rc < 0)
		return db_failed(im, src, true);
	report_stream_end(src);
	if (!regular && !im->tap)
		input_sha256_hex(src->in, sha);
	rc = store_source_finish(im->store, src->source_id, sha, input_raw_bytes(src->in),
				 src->snapshots, src->sockets, src->bad_lines,
				 src->first_error[0] ? src->first_error : NULL);
	if (rc == -EEXIST) {
		*done = true;
		return taken_meanwhile(im, src);
	}
	if (rc < 0)
		return db_failed(im, src, true);
	rc = store_commit(im->store);
	if (rc < 0)
		return db_failed(im, src, true);
	return 0;
}

/* Step 4: the source's counts into the totals, and its line. 1 when it had
 * bad lines, else 0. */
static int count_and_report(struct importer *im, struct import_source *src,
			    const struct textfmt *f, bool segment)
{
	import_clear_progress(src);
	im->t.sources++;
	im->t.snapshots += src->snapshots;
	im->t.sockets += src->sockets;
	im->t.bad_lines += src->bad_lines;
	im->t.dup_snapshots += src->dup_snapshots;
	im->t.changed_snapshots += src->changed_snapshots;
	im->t.named_peers += src->named_peers;
	im->t.bytes += input_raw_bytes(src->in);
	if (!im->o->quiet) {
		fprintf(im->msg, "%s: %s, %" PRIu64 " snapshot%s, %" PRIu64 " sockets", src->path,
			segment ? "sockscope segment" : f->name, src->snapshots,
			src->snapshots == 1 ? "" : "s", src->sockets);
		if (src->dup_snapshots)
			fprintf(im->msg, ", %" PRIu64 " already imported", src->dup_snapshots);
		if (src->changed_snapshots)
			fprintf(im->msg, ", %" PRIu64 " differ%s from one already imported at the same "
					 "time (kept)",
				src->changed_snapshots, src->changed_snapshots == 1 ? "" : "s");
		if (src->bad_lines)
			fprintf(im->msg, ", %" PRIu64 " bad", src->bad_lines);
		fputc('\n', im->msg);
	}
	return src->bad_lines ? 1 : 0;
}

/* One file in four steps. name is sources.path, path the same made
 * visible (termsafe) for messages: a file name may carry ESC or LF;
 * open_path is what is opened (the target of a symlink named on the
 * command line). 0, 1 when skipped or with bad lines, -EIO when the
 * database failed (then no later file is read). */
static int import_file(struct importer *im, const char *name, const char *path,
		       const char *open_path, bool regular)
{
	struct import_source src = {0};
	struct lines l;
	const struct textfmt *f = NULL;
	bool segment = false, lines_ok = false, done = false;
	char sha[SHA256_HEXLEN + 1];
	uint64_t size = 0;
	int rc;

	if (im->stopped) {
		im->t.not_tried++;
		return -EIO;
	}
	import_source_start(&src, im->o, im->store, im->msg, name, path);
	rc = hash_and_dedup(im, &src, open_path, regular, sha, &size, &done);
	if (rc == 0 && !done)
		rc = open_and_detect(im, &src, open_path, regular, size, &l, &lines_ok, &f, &segment,
				     &done);
	if (rc == 0 && !done)
		rc = import_transaction(im, &src, &l, f, segment, regular, sha, size, &done);
	if (rc == 0 && !done)
		rc = count_and_report(im, &src, f, segment);
	if (lines_ok)
		lines_fini(&l);
	input_free(src.in);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	return rc;
}

/* One of the database's own files: importing a directory that holds the
 * database (sockscope import .) must not read it as input. */
static bool is_own(const struct importer *im, const struct stat *st)
{
	for (unsigned i = 0; i < im->nown; i++)
		if (im->own[i].st_dev == st->st_dev && im->own[i].st_ino == st->st_ino)
			return true;
	return false;
}

/* The recorder's per-host lock file (.sockscope-<host>.lock, holding a
 * pid) lives beside its segments; it is no input. */
static bool is_recorder_lock(const char *name)
{
	size_t n = strlen(name);

	return n > 16 && !strncmp(name, ".sockscope-", 11) && !strcmp(name + n - 5, ".lock");
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int import_dir(struct importer *im, const char *dir)
{
	struct dirent **ents = NULL;
	char *shown;
	int n, worst = 0;
	size_t dl;

	if (im->depth >= MAX_DEPTH) {
		shown = termsafe_dup(dir);
		fprintf(im->msg, "%s: skipped: directories nested deeper than %d\n",
			shown ? shown : "?", MAX_DEPTH);
		free(shown);
		im->t.failed++;
		return 1;
	}
	n = scandir(dir, &ents, NULL, name_cmp);
	if (n < 0) {
		int e = errno;

		shown = termsafe_dup(dir);
		fprintf(im->msg, "%s: skipped: %s\n", shown ? shown : "?", strerror(e));
		free(shown);
		im->t.failed++;
		return 1;
	}
	im->depth++;
	dl = strlen(dir);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char path[PATH_MAX];
		struct stat st;
		int rc = 0;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			goto next;
		/* "dir/" as given stays one slash */
		if ((size_t)snprintf(path, sizeof path, "%.*s/%s",
				     (int)(dl > 1 && dir[dl - 1] == '/' ? dl - 1 : dl), dir,
				     name) >= sizeof path) {
			shown = termsafe_dup(dir);
			fprintf(im->msg, "%s/...: skipped: path too long\n", shown ? shown : "?");
			free(shown);
			im->t.failed++;
			rc = 1;
		} else if (!(shown = termsafe_dup(path))) {
			fprintf(im->msg, "a file in a directory: skipped: out of memory\n");
			im->t.failed++;
			rc = 1;
		} else {
			if (lstat(path, &st) < 0) {
				fprintf(im->msg, "%s: skipped: %s\n", shown, strerror(errno));
				im->t.failed++;
				rc = 1;
			} else if (S_ISDIR(st.st_mode)) {
				rc = import_dir(im, path);
			} else if (S_ISREG(st.st_mode) && !is_own(im, &st) &&
				   !is_recorder_lock(name)) {
				rc = import_file(im, path, shown, path, true);
			}
			free(shown);
		}
		/* symlinks, sockets, fifos inside a directory are not followed */
		if (rc < 0 || (rc > 0 && worst == 0))
			worst = rc;
next:
		free(ents[i]);
	}
	free(ents);
	im->depth--;
	return worst;
}

int importer_path(struct importer *im, const char *path)
{
	char real[PATH_MAX], *shown;
	struct stat st;
	int rc;

	/* after a database error the rest is walked only to count it */
	if (im->stopped && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return import_dir(im, path);
	if (im->stopped) {
		im->t.not_tried++;
		return -EIO;
	}
	if (!strcmp(path, "-"))
		return import_file(im, path, path, path, false);
	shown = termsafe_dup(path);
	if (!shown) {
		fprintf(im->msg, "a file: skipped: out of memory\n");
		im->t.failed++;
		return 1;
	}
	/* a symlink named on the command line is what the user wants read;
	 * inside directories links are not followed */
	if (stat(path, &st) < 0 || !realpath(path, real)) {
		fprintf(im->msg, "%s: skipped: %s\n", shown, strerror(errno));
		im->t.failed++;
		rc = 1;
	} else if (S_ISDIR(st.st_mode)) {
		rc = import_dir(im, path);
	} else {
		rc = import_file(im, path, shown, real, S_ISREG(st.st_mode));
	}
	free(shown);
	return rc;
}
