/* collect — one snapshot's sections, source by source (see collect.h). */
#include "collect.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "counters.h"
#include "diag.h"
#include "netstat.h"
#include "procmap.h"
#include "procnet.h"
#include "procread.h"
#include "renderq.h"
#include "sha256.h"
#include "sockrow.h"
#include "tcpstate.h"

#define CHUNK PROCREAD_CHUNK
#define SMALL_FILE_MAX (1 << 20)     /* /proc/net/snmp and netstat are ~4 KiB */
#define EXEC_TIMEOUT_MS 30000

struct collector {
	struct collect_opts o;
	struct netstat_opts ns[COLLECT_MAX_NETSTAT];
	struct diag *diag;
	struct procmap *pm;
	struct sock_row *rows;       /* /proc rows kept for netstat rendering */
	size_t nrows, caprows;
	bool rows_truncated;
	/* Renderings stored as derived are digested row by row as the /proc
	 * files are read, instead of keeping the rows (11 MB at 100k): */
	bool digest_rows;
	struct renderq *rq;          /* renders and digests them beside collection */
	struct procread *pr;         /* reads the /proc/net files beside the sections before */
	uint8_t rdigest[COLLECT_MAX_NETSTAT][SHA256_LEN];
	uint64_t rlen[COLLECT_MAX_NETSTAT];
	int render_err;              /* a rendering failed (-ENOMEM) */
	struct buf line;             /* scratch for one formatted line */
	struct buf errors;           /* `errors` section content */
	struct buf prev_errors;      /* the previous snapshot's, to log changes only */
	char *chunk;                 /* CHUNK bytes of file input */
	struct buf carry;            /* partial line between chunks */
	struct buf pcarry;           /* the same for procread's parser thread */
};

/* Context of one section being written: the first output error sticks. */
struct out_ctx {
	struct collector *c;
	struct snap_writer *w;
	struct collect_stats *st;
	int err;
};

