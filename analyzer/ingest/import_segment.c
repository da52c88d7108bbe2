/* import_segment — sockscope segments into the database: every verified
 * snapshot with its sockets, counters, processes (and with --keep-raw its
 * verbatim sections); torn or corrupt snapshots rolled back and reported.
 * A parsing thread (snapshot reader, checksums, TSV) feeds the calling
 * thread, which only stores (segstore.c), through a stream of operations
 * in batches. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "grow.h"
#include "import_int.h"
#include "num.h"
#include "rowreuse.h"
#include "segstore.h"
#include "snap.h"
#include "snapdelta.h"

/* ---- the hand-over ------------------------------------------------------- */

/* A batch is handed over when it holds this much (a raw section may make
 * one larger: it is never split). NBATCH of them (1.5 MiB) is as far as the
 * parser runs ahead: 4x that let it decode the first delta after a keyframe
 * while the storer took the keyframe's rows (the storer no longer ran dry
 * for ~100 ms at 100k sockets), but it costs as much memory again as the
 * flood's import is allowed (< 64 MiB), for a gain of once per keyframe. */
#define BATCH_BYTES (512 * 1024)
#define NBATCH 3

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct buf batch[NBATCH];
	unsigned full[NBATCH];   /* FIFO of filled batches */
	unsigned nfull, head;
	unsigned freelist[NBATCH];
	unsigned nfree;
	bool done;               /* the parser finished */
	bool abort;              /* the storer failed: stop parsing */
};

/* ---- the parsing side --------------------------------------------------- */

enum sect { S_SKIP, S_SOCKETS, S_COUNTERS, S_PROCESSES, S_RAW };

/* The processes section has a row per socket inode; the table wants a row
 * per process. An open-addressing map pid → (program, comm, inodes). */
struct proc_ent {
	int32_t pid;             /* 0: empty slot */
	uint32_t sockets;
	char *program, *comm;    /* owned, NULL when unknown */
};

struct procs {
	struct proc_ent *e;
	size_t cap, n;           /* cap: a power of two, or 0 */
};

/* More distinct pids than this in one snapshot is not a real machine. */
#define PROCS_MAX (1u << 22)

struct parser {
	struct import_source *src;   /* read-only here: opts, in, path */
	struct lines *lines;
	struct pipe *pipe;
	struct buf *out;             /* the batch being filled */
	int rc;                      /* 0, or -ENOMEM / -ECANCELED */
	uint64_t seq;
	enum sect sect;
	char section[80];
	uint64_t sect_line;          /* line number inside the section */
	struct buf partial;          /* a line cut by a DATA block boundary */
	struct buf raw;              /* --keep-raw: the section's text */
	struct buf scratch, scratch2;
	struct procs procs;
	struct rowreuse_lines reuse;
	/* format 2: where the sockets section's lines came from (NULL: not a
	 * delta), and the copied rows not yet emitted, as one run */
	const struct snapdelta_prov *prov;
	struct op_run run;
	uint64_t *run_exp;           /* its rows' expires_ms: run.n of them */
	size_t crun_exp;
	/* format 2: where the processes section's lines came from, and each
	 * line's pid in the section before (pid_prev, valid when prev_ok) and
	 * in this one (0: the header, a bad line): a line copied byte for byte
	 * from a line of a pid this snapshot already has is only counted */
	const struct snapdelta_prov *pprov;
	int32_t *pid_prev, *pid_cur;
	size_t npid_prev, npid_cur, cpid_prev, cpid_cur;
	bool prev_ok, saw_procs;
};

