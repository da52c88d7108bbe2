/* spanstat — bench/test tool: reads a database of today's schema (one row
 * per socket per snapshot) in import order, builds spans from it
 * (analyzer/ingest/spans.c) with the varying fields summarized and, side
 * by side, exact, and prints rows, spans and the time taken. With OUT, writes
 * the summarized spans into a new database in the spans table planned for
 * schema 004 (docs/SCHEMA.md), to measure its bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "sockrow.h"
#include "spans.h"

struct out {
	sqlite3 *db;
	sqlite3_stmt *ins;
	uint64_t spans, copies_gt1;
	int rc;
};

static int count_only(void *ctx, const struct span *sp)
{
	(void)sp;
	((struct out *)ctx)->spans++;
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s, int n)
{
	if (s)
		sqlite3_bind_text(st, i, s, n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int store(void *ctx, const struct span *sp)
{
	struct out *o = ctx;
	const struct store_row *r = &sp->row;
	sqlite3_stmt *st = o->ins;

	o->spans++;
	if (sp->copies > 1)
		o->copies_gt1++;
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)sp->chain);
	sqlite3_bind_int64(st, 2, sp->k_first);
	sqlite3_bind_int64(st, 3, sp->k_last);
	sqlite3_bind_int64(st, 4, sp->copies);
	bind_text(st, 5, r->proto, -1);
	sqlite3_bind_int(st, 6, r->family);
	bind_text(st, 7, r->state, -1);
	bind_text(st, 8, r->lhost ? NULL : r->laddr, r->llen);
	sqlite3_bind_int(st, 9, r->lport);
	bind_text(st, 10, r->rhost ? NULL : r->raddr, r->rlen);
	sqlite3_bind_int(st, 11, r->rport);
	sqlite3_bind_int64(st, 12, r->rnet);
	sqlite3_bind_int64(st, 13, r->rxq);
	sqlite3_bind_int64(st, 14, r->txq);
	sqlite3_bind_int64(st, 15, r->uid);
	sqlite3_bind_int64(st, 16, (sqlite3_int64)r->inode);
	sqlite3_bind_int64(st, 17, r->expires_ms);
	sqlite3_bind_int64(st, 18, r->retrans);
	if (r->pid > 0)
		sqlite3_bind_int64(st, 19, r->pid);
	else
		sqlite3_bind_null(st, 19);
	bind_text(st, 20, r->program, -1);
	bind_text(st, 21, r->lhost, -1);
	bind_text(st, 22, r->rhost, -1);
	sqlite3_bind_int64(st, 23, sp->max_rxq);
	sqlite3_bind_int64(st, 24, sp->max_txq);
	sqlite3_bind_int64(st, 25, sp->max_retrans);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return -EIO;
	}
	sqlite3_reset(st);
	return 0;
}

static const char *out_schema =
	"PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
	"CREATE TABLE spans (chain INTEGER NOT NULL, k_first INTEGER NOT NULL,"
	" k_last INTEGER NOT NULL, copies INTEGER NOT NULL, proto TEXT NOT NULL,"
	" family INTEGER NOT NULL, state TEXT NOT NULL, laddr TEXT, lport INTEGER NOT NULL,"
	" raddr TEXT, rport INTEGER NOT NULL, rnet INTEGER NOT NULL, rxq INTEGER, txq INTEGER,"
	" uid INTEGER, inode INTEGER, expires_ms INTEGER, retrans INTEGER, pid INTEGER,"
	" program TEXT, lhost TEXT, rhost TEXT, max_rxq INTEGER, max_txq INTEGER,"
	" max_retrans INTEGER);"
	"BEGIN";

/* proto and state as the store hands them: strings that outlive the row */
static const char *keep(const char *t)
{
	static char names[64][24];
	static size_t n;

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], t) == 0)
			return names[i];
	if (n == 64)
		return "?";
	snprintf(names[n], sizeof names[n], "%s", t);
	return names[n++];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int main(int argc, char **argv)
{
	struct out sum = {0}, exact = {0}, queues = {0};
	struct spans *bs = NULL, *be = NULL, *bq = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *sn = NULL, *rows = NULL;
	uint64_t nrows = 0, nsnaps = 0, chains = 0, last_chain = 0;
	size_t peak_open = 0;
	double t0, build = 0;
	int rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: spanstat DB [OUT.db]\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto sqlerr;
	if (argc == 3) {
		remove(argv[2]);
		if (sqlite3_open(argv[2], &sum.db) != SQLITE_OK ||
		    sqlite3_exec(sum.db, out_schema, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(sum.db,
				       "INSERT INTO spans VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
				       " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
				       " ?23, ?24, ?25)",
				       -1, &sum.ins, NULL) != SQLITE_OK) {
			fprintf(stderr, "spanstat: %s: %s\n", argv[2], sqlite3_errmsg(sum.db));
			goto out;
		}
	}
	if (spans_new(0, store, &sum, &bs) < 0 || spans_new(SPANS_EXACT, count_only, &exact, &be) < 0 ||
	    spans_new(SPANS_QUEUES, count_only, &queues, &bq) < 0)
		goto out;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, host, boot_id, time, coalesce(interval_us, 0),"
			       " coalesce(seq, -1), first_socket, sockets FROM snapshots"
			       " WHERE first_socket IS NOT NULL ORDER BY id",
			       -1, &sn, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "SELECT proto, family, state, laddr, lport, raddr, rport, rnet, rxq, txq,"
			       " uid, inode, timer, expires_ms, retrans, pid, program, lhost, rhost"
			       " FROM sockets WHERE rowid BETWEEN ?1 AND ?2",
			       -1, &rows, NULL) != SQLITE_OK)
		goto sqlerr;
	while (sqlite3_step(sn) == SQLITE_ROW) {
		struct spans_snap s = {
			.id = sqlite3_column_int64(sn, 0),
			.host = col_text(sn, 1),
			.boot_id = col_text(sn, 2),
			.time = sqlite3_column_int64(sn, 3),
			.interval = sqlite3_column_int64(sn, 4),
			.seq = sqlite3_column_int64(sn, 5),
		};
		int64_t first = sqlite3_column_int64(sn, 6), n = sqlite3_column_int64(sn, 7);
		uint64_t chain;

		t0 = now();
		if (spans_begin(bs, &s, &chain, NULL) < 0 || spans_begin(be, &s, NULL, NULL) < 0 ||
		    spans_begin(bq, &s, NULL, NULL) < 0)
			goto out;
		build += now() - t0;
		if (chain != last_chain)
			chains++;
		last_chain = chain;
		sqlite3_bind_int64(rows, 1, first);
		sqlite3_bind_int64(rows, 2, first + n - 1);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			struct store_row r;
			const char *t;

			memset(&r, 0, sizeof r);
			r.proto = keep(col_text(rows, 0));
			r.family = (uint8_t)sqlite3_column_int(rows, 1);
			r.state = keep(col_text(rows, 2));
			if ((t = col_text(rows, 3)))
				r.llen = (uint8_t)snprintf(r.laddr, sizeof r.laddr, "%s", t);
			r.lport = (uint16_t)sqlite3_column_int(rows, 4);
			if ((t = col_text(rows, 5)))
				r.rlen = (uint8_t)snprintf(r.raddr, sizeof r.raddr, "%s", t);
			r.rport = (uint16_t)sqlite3_column_int(rows, 6);
			r.rnet = sqlite3_column_int64(rows, 7);
			if (sqlite3_column_type(rows, 8) == SQLITE_NULL)
				r.unknown |= SOCKROW_UNKNOWN_QUEUES;
			r.rxq = (uint32_t)sqlite3_column_int64(rows, 8);
			r.txq = (uint32_t)sqlite3_column_int64(rows, 9);
			r.uid = (uint32_t)sqlite3_column_int64(rows, 10);
			r.inode = (uint64_t)sqlite3_column_int64(rows, 11);
			if ((t = col_text(rows, 12)))
				r.timer = (uint8_t)(t[0] ^ t[1]);   /* distinct per name, enough here */
			r.expires_ms = (uint32_t)sqlite3_column_int64(rows, 13);
			r.retrans = (uint32_t)sqlite3_column_int64(rows, 14);
			r.pid = (int32_t)sqlite3_column_int64(rows, 15);
			r.program = col_text(rows, 16);
			r.lhost = col_text(rows, 17);
			r.rhost = col_text(rows, 18);
			t0 = now();
			if (spans_row(bs, &r) < 0 || spans_row(be, &r) < 0 || spans_row(bq, &r) < 0)
				goto out;
			build += now() - t0;
			nrows++;
		}
		sqlite3_reset(rows);
		t0 = now();
		if (spans_end(bs) < 0 || spans_end(be) < 0 || spans_end(bq) < 0)
			goto out;
		build += now() - t0;
		if (spans_open(bs) > peak_open)
			peak_open = spans_open(bs);
		nsnaps++;
	}
	if (spans_flush(bs) < 0 || spans_flush(be) < 0 || spans_flush(bq) < 0)
		goto out;
	if (sum.db && sqlite3_exec(sum.db, "COMMIT; VACUUM", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "spanstat: %s\n", sqlite3_errmsg(sum.db));
		goto out;
	}
	printf("snapshots %" PRIu64 "\nchains %" PRIu64 "\nrows %" PRIu64 "\nspans %" PRIu64
	       " (%.1fx fewer; %" PRIu64 " with copies > 1)\nspans_exact %" PRIu64
	       " (%.1fx fewer)\nspans_queues %" PRIu64 " (%.1fx fewer)\npeak_open %zu\nbuild_s %.3f (%.1fM rows/s, three builders)\n",
	       nsnaps, chains, nrows, sum.spans, sum.spans ? (double)nrows / (double)sum.spans : 0.0,
	       sum.copies_gt1, exact.spans,
	       exact.spans ? (double)nrows / (double)exact.spans : 0.0, queues.spans,
	       queues.spans ? (double)nrows / (double)queues.spans : 0.0, peak_open, build,
	       build > 0 ? (double)nrows / build / 1e6 : 0.0);
	rc = 0;
	goto out;
sqlerr:
	fprintf(stderr, "spanstat: %s: %s\n", argv[1], db ? sqlite3_errmsg(db) : "out of memory");
out:
	sqlite3_finalize(sn);
	sqlite3_finalize(rows);
	sqlite3_finalize(sum.ins);
	sqlite3_close(sum.db);
	sqlite3_close(db);
	spans_free(bs);
	spans_free(be);
	spans_free(bq);
	return rc;
}