static void fail_source(struct collector *c, struct collect_stats *st, const char *src,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fail_source(struct collector *c, struct collect_stats *st, const char *src,
			const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->failed++;
	buf_printf(&c->errors, "%s\t%s\n", src, msg);
}

/* Tells the log about source failures when they differ from the previous
 * snapshot's: a source failing every second is said once, not every second
 * (the `errors` section still records it in every snapshot). */
static void log_failures(struct collector *c)
{
	struct buf tmp;

	if (c->o.log && (c->errors.len != c->prev_errors.len ||
			 (c->errors.len && memcmp(c->errors.data, c->prev_errors.data, c->errors.len)))) {
		if (!c->errors.len) {
			c->o.log(c->o.log_ctx, NULL, "all sources readable again");
		} else {
			char *line = c->errors.data, *nl;
			while ((nl = strchr(line, '\n'))) {
				char *tab = strchr(line, '\t');
				*nl = '\0';
				if (tab && tab < nl) {
					*tab = '\0';
					c->o.log(c->o.log_ctx, line, tab + 1);
					*tab = '\t';
				}
				*nl = '\n';
				line = nl + 1;
			}
		}
	}
	tmp = c->prev_errors;
	c->prev_errors = c->errors;
	c->errors = tmp;
}

int collector_new(const struct collect_opts *o, struct collector **out, const char **bad)
{
	struct collector *c = calloc(1, sizeof(*c));
	int rc = 0;

	*out = NULL;
	*bad = NULL;
	if (!c) {
		rc = -ENOMEM;
		goto fail;
	}
	c->o = *o;
	if (o->n_netstat > COLLECT_MAX_NETSTAT) {
		rc = -E2BIG;
		goto fail;
	}
	for (size_t i = 0; i < o->n_netstat; i++) {
		rc = netstat_opts_parse(o->netstat_args[i], &c->ns[i], bad);
		if (rc < 0)
			goto fail;
	}
	c->chunk = malloc(CHUNK);
	c->pm = o->processes ? procmap_new() : NULL;
	c->rq = renderq_new();
	c->pr = procread_new();
	if (!c->chunk || (o->processes && !c->pm) || !c->rq || !c->pr) {
		rc = -ENOMEM;
		goto fail;
	}
	/* The netlink socket is opened lazily so that a failure to open it is a
	 * failing source (logged, retried), not a failure to start. */
	*out = c;
	return 0;
fail:
	collector_free(c);
	return rc;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	diag_free(c->diag);
	procmap_free(c->pm);
	renderq_free(c->rq);
	procread_free(c->pr);
	free(c->rows);
	free(c->chunk);
	buf_fini(&c->line);
	buf_fini(&c->errors);
	buf_fini(&c->prev_errors);
	buf_fini(&c->carry);
	buf_fini(&c->pcarry);
	free(c);
}

static void fill_owner(const struct collector *c, struct sock_row *r)
{
	const struct procmap_entry *e;

	r->pid = 0;
	r->program = NULL;
	if (!c->pm || !r->inode)
		return;
	e = procmap_find(c->pm, r->inode);
	if (e) {
		r->pid = e->pid;
		r->program = e->program;
	}
}

/* ---- sockets: sock_diag ------------------------------------------------- */

static int diag_row(void *ctx, const struct sock_row *in)
{
	struct out_ctx *oc = ctx;
	struct collector *c = oc->c;
	struct sock_row r = *in;
	int rc;

	fill_owner(c, &r);
	if (r.proto == IPPROTO_TCP && (r.state == ST_SYN_RECV || r.state == ST_NEW_SYN_RECV))
		oc->st->syn_recv++;
	buf_reset(&c->line);
	rc = sockrow_to_tsv(&r, &c->line);
	if (rc == 0)
		rc = snap_writer_write(oc->w, c->line.data, c->line.len);
	if (rc < 0) {
		oc->err = rc;
		return rc;
	}
	oc->st->sockets++;
	return 0;
}

static int write_sockets(struct collector *c, struct out_ctx *oc)
{
	static const struct {
		int family, proto;
		const char *name;
	} dumps[] = {
		{AF_INET, IPPROTO_TCP, "sock_diag tcp"},
		{AF_INET6, IPPROTO_TCP, "sock_diag tcp6"},
		{AF_INET, IPPROTO_UDP, "sock_diag udp"},
		{AF_INET6, IPPROTO_UDP, "sock_diag udp6"},
	};
	struct row_sink sink = {diag_row, NULL, oc};
	int rc;

	if (!c->diag) {
		rc = diag_new(&c->diag);
		if (rc < 0) {
			fail_source(c, oc->st, "sock_diag", "cannot open netlink socket: %s",
				    strerror(-rc));
			return 0;   /* no `sockets` section this time */
		}
	}
	rc = snap_writer_section(oc->w, "sockets");
	if (rc == 0)
		rc = snap_writer_write(oc->w, SOCKROW_TSV_HEADER, strlen(SOCKROW_TSV_HEADER));
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		long n = diag_dump(c->diag, dumps[i].family, dumps[i].proto, &sink);
		if (oc->err)
			return oc->err;
		if (n < 0) {
			fail_source(c, oc->st, dumps[i].name, "%s", strerror((int)-n));
			/* A broken netlink socket is reopened next time. */
			diag_free(c->diag);
			c->diag = NULL;
			break;
		}
	}
	return 0;
}

/* ---- processes ------------------------------------------------------- */

static int write_processes(struct collector *c, struct out_ctx *oc)
{
	const struct procmap_entry *e;
	size_t n;
	long found;
	int rc;

	if (!c->pm)
		return 0;
	found = procmap_scan(c->pm, c->o.proc_root);
	if (found < 0) {
		fail_source(c, oc->st, "processes", "cannot scan %s: %s", c->o.proc_root,
			    strerror((int)-found));
		return 0;
	}
	/* netstat -p says this on stderr; here it goes into `errors` (and the
	 * log, once while it lasts) so that '-' is never read as "no owner".
	 * No count in the text: it would change, and be logged, every time. */
	if (procmap_denied(c->pm))
		fail_source(c, oc->st, "processes",
			    "not all processes could be identified: other users' processes "
			    "cannot be read, their sockets show pid and program '-' (run as "
			    "root, or with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, to see it all)");
	rc = snap_writer_section(oc->w, "processes");
	if (rc < 0)
		return rc;
	buf_reset(&c->line);
	buf_puts(&c->line, "inode\tpid\tprogram\tcomm\n");
	e = procmap_entries(c->pm, &n);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&c->line, "%" PRIu64 "\t%" PRId32 "\t", e[i].inode, e[i].pid);
		sockrow_put_escaped(&c->line, e[i].program);
		buf_putc(&c->line, '\t');
		sockrow_put_escaped(&c->line, e[i].comm);
		rc = buf_putc(&c->line, '\n');
		if (rc < 0)
			return rc;
		if (c->line.len >= CHUNK) {
			rc = snap_writer_write(oc->w, c->line.data, c->line.len);
			if (rc < 0)
				return rc;
			buf_reset(&c->line);
		}
	}
	return snap_writer_write(oc->w, c->line.data, c->line.len);
}

/* ---- counters --------------------------------------------------------- */

