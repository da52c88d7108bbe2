/* fuzz_report — differential: any dump imported into an in-memory database
 * and read back by `top`, against the same dump read by `top` without a
 * database (scan_files); every filter and grouping must give the same rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzdb.h"
#include "db.h"
#include "filter.h"
#include "import.h"
#include "report_top.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a 5-byte header choosing the report, then the file's bytes.
 *   h0: bits 0-2 --by (% 5: ip subnet port program state), bits 3-4
 *       --family (% 3: any, 4, 6), bits 5-7 --proto (FILTER_* mask, 0 any)
 *   h1: --state bits for ESTABLISHED .. CLOSE_WAIT (states 1..8)
 *   h2: bits 0-3 --state bits for LAST_ACK, LISTEN, CLOSING, NEW_SYN_RECV
 *       (9..12); bit 4 the --state filter is on (else any state); bits
 *       5-6 which port filter (none, --port, --lport, --rport)
 *   h3: bits 0-2 the port (ports[]), bits 3-5 --program (programs[]),
 *       bits 6-7 --since/--until (none, since T1, until T1, both AT)
 *   h4: bits 0-2 --prefix (prefix4[]), bits 3-5 --prefix6 (prefix6[]),
 *       bits 6-7 --host (hosts[])
 * A prefix keeps one file minimizable with its options (a hash of the
 * input would change them with every byte the minimizer drops).
 *
 * corpus/report/crash-* are the disagreements it found, kept as
 * regressions: an empty snapshot (counted by both now), a recorder snapshot
 * twice in a segment (taken once by both), the same snapshot torn and then
 * whole (the whole one taken by both), an IPv4 peer read after an IPv6 one
 * (whose key kept the IPv6 tail in the database scan), a cron log with one
 * snapshot twice (kept twice by both: import compares a snapshot only with
 * other sources').
 */
#define HDR 5
#define MAX_FILE (64 * 1024)
/* --at of the import: dumps without a date line are at AT */
#define AT ((usec_t)1795608000 * USEC_PER_SEC) /* 2026-11-25T12:00:00Z */
#define T1 ((usec_t)1795614900 * USEC_PER_SEC) /* 2026-11-25T13:55:00Z */

static const int32_t ports[] = {-1, 0, 22, 53, 80, 443, 8080, 180};
static const char *const programs[] = {NULL, "sshd", "nginx: worker", "curl", "named", "-",
				       "",   NULL};
static const unsigned prefix4[] = {0, 8, 16, 20, 24, 28, 31, 32};
static const unsigned prefix6[] = {0, 16, 32, 48, 64, 96, 127, 128};
static const char *const hosts[] = {NULL, "h", "vm", "unknown"};
static const char *const by_names[] = {"ip", "subnet", "port", "program", "state"};

static void options(const uint8_t *h, struct filter *f, struct report_top_opts *o)
{
	unsigned fam = ((unsigned)h[0] >> 3 & 3) % 3;
	int32_t port = ports[h[3] & 7];

	filter_init(f);
	memset(o, 0, sizeof *o);
	o->by = (enum report_top_by)((h[0] & 7) % 5);
	o->prefix4 = prefix4[h[4] & 7];
	o->prefix6 = prefix6[h[4] >> 3 & 7];
	o->limit = 0;
	f->family = fam == 0 ? 0 : fam == 1 ? 4 : 6;
	f->protos = (unsigned)h[0] >> 5;
	if (h[2] & 0x10) {
		for (int i = 0; i < 8; i++)
			if (h[1] & 1u << i)
				f->states |= 1u << (ST_ESTABLISHED + i);
		for (int i = 0; i < 4; i++)
			if (h[2] & 1u << i)
				f->states |= 1u << (ST_LAST_ACK + i);
	}
	switch (h[2] >> 5 & 3) {
	case 1:
		f->port = port;
		break;
	case 2:
		f->lport = port;
		break;
	case 3:
		f->rport = port;
		break;
	default:
		break;
	}
	f->program = programs[h[3] >> 3 & 7];
	switch (h[3] >> 6) {
	case 1:
		f->have_since = true;
		f->since = T1;
		break;
	case 2:
		f->have_until = true;
		f->until = T1;
		break;
	case 3:
		f->have_since = f->have_until = true;
		f->since = f->until = AT;
		break;
	default:
		break;
	}
	f->host = hosts[h[4] >> 6];
}

static void print_setup(const struct filter *f, const struct report_top_opts *o)
{
	fprintf(stderr,
		"fuzz_report: --by %s --prefix %u --prefix6 %u, filter: host %s, since %s%" PRId64
		", until %s%" PRId64 ", states 0x%" PRIx32 ", port %" PRId32 ", lport %" PRId32
		", rport %" PRId32 ", protos 0x%x, family %d, program %s%s%s\n",
		by_names[o->by], o->prefix4, o->prefix6, f->host ? f->host : "(any)",
		f->have_since ? "" : "(none) ", f->since, f->have_until ? "" : "(none) ", f->until,
		f->states, f->port, f->lport, f->rport, f->protos, f->family,
		f->program ? "\"" : "", f->program ? f->program : "(any)", f->program ? "\"" : "");
}

