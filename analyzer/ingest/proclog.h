/* proclog — a stream of snapshots' processes turned into the rows of
 * process_spans: a process (pid, program, comm, sockets the same) present
 * in consecutive kept snapshots of a chain is one row, written once, when
 * it ends. Pure: no database, no I/O (store.c writes the rows;
 * docs/SCHEMA.md §4.5). */
#ifndef SOCKSCOPE_PROCLOG_H
#define SOCKSCOPE_PROCLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A process in snapshots k_first .. k_last of chain (a run), or one said
 * by the snapshot being read (then k_first is the order it was said in). */
struct proclog_run {
	int64_t pid;
	uint32_t k_first, k_last;
	uint64_t sockets;
	char *program, *comm;    /* owned, NULL when unknown */
};

/* A run that ended: a row to store. */
struct proclog_row {
	int64_t chain;
	struct proclog_run run;
};

struct proclog {
	struct proclog_run *open;    /* the chain's runs that reach its last
	                              * kept snapshot, by pid */
	size_t nopen, copen;
	struct proclog_run *stage;   /* the snapshot being read's */
	size_t nstage, cstage;
	struct proclog_run *next;    /* room for the next open (swapped) */
	size_t cnext;
	int64_t chain;               /* the chain open is of; -1 none */
	uint32_t k;                  /* its last kept snapshot */
	struct proclog_row *pend;    /* to store, as they ended */
	size_t npend, cpend;
};

void proclog_init(struct proclog *p);
void proclog_fini(struct proclog *p);

/* The snapshot being read says process pid had these names and sockets (a
 * pid said twice keeps the last). 0 or -ENOMEM. */
int proclog_set(struct proclog *p, int64_t pid, const char *program, const char *comm,
		uint64_t sockets);
/* The snapshot being read is kept as snapshot k of chain: each of its
 * processes continues its run when that reached snapshot k - 1 with the
 * same values, else starts one; the runs it does not continue end (rows
 * in pend). A new chain ends every run of the one before. 0 or -ENOMEM. */
int proclog_keep(struct proclog *p, int64_t chain, uint32_t k);
/* The snapshot being read is not kept: its processes are forgotten. */
void proclog_drop(struct proclog *p);
/* The chain ends (its source does): every open run into pend. 0 or
 * -ENOMEM. */
int proclog_end(struct proclog *p);
/* The rows in pend were stored (or are given up): freed. */
void proclog_pend_clear(struct proclog *p);
/* Everything forgotten (a rolled-back transaction took it). */
void proclog_reset(struct proclog *p);

#endif