static int read_small(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc = 0;

	if (fd < 0)
		return -errno;
	buf_reset(out);
	for (;;) {
		ssize_t k;
		rc = buf_reserve(out, 4096);
		if (rc < 0)
			break;
		k = read(fd, out->data + out->len, 4096);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (k == 0)
			break;
		out->len += (size_t)k;
		out->data[out->len] = '\0';
		if (out->len > SMALL_FILE_MAX) {
			rc = -EFBIG;
			break;
		}
	}
	close(fd);
	return rc;
}

struct counter_ctx {
	struct out_ctx *oc;
	struct buf *text;
	int err;
};

static int one_counter(void *ctx, const char *group, size_t glen, const char *name, size_t nlen,
		       int64_t value)
{
	struct counter_ctx *cc = ctx;
	struct out_ctx *oc = cc->oc;

	if (glen == 6 && !memcmp(group, "TcpExt", 6)) {
		if (nlen == 14 && !memcmp(name, "SyncookiesSent", 14))
			oc->st->cookies = value;
		else if (nlen == 15 && !memcmp(name, "ListenOverflows", 15))
			oc->st->overflows = value;
	}
	return buf_printf(cc->text, "%.*s.%.*s\t%" PRId64 "\n", (int)glen, group, (int)nlen, name,
			  value);
}

static int write_counters(struct collector *c, struct out_ctx *oc)
{
	static const char *const files[] = {"net/snmp", "net/netstat"};
	struct buf file = BUF_INIT, text = BUF_INIT;
	struct counter_ctx cc = {oc, &text, 0};
	struct counter_sink sink = {one_counter, NULL, &cc};
	char path[512];
	int rc = 0;

	buf_puts(&text, "name\tvalue\n");
	for (size_t i = 0; i < 2; i++) {
		int r;
		snprintf(path, sizeof(path), "%s/%s", c->o.proc_root, files[i]);
		r = read_small(path, &file);
		if (r < 0) {
			fail_source(c, oc->st, path, "%s", strerror(-r));
			continue;
		}
		long n = counters_parse(file.data, file.len, &sink);
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
	}
	rc = snap_writer_section(oc->w, "counters");
	if (rc == 0)
		rc = snap_writer_write(oc->w, text.data, text.len);
out:
	buf_fini(&file);
	buf_fini(&text);
	return rc;
}

/* ---- raw /proc/net files, parsed for rendering -------------------------- */

static void keep_row(struct collector *c, struct collect_stats *st, const struct sock_row *r)
{
	if (c->digest_rows) {
		struct sock_row row = *r;

		fill_owner(c, &row);
		(void)renderq_row(c->rq, &row);   /* errors: renderq_end */
		return;
	}
	if (c->nrows == c->caprows) {
		size_t cap = c->caprows ? c->caprows * 2 : 1024;
		struct sock_row *n;
		if (cap > c->o.max_rows)
			cap = c->o.max_rows;
		if (c->nrows >= cap) {
			if (!c->rows_truncated)
				fail_source(c, st, "netstat", "more than %zu sockets: renderings truncated",
					    c->o.max_rows);
			c->rows_truncated = true;
			return;
		}
		n = realloc(c->rows, cap * sizeof(*n));
		if (!n) {
			if (!c->rows_truncated)
				fail_source(c, st, "netstat", "out of memory: renderings truncated");
			c->rows_truncated = true;
			return;
		}
		c->rows = n;
		c->caprows = cap;
	}
	c->rows[c->nrows] = *r;
	fill_owner(c, &c->rows[c->nrows]);
	c->nrows++;
}

static void parse_line(struct collector *c, struct collect_stats *st, const char *line, size_t len,
		       int proto, int family)
{
	struct sock_row r;
	const char *what;

	if (procnet_parse_line(line, len, proto, family, false, &r, &what) == 0)
		keep_row(c, st, &r);
}

/* Splits input into lines across chunk boundaries (carry: the partial
 * line). st is NULL in procread's parser thread (digests only). */
static void parse_chunk(struct collector *c, struct collect_stats *st, struct buf *carry,
			const char *p, size_t n, int proto, int family)
{
	const char *end = p + n, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		if (carry->len) {
			buf_append(carry, p, (size_t)(nl - p));
			parse_line(c, st, carry->data, carry->len, proto, family);
			buf_reset(carry);
		} else {
			parse_line(c, st, p, (size_t)(nl - p), proto, family);
		}
		p = nl + 1;
	}
	if (p < end)
		buf_append(carry, p, (size_t)(end - p));
}