static void print_row(const char *side, size_t i, const struct report_top_row *r)
{
	fprintf(stderr,
		"  %s[%zu]: name \"%s\" conns %" PRIu32 " share %.17g avg %.17g peers %" PRIu32
		" states \"%s\" first %" PRId64 " last %" PRId64 " present %" PRIu32 "\n",
		side, i, r->name, r->conns, r->share, r->avg, r->peers, r->states, r->first,
		r->last, r->present);
}

static void print_result(const char *side, long rc, const struct report_top_result *r)
{
	fprintf(stderr, "  %s: rc %ld, %zu rows, %zu snapshots\n", side, rc, r->n, r->nsnaps);
	for (size_t i = 0; i < r->n; i++)
		print_row(side, i, &r->v[i]);
}

static _Noreturn void disagree(const char *what, const struct filter *f,
			       const struct report_top_opts *o, long rd, const struct report_top_result *db,
			       long rf, const struct report_top_result *files)
{
	fprintf(stderr, "fuzz_report: database and dumps disagree: %s\n", what);
	print_setup(f, o);
	print_result("database", rd, db);
	print_result("dumps", rf, files);
	abort();
}

static bool near(double a, double b)
{
	double d = a - b;

	return d <= 1e-9 && d >= -1e-9;
}

static const char *row_diff(const struct report_top_row *a, const struct report_top_row *b)
{
	if (strcmp(a->name, b->name))
		return "name";
	if (a->conns != b->conns)
		return "conns";
	if (a->peers != b->peers)
		return "peers";
	if (a->present != b->present)
		return "present";
	if (strcmp(a->states, b->states))
		return "states";
	if (a->first != b->first)
		return "first";
	if (a->last != b->last)
		return "last";
	if (!near(a->share, b->share))
		return "share";
	if (!near(a->avg, b->avg))
		return "avg";
	return NULL;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	const struct import_opts io = {
	    .quiet = true, .show_errors = 0, .host = "h", .have_at = true, .at = AT};
	struct report_top_result rdb = {0}, rfiles = {0};
	struct scan_src sdb = {0}, sfiles = {0};
	struct importer *im = NULL;
	struct report_top_opts o;
	struct filter f;
	sqlite3 *db = NULL;
	char path[64], err[256], *files[1];
	long long stored;
	long rd, rf;

	if (size <= HDR || size > HDR + MAX_FILE)
		return 0;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	options(data, &f, &o);
	if (fuzz_write_file(data + HDR, size - HDR, "report", path, sizeof path) < 0) {
		fprintf(stderr, "fuzz_report: cannot write %s\n", path);
		abort();
	}

	if (db_open(NULL, DB_MEMORY, &db, err, sizeof err) != 0 ||
	    importer_new(db, &io, devnull, &im, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_report: %s\n", err);
		abort();
	}
	if (importer_path(im, path) < 0)
		abort(); /* a database failure: never from input alone */
	importer_free(im);
	stored = fuzz_scalar(db, "SELECT count(*) FROM snapshots");

	sdb.db = db;
	sdb.threads = 1;
	rd = report_top_run(&sdb, &f, &o, &rdb, err, sizeof err);
	if (rd < 0) {
		fprintf(stderr, "fuzz_report: top on the database: %s\n", err);
		abort();
	}

	files[0] = path;
	sfiles.files = files;
	sfiles.nfiles = 1;
	sfiles.io = io;
	sfiles.msg = devnull;
	sfiles.threads = 1;
	rf = report_top_run(&sfiles, &f, &o, &rfiles, err, sizeof err);
	/* now: an abort below must not leave it behind */
	unlink(path);
	path[0] = '\0';
	if (rf == -ENODATA) {
		/* the dumps held no snapshot: nor may the database */
		if (stored != 0 || rdb.n != 0 || rdb.nsnaps != 0)
			disagree("no snapshot read from the dumps, but the database has some",
				 &f, &o, rd, &rdb, rf, &rfiles);
		goto out;
	}
	if (rf < 0) {
		fprintf(stderr, "fuzz_report: top on the dumps: %s\n", err);
		abort();
	}
	if (stored == 0)
		disagree("snapshots read from the dumps, but none stored", &f, &o, rd, &rdb,
			 rf, &rfiles);
	if (rd != rf || rdb.n != rfiles.n)
		disagree("number of rows", &f, &o, rd, &rdb, rf, &rfiles);
	if (rdb.nsnaps != rfiles.nsnaps)
		disagree("number of snapshots", &f, &o, rd, &rdb, rf, &rfiles);
	for (size_t i = 0; i < rdb.n; i++) {
		const char *what = row_diff(&rdb.v[i], &rfiles.v[i]);

		if (what) {
			char msg[64];

			snprintf(msg, sizeof msg, "row %zu: %s", i, what);
			disagree(msg, &f, &o, rd, &rdb, rf, &rfiles);
		}
	}
out:
	report_top_result_fini(&rdb);
	report_top_result_fini(&rfiles);
	db_close(db);
	if (path[0])
		unlink(path);
	return 0;
}
