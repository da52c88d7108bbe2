/* import_source — one source being imported: its messages (bad lines,
 * warnings, the progress line) and the counts they keep. Called by the
 * importers (import_segment.c, import_text.c) and by import.c; calls
 * nothing of theirs. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import_int.h"
#include "termsafe.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void import_source_start(struct import_source *src, const struct import_opts *o,
			 struct store *store, FILE *msg, const char *name, const char *path)
{
	src->opts = o;
	src->store = store;
	src->msg = msg;
	src->name = name;
	src->path = path;
	src->t_start = src->t_drawn = now_s();
}

void import_clear_progress(struct import_source *src)
{
	if (src->drawn) {
		fputs("\r\033[K", src->msg);
		src->drawn = false;
	}
}

static void vwarn(struct import_source *src, const char *fmt, va_list ap)
{
	import_clear_progress(src);
	fprintf(src->msg, "%s: warning: ", src->path);
	vfprintf(src->msg, fmt, ap);
	fputc('\n', src->msg);
}

void import_flag(struct import_source *src, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(src, fmt, ap);
	va_end(ap);
}

void import_warn(struct import_source *src, const char *fmt, ...)
{
	va_list ap;

	if (src->opts->quiet)
		return;
	va_start(ap, fmt);
	vwarn(src, fmt, ap);
	va_end(ap);
}

void import_bad(struct import_source *src, uint64_t lineno, const char *what)
{
	char where[64] = "";

	if (lineno)
		snprintf(where, sizeof where, "%" PRIu64 ": ", lineno);
	else
		snprintf(where, sizeof where, " ");
	/* stored as read (src->name); shown made visible, by sources too */
	if (src->bad_lines == 0)
		snprintf(src->first_error, sizeof src->first_error, "%s:%s%s", src->name, where,
			 what);
	src->bad_lines++;
	if (src->bad_lines > src->opts->show_errors + 1)
		return;
	import_clear_progress(src);
	if (src->bad_lines == src->opts->show_errors + 1) {
		fprintf(src->msg, "%s: (further errors are counted, not shown)\n", src->path);
	} else {
		char *shown = termsafe_dup(what);

		fprintf(src->msg, "%s:%s%s\n", src->path, where, shown ? shown : "(out of memory)");
		free(shown);
	}
}

static void human_bytes(uint64_t b, char *out, size_t n)
{
	if (b >= 1000000000)
		snprintf(out, n, "%.2f GB", (double)b / 1e9);
	else if (b >= 1000000)
		snprintf(out, n, "%.1f MB", (double)b / 1e6);
	else
		snprintf(out, n, "%.1f kB", (double)b / 1e3);
}

void import_progress(struct import_source *src)
{
	double t, el, rate;
	uint64_t done, total;
	char d[32], tot[32], eta[32] = "";

	if (!src->opts->progress)
		return;
	t = now_s();
	if (t - src->t_drawn < 0.25)
		return;
	src->t_drawn = t;
	el = t - src->t_start;
	if (el < 0.5)
		return;   /* short imports draw nothing */
	done = input_raw_bytes(src->in);
	total = input_size(src->in);
	rate = (double)src->sockets / el;
	human_bytes(done, d, sizeof d);
	if (total && done <= total) {
		double left = done ? el * (double)(total - done) / (double)done : 0;

		human_bytes(total, tot, sizeof tot);
		snprintf(eta, sizeof eta, ", ETA %um%02us", (unsigned)(left / 60),
			 (unsigned)left % 60);
		fprintf(src->msg, "\r\033[K%s: %s of %s (%.0f%%), %" PRIu64 " sockets, %.0f rows/s%s",
			src->path, d, tot, 100.0 * (double)done / (double)total, src->sockets, rate,
			eta);
	} else {
		fprintf(src->msg, "\r\033[K%s: %s, %" PRIu64 " sockets, %.0f rows/s", src->path, d,
			src->sockets, rate);
	}
	fflush(src->msg);
	src->drawn = true;
}