/* The files of the proc/net sections, in their order. */
static const char *const procnet_names[] = {"net/tcp", "net/tcp6", "net/udp",
					    "net/udp6", "net/raw", "net/raw6"};
static const struct {
	int proto, family;
} procnet_files[] = {
	{IPPROTO_TCP, AF_INET}, {IPPROTO_TCP, AF_INET6}, {IPPROTO_UDP, AF_INET},
	{IPPROTO_UDP, AF_INET6}, {IPPROTO_RAW, AF_INET}, {IPPROTO_RAW, AF_INET6},
};
#define N_PROCNET (sizeof(procnet_files) / sizeof(procnet_files[0]))
_Static_assert(sizeof(procnet_names) / sizeof(procnet_names[0]) == N_PROCNET,
	       "a name for every file");

/* Starts reading the files (procread's thread, unless o.threads is off)
 * before the sections that come before theirs are collected; parse: for
 * the derived renderings, by procread's parser thread. */
static void start_procnet(struct collector *c, bool parse)
{
	/* -EINVAL only (begun twice, too many files): a bug, caught by tests */
	(void)procread_begin(c->pr, c->o.proc_root, procnet_names, N_PROCNET, c->o.threads,
			     parse);
}

/* procread's parser: the rows of the files to the renderings' thread, with
 * their owners (the owner map is read-only until the next snapshot). */
static void parse_piece(void *ctx, size_t file, const char *p, size_t n)
{
	struct collector *c = ctx;

	if (p) {
		parse_chunk(c, NULL, &c->pcarry, p, n, procnet_files[file].proto,
			    procnet_files[file].family);
		return;
	}
	if (c->pcarry.len)
		parse_line(c, NULL, c->pcarry.data, c->pcarry.len, procnet_files[file].proto,
			   procnet_files[file].family);
	buf_reset(&c->pcarry);
}

/* Writes what procread read of the files, in their order, and parses it for
 * the renderings (render). */
