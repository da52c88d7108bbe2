/* fuzz_top_fast — differential: any bytes as the one dump of `top --by ip`,
 * read by the fast path (peercount: counted when it covers the input,
 * else handed on) and by the general path alone (scan_files, agg): the same
 * result, error, rows (every field, exactly) and messages. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzdb.h"
#include "filter.h"
#include "import.h"
#include "report_top.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a 3-byte header choosing the options, then the file's bytes.
 *   h0: bits 0-1 --family (% 3: any, 4, 6), bits 2-4 --proto (FILTER_*
 *       mask, 0 any), bits 5-7 -n (limits[])
 *   h1: --state bits for ESTABLISHED .. CLOSE_WAIT (states 1..8), on
 *       when any is set
 *   h2: bits 0-2 the port (ports[]), bits 3-4 which port filter (none,
 *       --port, --lport, --rport), bits 5-6 --host/--since/--until (none,
 *       host "h", since T1, until T1), bit 7 --program "sshd"
 * (the fast path hands --program to the general path: covered by bit 7)
 */
#define HDR 3
#define MAX_FILE (64 * 1024)
#define T1 ((usec_t)1795614900 * USEC_PER_SEC) /* 2026-11-25T13:55:00Z */

static const int32_t ports[] = {-1, 0, 22, 53, 80, 443, 8080, 1024};
static const unsigned limits[] = {0, 1, 2, 3, 5, 20, 100, 0};

static void options(const uint8_t *h, struct filter *f, struct report_top_opts *o,
		    struct import_opts *io)
{
	unsigned fam = (h[0] & 3u) % 3;
	int32_t port = ports[h[2] & 7];

	filter_init(f);
	memset(o, 0, sizeof *o);
	memset(io, 0, sizeof *io);
	o->by = REPORT_TOP_IP;
	o->limit = limits[h[0] >> 5];
	f->family = fam == 0 ? 0 : fam == 1 ? 4 : 6;
	f->protos = (unsigned)h[0] >> 2 & 7;
	for (int i = 0; i < 8; i++)
		if (h[1] & 1u << i)
			f->states |= 1u << (ST_ESTABLISHED + i);
	switch (h[2] >> 3 & 3) {
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
	switch (h[2] >> 5 & 3) {
	case 1:
		f->host = "h";
		break;
	case 2:
		f->have_since = true;
		f->since = T1;
		break;
	case 3:
		f->have_until = true;
		f->until = T1;
		break;
	default:
		break;
	}
	if (h[2] & 0x80)
		f->program = "sshd";
	/* as the command line sets them (cmd_report.c report_src) */
	*io = (struct import_opts){.quiet = true, .show_errors = 20, .host = f->host};
}

static void print_result(const char *side, long rc, const char *err,
			 const struct report_top_result *r, const char *msg)
{
	fprintf(stderr, "  %s: rc %ld (%s), %zu rows, %zu snapshots; messages:\n%s\n", side, rc,
		rc < 0 ? err : "", r->n, r->nsnaps, msg);
	for (size_t i = 0; i < r->n; i++)
		fprintf(stderr,
			"  %s[%zu]: name \"%s\" conns %" PRIu32 " share %.17g avg %.17g peers %" PRIu32
			" states \"%s\" first %" PRId64 " last %" PRId64 " present %" PRIu32 "\n",
			side, i, r->v[i].name, r->v[i].conns, r->v[i].share, r->v[i].avg,
			r->v[i].peers, r->v[i].states, r->v[i].first, r->v[i].last,
			r->v[i].present);
}

static bool same_row(const struct report_top_row *a, const struct report_top_row *b)
{
	return !strcmp(a->name, b->name) && a->conns == b->conns && a->peers == b->peers &&
	       a->present == b->present && !strcmp(a->states, b->states) && a->first == b->first &&
	       a->last == b->last && a->share == b->share && a->avg == b->avg;
}

/* One side: the report over path, its messages into *msg (caller frees). */
static long side(const char *path, const struct filter *f, const struct report_top_opts *o,
		 const struct import_opts *io, struct report_top_result *res, char *err,
		 size_t errsz, char **msg, int *status)
{
	struct scan_src src = {0};
	char *files[1] = {(char *)path};
	size_t len = 0;
	FILE *m = open_memstream(msg, &len);
	long rc;

	if (!m)
		abort();
	src.files = files;
	src.nfiles = 1;
	src.io = *io;
	src.msg = m;
	src.threads = 1;
	rc = report_top_run(&src, f, o, res, err, errsz);
	fclose(m);
	*status = src.status;
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_top_result rf = {0}, rg = {0};
	struct report_top_opts o, og;
	struct import_opts io;
	struct filter f;
	char path[64], ef[256] = "", eg[256] = "", *mf = NULL, *mg = NULL;
	int sf, sg;
	long nf, ng;
	bool same;

	if (size < HDR || size > HDR + MAX_FILE)
		return 0;
	options(data, &f, &o, &io);
	if (fuzz_write_file(data + HDR, size - HDR, "topfast", path, sizeof path) < 0) {
		fprintf(stderr, "fuzz_top_fast: cannot write %s\n", path);
		abort();
	}
	og = o;
	og.general = true;
	nf = side(path, &f, &o, &io, &rf, ef, sizeof ef, &mf, &sf);
	ng = side(path, &f, &og, &io, &rg, eg, sizeof eg, &mg, &sg);
	unlink(path);
	same = nf == ng && sf == sg && rf.n == rg.n && rf.nsnaps == rg.nsnaps &&
	       !strcmp(mf, mg) && (nf >= 0 || !strcmp(ef, eg));
	for (size_t i = 0; same && i < rf.n; i++)
		same = same_row(&rf.v[i], &rg.v[i]);
	if (!same) {
		fprintf(stderr, "fuzz_top_fast: the fast and the general path disagree (limit %u, "
				"states 0x%" PRIx32 ", protos 0x%x, family %d, port %" PRId32
				" lport %" PRId32 " rport %" PRId32 ", status %d / %d)\n",
			o.limit, f.states, f.protos, f.family, f.port, f.lport, f.rport, sf, sg);
		print_result("fast", nf, ef, &rf, mf);
		print_result("general", ng, eg, &rg, mg);
		abort();
	}
	free(mf);
	free(mg);
	report_top_result_fini(&rf);
	report_top_result_fini(&rg);
	return 0;
}
