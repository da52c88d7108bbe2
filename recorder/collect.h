/* collect — takes one snapshot: runs every source (procmap, sock_diag,
 * counters, /proc/net files, netstat renderings) and writes its sections. */
#ifndef SOCKSCOPE_COLLECT_H
#define SOCKSCOPE_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snap.h"

#define COLLECT_MAX_NETSTAT 16

struct collect_opts {
	bool processes;                 /* scan /proc/<pid>/fd for owners */
	const char *proc_root;          /* "/proc" */
	size_t n_netstat;
	const char *netstat_args[COLLECT_MAX_NETSTAT];  /* "-na", "-n -p", ... */
	bool exec_netstat;              /* run the real binary instead */
	const char *netstat_bin;        /* "/usr/bin/netstat" */
	size_t max_rows;                /* bound on rows kept for rendering */
	bool derive;                    /* format 2: renderings stored as derived */
	bool threads;                   /* /proc/net read (and parsed) by threads
	                                 * beside the other sources (procread.c) */
	/* Source failures are told here when they change from one snapshot to
	 * the next (source NULL: all sources work again). They never stop a
	 * snapshot; each snapshot's `errors` section lists them all. */
	void (*log)(void *ctx, const char *source, const char *msg);
	void *log_ctx;
};

struct collect_stats {
	uint64_t sockets;       /* rows in `sockets` */
	uint64_t syn_recv;      /* TCP SYN_RECV (incl. request sockets) */
	int64_t cookies;        /* TcpExt.SyncookiesSent, -1 unknown */
	int64_t overflows;      /* TcpExt.ListenOverflows, -1 unknown */
	unsigned failed;        /* sources that failed */
};

struct collector;

/* Validates the options (netstat arguments). 0 with *out set, or -errno with
 * *out NULL and *bad naming the offending argument (may be NULL). Caller
 * frees. */
int collector_new(const struct collect_opts *o, struct collector **out, const char **bad);
void collector_free(struct collector *c);   /* NULL is a no-op */

/* Writes all sections of one snapshot into w (begun by the caller). Returns
 * 0, or the negative errno of an output failure (the snapshot is lost). */
int collector_run(struct collector *c, struct snap_writer *w, struct collect_stats *st);

#endif