static int write_procnet(struct collector *c, struct out_ctx *oc, bool render)
{
	char path[512], name[32];
	int rc = 0;

	c->nrows = 0;
	c->rows_truncated = false;
	for (size_t i = 0; i < N_PROCNET; i++) {
		int err = procread_open(c->pr, i);

		snprintf(path, sizeof(path), "%s/%s", c->o.proc_root, procnet_names[i]);
		if (err < 0) {
			/* No IPv6 (or no raw) in this kernel is not a failure. */
			if (err != -ENOENT)
				fail_source(c, oc->st, path, "%s", strerror(-err));
			continue;
		}
		snprintf(name, sizeof(name), "proc/%s", procnet_names[i]);
		rc = snap_writer_section(oc->w, name);
		buf_reset(&c->carry);
		while (rc == 0) {
			ssize_t k = procread_next(c->pr, c->chunk);
			if (k < 0) {
				fail_source(c, oc->st, path, "read: %s", strerror((int)-k));
				break;
			}
			if (k == 0)
				break;
			rc = snap_writer_write(oc->w, c->chunk, (size_t)k);
			if (render)
				parse_chunk(c, oc->st, &c->carry, c->chunk, (size_t)k,
					    procnet_files[i].proto, procnet_files[i].family);
		}
		if (render && c->carry.len)
			parse_line(c, oc->st, c->carry.data, c->carry.len, procnet_files[i].proto,
				   procnet_files[i].family);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- netstat renderings ------------------------------------------------ */

static int write_rendered(struct collector *c, struct out_ctx *oc)
{
	char name[80];
	int rc;

	for (size_t i = 0; i < c->o.n_netstat; i++) {
		snprintf(name, sizeof(name), "netstat %s", c->o.netstat_args[i]);
		if (c->digest_rows) {
			if (c->render_err < 0)
				return c->render_err;
			rc = snap_writer_derived(oc->w, name, c->rdigest[i], c->rlen[i]);
			if (rc < 0)
				return rc;
			continue;
		}
		rc = snap_writer_section(oc->w, name);
		if (rc < 0)
			return rc;
		buf_reset(&c->line);
		rc = netstat_render_header(&c->ns[i], &c->line);
		for (size_t j = 0; rc >= 0 && j < c->nrows; j++) {
			rc = netstat_render_row(&c->ns[i], &c->rows[j], &c->line);
			if (rc >= 0 && c->line.len >= CHUNK) {
				rc = snap_writer_write(oc->w, c->line.data, c->line.len);
				buf_reset(&c->line);
			}
		}
		if (rc >= 0)
			rc = snap_writer_write(oc->w, c->line.data, c->line.len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Runs the real netstat without a shell and stores its stdout verbatim. */
static int write_exec(struct collector *c, struct out_ctx *oc, const char *args)
{
	char argbuf[128], name[80], *argv[16], *save = NULL;
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = 0, argc = 0, rc = 0;
	bool fa_init = false;
	pid_t pid = -1;
	struct timespec t0, now;

	snprintf(argbuf, sizeof(argbuf), "%s", args);
	argv[argc++] = (char *)"netstat";
	for (char *t = strtok_r(argbuf, " ", &save); t && argc < 15; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fail_source(c, oc->st, "netstat-exec", "pipe: %s", strerror(errno));
		return 0;
	}
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto spawn_failed;
	fa_init = true;
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, c->o.netstat_bin, &fa, NULL, argv, (char *[]){"LC_ALL=C", NULL}) != 0)
		goto spawn_failed;
	close(pipefd[1]);
	pipefd[1] = -1;
	snprintf(name, sizeof(name), "netstat-exec %s", args);
	rc = snap_writer_section(oc->w, name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (rc == 0) {
		struct pollfd pfd = {pipefd[0], POLLIN, 0};
		long waited;
		ssize_t k;

		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited >= EXEC_TIMEOUT_MS || poll(&pfd, 1, (int)(EXEC_TIMEOUT_MS - waited)) == 0) {
			kill(pid, SIGKILL);
			fail_source(c, oc->st, "netstat-exec", "%s %s: timed out", c->o.netstat_bin,
				    args);
			break;
		}
		k = read(pipefd[0], c->chunk, CHUNK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		rc = snap_writer_write(oc->w, c->chunk, (size_t)k);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		fail_source(c, oc->st, "netstat-exec", "%s %s: exit status %d", c->o.netstat_bin, args,
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	goto out;
spawn_failed:
	fail_source(c, oc->st, "netstat-exec", "cannot run %s: %s", c->o.netstat_bin,
		    strerror(errno));
out:
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}

int collector_run(struct collector *c, struct snap_writer *w, struct collect_stats *st)
{
	struct out_ctx oc = {c, w, st, 0};
	bool render = c->o.n_netstat > 0 && !c->o.exec_netstat, rendering = false, parse;
	int rc, err;

	memset(st, 0, sizeof(*st));
	st->cookies = -1;
	st->overflows = -1;
	buf_reset(&c->errors);
	/* Derived renderings need only their digests: taken row by row. */
	snap_writer_derive(w, c->o.derive);
	c->digest_rows = render && snap_writer_takes_digests(w);
	c->render_err = 0;
	parse = c->digest_rows && c->o.threads;
	/* The /proc/net files are read (the kernel's text, the costliest
	 * source) while the owners and sockets are: two sources' kernel work
	 * at once. */
	start_procnet(c, parse);
	/* Owners first: the sockets and renderings below look them up. */
	rc = write_processes(c, &oc);
	if (rc == 0 && c->digest_rows) {
		/* rendered and digested by two more threads (parsing, then
		 * rendering) while the sockets are dumped and /proc is written;
		 * without threads, parsed as /proc is written */
		buf_reset(&c->pcarry);
		c->render_err = renderq_begin(c->rq, c->ns, c->o.n_netstat);
		rendering = true;
		err = parse ? procread_parse(c->pr, parse_piece, c) : 0;
		if (err < 0 && c->render_err == 0)
			c->render_err = err;
	}
	if (rc == 0)
		rc = write_sockets(c, &oc);
	if (rc == 0)
		rc = write_counters(c, &oc);
	if (rc == 0)
		rc = write_procnet(c, &oc, render && !parse);
	if (rc == 0)
		procread_parse_end(c->pr);   /* every row to the renderings */
	procread_end(c->pr);   /* joins the reader (and parser) on every path */
	if (rendering) {
		err = renderq_end(c->rq, c->rdigest, c->rlen);
		if (err < 0 && c->render_err == 0)
			c->render_err = err;
	}
	/* Truncated renderings could not be rebuilt: they are kept as they are. */
	snap_writer_derive(w, c->o.derive && !c->rows_truncated);
	if (rc == 0 && render)
		rc = write_rendered(c, &oc);
	for (size_t i = 0; rc == 0 && c->o.exec_netstat && i < c->o.n_netstat; i++)
		rc = write_exec(c, &oc, c->o.netstat_args[i]);
	if (rc == 0 && c->errors.len) {
		rc = snap_writer_section(w, "errors");
		if (rc == 0)
			rc = snap_writer_write(w, c->errors.data, c->errors.len);
	}
	log_failures(c);
	return rc;
}