static void procs_clear(struct procs *p)
{
	for (size_t i = 0; i < p->cap; i++) {
		free(p->e[i].program);
		free(p->e[i].comm);
	}
	free(p->e);
	memset(p, 0, sizeof *p);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct proc_ent *procs_slot(struct proc_ent *e, size_t cap, int32_t pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (cap - 1);

	while (e[i].pid && e[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &e[i];
}

/* 0, -ENOMEM, or -E2BIG past PROCS_MAX. */
static int procs_add(struct procs *p, int32_t pid, const char *program, const char *comm)
{
	struct proc_ent *x;

	if (p->n * 2 >= p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct proc_ent *e;

		if (p->n >= PROCS_MAX)
			return -E2BIG;
		e = calloc(cap, sizeof *e);
		if (!e)
			return -ENOMEM;
		for (size_t i = 0; i < p->cap; i++)
			if (p->e[i].pid)
				*procs_slot(e, cap, p->e[i].pid) = p->e[i];
		free(p->e);
		p->e = e;
		p->cap = cap;
	}
	x = procs_slot(p->e, p->cap, pid);
	if (!x->pid) {
		x->pid = pid;
		x->program = dup_or_null(program);
		x->comm = dup_or_null(comm);
		if ((program && !x->program) || (comm && !x->comm))
			return -ENOMEM;
		p->n++;
	}
	x->sockets++;
	return 0;
}

/* Hands the filled batch to the storer and takes a free one. */
static int flush(struct parser *p)
{
	struct pipe *q = p->pipe;
	unsigned b;

	pthread_mutex_lock(&q->mu);
	b = (unsigned)(p->out - q->batch);
	q->full[(q->head + q->nfull) % NBATCH] = b;
	q->nfull++;
	pthread_cond_broadcast(&q->cv);
	while (q->nfree == 0 && !q->abort)
		pthread_cond_wait(&q->cv, &q->mu);
	if (q->abort) {
		pthread_mutex_unlock(&q->mu);
		p->out = NULL;
		return -ECANCELED;
	}
	b = q->freelist[--q->nfree];
	pthread_mutex_unlock(&q->mu);
	p->out = &q->batch[b];
	buf_reset(p->out);
	return 0;
}

static int run_flush(struct parser *p);

/* Appends an op of payload a (alen bytes) then b (blen bytes), after the
 * rows of a run still pending. */
static int emit2(struct parser *p, enum op_type t, const void *a, size_t alen, const void *b,
		 size_t blen)
{
	struct op_hdr h = {(uint32_t)t, (uint32_t)(alen + blen)};
	static const char zero[8];
	size_t pad = (8 - (alen + blen) % 8) % 8;

	if (t != OP_RUN && p->run.n && run_flush(p) < 0)
		return p->rc;
	if (p->rc < 0)
		return p->rc;
	if (alen + blen > UINT32_MAX)
		return p->rc = -E2BIG;
	if (buf_append(p->out, &h, sizeof h) < 0 || (alen && buf_append(p->out, a, alen) < 0) ||
	    (blen && buf_append(p->out, b, blen) < 0) || buf_append(p->out, zero, pad) < 0)
		return p->rc = -ENOMEM;
	if (p->out->len >= BATCH_BYTES) {
		int rc = flush(p);

		if (rc < 0)
			return p->rc = rc;
	}
	return 0;
}

static int emit(struct parser *p, enum op_type t, const void *a, size_t alen)
{
	return emit2(p, t, a, alen, NULL, 0);
}

static int run_flush(struct parser *p)
{
	struct op_run r = p->run;

	p->run.n = 0;
	return emit2(p, OP_RUN, &r, sizeof r, p->run_exp, (size_t)r.n * sizeof *p->run_exp);
}

/* Row j of the previous snapshot again: one more row of the pending run, or
 * the start of the next. */
static int run_add(struct parser *p, uint32_t j, uint64_t expires)
{
	if (p->run.n && (j != p->run.j + p->run.n || p->run.n == RUN_MAX) && run_flush(p) < 0)
		return p->rc;
	if (p->run.n == 0)
		p->run.j = j;
	if (p->run.n == p->crun_exp) {
		uint64_t *v = grow(p->run_exp, &p->crun_exp, p->run.n, sizeof *v, 1024);

		if (!v)
			return p->rc = -ENOMEM;
		p->run_exp = v;
	}
	p->run_exp[p->run.n++] = expires;
	return 0;
}

/* Is line (0-based) of the sockets section a format 2 copy of a row of the
 * previous snapshot? The delta said so: no text is compared. A copy differs
 * from its base line at most in the countdown, which must then be the
 * expires_ms column (as rowreuse_lines_match would accept). */
static bool prov_row(struct parser *p, size_t line, uint32_t *j, uint64_t *expires)
{
	const struct snapdelta_prov *v = p->prov;
	const struct snapdelta_src *src;

	if (!v || line >= v->n)
		return false;
	src = &v->v[line];
	if (!src->base)
		return false;
	if (src->same)
		*expires = ROWREUSE_SAME;
	else if (v->mode == 2 && v->col == ROWREUSE_COL_EXPIRES && src->when <= UINT32_MAX)
		*expires = src->when;
	else
		return false;
	return rowreuse_lines_base(&p->reuse, src->base - 1, j);
}

static int emit_msg(struct parser *p, enum op_type t, const char *msg)
{
	return emit(p, t, msg, strlen(msg) + 1);
}

/* "snapshot seq 12, section sockets, line 7: what" */
static int bad(struct parser *p, const char *what)
{
	char msg[400];

	snprintf(msg, sizeof msg, "snapshot seq %" PRIu64 ", section %s, line %" PRIu64 ": %s",
		 p->seq, p->section, p->sect_line, what);
	return emit_msg(p, OP_BAD, msg);
}

static int tsv_fields(const char *line, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (n == max)
				return -1;
			f[n] = line + start;
			fl[n++] = i - start;
			start = i + 1;
		}
	}
	return (int)n;
}

static int row_line(struct parser *p, const char *line, size_t len)
{
	const char *what = NULL;
	struct sock_row r;
	struct store_row sr;
	struct op_same same = {0};
	int rc;

	if (p->sect_line > 1 && !p->src->opts->parse_every_row) {
		if (prov_row(p, p->sect_line - 1, &same.j, &same.expires_ms)) {
			if (rowreuse_lines_add_copy(&p->reuse) < 0)
				return p->rc = -ENOMEM;
			return run_add(p, same.j, same.expires_ms);
		}
		/* a line a delta did not copy has no base row with its text
		 * (the encoder looked): compared, it would only be parsed later */
		if (!(p->prov && p->sect_line - 1 < p->prov->n) &&
		    rowreuse_lines_match(&p->reuse, line, len, &same.j, &same.expires_ms)) {
			if (rowreuse_lines_add(&p->reuse, line, len) < 0)
				return p->rc = -ENOMEM;
			return emit(p, OP_SAME, &same, sizeof same);
		}
	}
	rc = sockrow_from_tsv(line, len, &r, &p->scratch, &what);
	if (rc == 1 || rc < 0 || (rc == 0 && store_row_prepare(&r, &sr) < 0)) {
		/* no row: a later delta's copy of this line is parsed again */
		if (rowreuse_lines_norow(&p->reuse) < 0)
			return p->rc = -ENOMEM;
		if (rc == 1)
			return 0;
		return bad(p, rc < 0 ? what : "a row whose addresses match its family");
	}
	if (rowreuse_lines_add(&p->reuse, line, len) < 0)
		return p->rc = -ENOMEM;
	sr.program = NULL;   /* travels after the struct */
	return emit2(p, OP_ROW, &sr, sizeof sr, r.program ? r.program : "",
		     r.program ? strlen(r.program) + 1 : 0);
}

static int counter_line(struct parser *p, const char *line, size_t len)
{
	const char *f[3];
	size_t fl[3];
	struct op_counter c;
	uint64_t v;

	if (p->sect_line == 1 && len == 10 && !memcmp(line, "name\tvalue", 10))
		return 0;
	if (tsv_fields(line, len, f, fl, 3) != 2 || fl[0] == 0)
		return bad(p, "expected \"name<TAB>value\"");
	if (memchr(f[0], '\0', fl[0]))
		return bad(p, "expected a counter name without NUL");
	if (fl[1] > 0 && f[1][0] == '-') {
		if (num_parse_dec(f[1] + 1, fl[1] - 1, (uint64_t)INT64_MAX + 1, &v) < 0)
			return bad(p, "expected a signed 64-bit decimal counter value");
		c.value = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (num_parse_dec(f[1], fl[1], INT64_MAX, &v) < 0)
			return bad(p, "expected a signed 64-bit decimal counter value");
		c.value = (int64_t)v;
	}
	c.nlen = (uint32_t)fl[0];
	return emit2(p, OP_COUNTER, &c, sizeof c, f[0], fl[0]);
}

/* A processes line parsed; *out its pid when it was a good row. */
static int process_parse(struct parser *p, const char *line, size_t len, int32_t *out)
{
	const char *f[5], *prog, *comm;
	size_t fl[5];
	uint64_t inode, pid;
	int rc;

	if (p->sect_line == 1 && len == 22 && !memcmp(line, "inode\tpid\tprogram\tcomm", 22))
		return 0;
	if (tsv_fields(line, len, f, fl, 5) != 4 || num_parse_dec(f[0], fl[0], UINT64_MAX, &inode) < 0 ||
	    num_parse_dec(f[1], fl[1], INT32_MAX, &pid) < 0 || pid == 0)
		return bad(p, "expected \"inode<TAB>pid<TAB>program<TAB>comm\"");
	/* a process's next socket (a server's workers hold most of them): its
	 * names are the first line's, so they are only checked, not copied */
	if (p->procs.cap) {
		struct proc_ent *x = procs_slot(p->procs.e, p->procs.cap, (int32_t)pid);

		if (x->pid) {
			if (sockrow_check_escaped(f[2], fl[2]) < 0 ||
			    sockrow_check_escaped(f[3], fl[3]) < 0)
				return bad(p, "expected \"inode<TAB>pid<TAB>program<TAB>comm\"");
			x->sockets++;
			*out = (int32_t)pid;
			return 0;
		}
	}
	if (sockrow_get_escaped(f[2], fl[2], &p->scratch, &prog) < 0 ||
	    sockrow_get_escaped(f[3], fl[3], &p->scratch2, &comm) < 0)
		return bad(p, "expected \"inode<TAB>pid<TAB>program<TAB>comm\"");
	/* each unescape has its own scratch, so both stay valid here */
	rc = procs_add(&p->procs, (int32_t)pid, prog, comm);
	if (rc == -E2BIG)
		return bad(p, "fewer processes (too many distinct pids in one snapshot)");
	if (rc < 0)
		return p->rc = rc;
	*out = (int32_t)pid;
	return 0;
}

/* A line of a server's processes section mostly repeats the snapshot
 * before's, and a pid's later lines only count: a line the delta copied
 * byte for byte (checked when it was read then) whose pid is already in
 * this snapshot is counted without being read. */
/* The pid of the processes section's line i (0-based) when the delta
 * copied it byte for byte from a line of the section before; 0 otherwise
 * (the line is read). Whether this snapshot has the pid yet is the
 * caller's to check. */
static int32_t proc_copied(const struct parser *p, size_t i)
{
	const struct snapdelta_src *s;

	if (!p->pprov || !p->prev_ok || i >= p->pprov->n || !p->procs.cap)
		return 0;
	s = &p->pprov->v[i];
	return s->base && s->same && s->base - 1 < p->npid_prev ? p->pid_prev[s->base - 1] : 0;
}

/* pid as the section's next line's (0: the header, a bad line). 0 or
 * -ENOMEM. */
static int pid_push(struct parser *p, int32_t pid)
{
	int32_t *v = grow(p->pid_cur, &p->cpid_cur, p->npid_cur, sizeof *v, 1024);

	if (!v)
		return p->rc = -ENOMEM;
	p->pid_cur = v;
	p->pid_cur[p->npid_cur++] = pid;
	return 0;
}

static int process_line(struct parser *p, const char *line, size_t len)
{
	int32_t pid = proc_copied(p, (size_t)p->sect_line - 1);
	int rc = 0;

	if (pid) {
		struct proc_ent *x = procs_slot(p->procs.e, p->procs.cap, pid);

		if (x->pid)
			x->sockets++;
		else
			pid = 0;
	}
	if (pid == 0)
		rc = process_parse(p, line, len, &pid);
	if (rc < 0)
		return rc;
	return pid_push(p, pid) < 0 ? p->rc : rc;
}

static int one_line(struct parser *p, const char *line, size_t len)
{
	p->sect_line++;
	switch (p->sect) {
	case S_SOCKETS: return row_line(p, line, len);
	case S_COUNTERS: return counter_line(p, line, len);
	case S_PROCESSES: return process_line(p, line, len);
	default: return 0;
	}
}

/* The sockets section's next lines while a delta copied them (row_line's
 * first case), taken by their sources alone: each source gives its line's
 * length, so the text is neither searched for LFs nor looked at but for
 * the LF that ends each line. Stops before a line that is no such copy or
 * does not end inside d[0..n). The bytes used, or -errno. */
static long copied_lines(struct parser *p, const char *d, size_t n)
{
	const struct snapdelta_prov *v = p->prov;
	size_t li = p->sect_line, used = 0, li0 = li;   /* li: the next line's index */

	for (; li < v->n; li++) {
		const struct snapdelta_src *src = &v->v[li];
		uint64_t expires;
		uint32_t j;

		if (src->len >= n - used || d[used + src->len] != '\n' ||
		    !prov_row(p, li, &j, &expires))
			break;
		if (run_add(p, j, expires) < 0)
			return p->rc;
		used += (size_t)src->len + 1;
	}
	/* the lines, as rows of this snapshot, at once */
	if (li > li0 && rowreuse_lines_add_copies(&p->reuse, li - li0) < 0)
		return p->rc = -ENOMEM;
	p->sect_line = li;
	return (long)used;
}

/* The processes section's next lines while process_line would only count
 * them (a copy, byte for byte, of a line of a pid this snapshot already
 * has), stepped over by their sources' lengths as copied_lines does. The
 * bytes used, or -errno. */
static long copied_procs(struct parser *p, const char *d, size_t n)
{
	const struct snapdelta_prov *v = p->pprov;
	size_t li = p->sect_line, used = 0;   /* li: the next line's index */
	struct proc_ent *x = NULL;
	int32_t last = 0;

	for (; li < v->n; li++) {
		const struct snapdelta_src *src = &v->v[li];
		int32_t pid = proc_copied(p, li);

		if (!pid || src->len >= n - used || d[used + src->len] != '\n')
			break;
		/* a worker's sockets come together: its slot, once */
		if (pid != last) {
			x = procs_slot(p->procs.e, p->procs.cap, pid);
			last = pid;
		}
		if (!x->pid)
			break;
		x->sockets++;
		if (pid_push(p, pid) < 0)
			return p->rc;
		used += (size_t)src->len + 1;
	}
	p->sect_line = li;
	return (long)used;
}

/* Splits a DATA block into lines, carrying a cut line to the next block. */
static int data(struct parser *p, const char *d, size_t n)
{
	/* the header (line 0) is never a copy */
	bool copies = p->sect == S_SOCKETS && p->prov && !p->src->opts->parse_every_row;
	/* (pprov is NULL when every row is parsed; proc_copied says which) */
	bool procs = p->sect == S_PROCESSES && p->pprov;
	int rc;

	if (p->sect == S_RAW)
		return buf_append(&p->raw, d, n) < 0 ? (p->rc = -ENOMEM) : 0;
	if (p->sect == S_SKIP)
		return 0;
	while (n > 0) {
		const char *nl;
		size_t len;

		if (((copies && p->sect_line >= 1) || procs) && !p->partial.len) {
			long k = copies ? copied_lines(p, d, n) : copied_procs(p, d, n);

			if (k < 0)
				return (int)k;
			d += k;
			n -= (size_t)k;
			if (n == 0)
				break;
		}
		nl = memchr(d, '\n', n);

		if (!nl) {
			if (p->partial.len + n > (16u << 20)) {
				buf_reset(&p->partial);
				return bad(p, "a line shorter than 16 MiB");
			}
			return buf_append(&p->partial, d, n) < 0 ? (p->rc = -ENOMEM) : 0;
		}
		len = (size_t)(nl - d);
		if (p->partial.len) {
			if (buf_append(&p->partial, d, len) < 0)
				return p->rc = -ENOMEM;
			rc = one_line(p, p->partial.data, p->partial.len);
			buf_reset(&p->partial);
		} else {
			rc = one_line(p, d, len);
		}
		if (rc < 0)
			return rc;
		d = nl + 1;
		n -= len + 1;
	}
	return 0;
}

/* Ends the current section: a last line without '\n', raw text, the
 * processes folded per pid. */
static int section_end(struct parser *p)
{
	int rc = 0;

	if (p->partial.len) {
		rc = one_line(p, p->partial.data, p->partial.len);
		buf_reset(&p->partial);
	}
	if (rc == 0 && p->sect == S_RAW) {
		struct op_raw r = {p->raw.len};

		/* two ops: the section name, then (if any) the text */
		rc = emit2(p, OP_RAW, &r, sizeof r, p->section, strlen(p->section) + 1);
		if (rc == 0 && p->raw.len)
			rc = emit2(p, OP_RAW, NULL, 0, p->raw.data, p->raw.len);
	}
	for (size_t i = 0; rc == 0 && i < p->procs.cap; i++) {
		const struct proc_ent *e = &p->procs.e[i];
		struct op_process o = {e->pid, e->sockets,
				       e->program ? (uint32_t)strlen(e->program) : UINT32_MAX,
				       e->comm ? (uint32_t)strlen(e->comm) : UINT32_MAX};
		struct buf *b = &p->scratch;

		if (!e->pid)
			continue;
		buf_reset(b);
		if (buf_append(b, &o, sizeof o) < 0 ||
		    (e->program && buf_append(b, e->program, o.plen + 1) < 0) ||
		    (e->comm && buf_append(b, e->comm, o.clen + 1) < 0))
			return p->rc = -ENOMEM;
		rc = emit(p, OP_PROCESS, b->data, b->len);
	}
	procs_clear(&p->procs);
	buf_reset(&p->raw);
	if (p->sect == S_PROCESSES) {
		/* this section's pids are what the next delta's copies name */
		int32_t *t = p->pid_prev;
		size_t c = p->cpid_prev;

		p->pid_prev = p->pid_cur;
		p->cpid_prev = p->cpid_cur;
		p->npid_prev = p->npid_cur;
		p->pid_cur = t;
		p->cpid_cur = c;
		p->npid_cur = 0;
		p->prev_ok = rc == 0;
	}
	p->sect = S_SKIP;
	return rc;
}

static enum sect kind_of(const char *name, bool keep_raw)
{
	if (!strcmp(name, "sockets"))
		return S_SOCKETS;
	if (!strcmp(name, "counters"))
		return S_COUNTERS;
	if (!strcmp(name, "processes"))
		return S_PROCESSES;
	return keep_raw ? S_RAW : S_SKIP;
}

static int event(struct parser *p, const struct snap_event *ev)
{
	const struct snap_header *h = ev->hdr;
	char msg[300];
	int rc;

	switch (ev->type) {
	case SNAP_EV_BEGIN: {
		struct op_begin b = {*h, ev->offset};

		p->seq = h->seq;
		p->sect = S_SKIP;
		p->saw_procs = false;
		rowreuse_lines_drop(&p->reuse);
		return emit(p, OP_BEGIN, &b, sizeof b);
	}
	case SNAP_EV_SECTION:
		if ((rc = section_end(p)) < 0)
			return rc;
		snprintf(p->section, sizeof p->section, "%s", ev->section);
		p->sect = kind_of(ev->section, p->src->opts->keep_raw);
		p->sect_line = 0;
		p->prov = p->sect == S_SOCKETS ? ev->prov : NULL;
		p->pprov = p->sect == S_PROCESSES && !p->src->opts->parse_every_row ? ev->prov
										: NULL;
		if (p->sect == S_PROCESSES) {
			p->npid_cur = 0;
			p->saw_procs = true;
		}
		return 0;
	case SNAP_EV_DATA:
		return data(p, ev->data, ev->len);
	case SNAP_EV_END:
		if ((rc = section_end(p)) < 0)
			return rc;
		rowreuse_lines_commit(&p->reuse);
		/* the next delta's processes are against this snapshot's */
		if (!p->saw_procs)
			p->prev_ok = false;
		return emit(p, OP_END, NULL, 0);
	case SNAP_EV_BAD:
		p->prev_ok = false;
		procs_clear(&p->procs);
		rowreuse_lines_drop(&p->reuse);
		buf_reset(&p->partial);
		buf_reset(&p->raw);
		p->sect = S_SKIP;
		if (h)
			snprintf(msg, sizeof msg, "snapshot at offset %" PRIu64 " (seq %" PRIu64
				 ") skipped: %s", ev->offset, h->seq, ev->error);
		else
			snprintf(msg, sizeof msg, "snapshot at offset %" PRIu64 " skipped: %s",
				 ev->offset, ev->error);
		return emit_msg(p, OP_TORN, msg);
	case SNAP_EV_JUNK:
		snprintf(msg, sizeof msg, "%zu bytes at offset %" PRIu64
			 " are not a snapshot (expected \"SOCKSCOPE 1\"), skipped", ev->len, ev->offset);
		return emit_msg(p, OP_BAD, msg);
	default:
		return 0;
	}
}

static int drain(struct parser *p, struct snap_reader *r, bool eof)
{
	struct snap_event ev;
	int rc;

	while (snap_reader_next(r, &ev) != SNAP_EV_NONE)
		if ((rc = event(p, &ev)) < 0)
			return rc;
	if (eof)
		while (snap_reader_eof(r, &ev) != SNAP_EV_NONE)
			if ((rc = event(p, &ev)) < 0)
				return rc;
	return 0;
}

/* What import reads of a snapshot without --keep-raw. */
static const char *const imported_sections[] = {"sockets", "counters", "processes", NULL};
/* Those whose lines' provenance the fast paths use (row_line, process_line). */
static const char *const tracked_sections[] = {"sockets", "processes", NULL};

/* The parsing thread: the whole segment into ops, then `done`. */
static void *parse_main(void *arg)
{
	struct parser *p = arg;
	struct snap_reader *r = snap_reader_new();
	char *chunk = malloc(256 * 1024);
	const char *text;
	size_t len;
	int rc = -ENOMEM;

	if (!r || !chunk)
		goto out;
	/* renderings are rebuilt only when they are kept; without --keep-raw
	 * the rest of /proc is not even decoded (docs/FORMAT.md §7.2) */
	snap_reader_skip_derived(r, !p->src->opts->keep_raw);
	if (!p->src->opts->keep_raw)
		snap_reader_select(r, imported_sections);
	snap_reader_track(r, tracked_sections);
	/* what format detection already decoded comes first */
	if (lines_peek(p->lines, 0, &text, &len) < 0)
		len = 0;
	snap_reader_feed(r, text, len);
	rc = drain(p, r, false);
	while (rc == 0) {
		ssize_t n = input_read(p->src->in, chunk, 256 * 1024);

		if (n < 0) {
			/* what came before stays imported */
			rc = emit_msg(p, OP_BAD, input_error(p->src->in));
			n = 0;
		}
		if (n == 0) {
			if (rc == 0)
				rc = drain(p, r, true);
			break;
		}
		snap_reader_feed(r, chunk, (size_t)n);
		rc = drain(p, r, false);
	}
out:
	free(chunk);
	snap_reader_free(r);
	procs_clear(&p->procs);
	if (p->rc == 0)
		p->rc = rc;
	pthread_mutex_lock(&p->pipe->mu);
	if (p->out) {
		/* the last batch, then done */
		unsigned b = (unsigned)(p->out - p->pipe->batch);

		p->pipe->full[(p->pipe->head + p->pipe->nfull) % NBATCH] = b;
		p->pipe->nfull++;
	}
	p->pipe->done = true;
	pthread_cond_broadcast(&p->pipe->cv);
	pthread_mutex_unlock(&p->pipe->mu);
	return NULL;
}

int import_segment(struct import_source *src, struct lines *l)
{
	struct pipe q = {.nfree = 0};
	struct parser p = {.src = src, .lines = l, .pipe = &q};
	struct segstore s;
	pthread_t th;
	int rc = 0, prc;

	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.cv, NULL);
	for (unsigned i = 0; i < NBATCH; i++) {
		buf_init(&q.batch[i]);
		if (i > 0)
			q.freelist[q.nfree++] = i;
	}
	p.out = &q.batch[0];
	buf_init(&p.partial);
	buf_init(&p.raw);
	buf_init(&p.scratch);
	buf_init(&p.scratch2);
	rowreuse_lines_init(&p.reuse);
	segstore_init(&s, src);
	if (pthread_create(&th, NULL, parse_main, &p) != 0) {
		rc = -EIO;
		goto out;
	}
	for (;;) {
		unsigned b;

		pthread_mutex_lock(&q.mu);
		while (q.nfull == 0 && !q.done)
			pthread_cond_wait(&q.cv, &q.mu);
		if (q.nfull == 0) {
			pthread_mutex_unlock(&q.mu);
			break;
		}
		b = q.full[q.head];
		q.head = (q.head + 1) % NBATCH;
		q.nfull--;
		pthread_mutex_unlock(&q.mu);
		if (rc == 0)
			rc = segstore_apply_batch(&s, &q.batch[b]);
		pthread_mutex_lock(&q.mu);
		q.freelist[q.nfree++] = b;
		if (rc < 0)
			q.abort = true;   /* the parser stops at its next hand-over */
		pthread_cond_broadcast(&q.cv);
		pthread_mutex_unlock(&q.mu);
	}
	pthread_join(th, NULL);
	prc = p.rc;
	if (rc == 0 && prc < 0 && prc != -ECANCELED)
		rc = -EIO;   /* out of memory while parsing: fail the source like the db */
out:
	for (unsigned i = 0; i < NBATCH; i++)
		buf_fini(&q.batch[i]);
	buf_fini(&p.partial);
	buf_fini(&p.raw);
	buf_fini(&p.scratch);
	buf_fini(&p.scratch2);
	free(p.run_exp);
	free(p.pid_prev);
	free(p.pid_cur);
	rowreuse_lines_fini(&p.reuse);
	segstore_fini(&s);
	pthread_mutex_destroy(&q.mu);
	pthread_cond_destroy(&q.cv);
	return rc;
}
