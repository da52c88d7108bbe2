/* snaprender — netstat sections rebuilt from a snapshot's own text. */
#include "snaprender.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"
#include "netstat.h"
#include "num.h"
#include "procnet.h"
#include "sockrow.h"

struct owner {
	uint64_t inode;
	int32_t pid;
	size_t prog;       /* offset in the arena, SIZE_MAX when unknown */
};

struct owners {
	struct owner *v;
	size_t n;
	struct buf arena;
};

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Fields of a TSV line: up to max, pointers into the line. */
static size_t tsv_fields(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t k = 0;
	const char *end = s + n;

	while (k < max) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		f[k] = s;
		fl[k] = tab ? (size_t)(tab - s) : (size_t)(end - s);
		k++;
		if (!tab)
			break;
		s = tab + 1;
	}
	return k;
}

/* The processes table (docs/FORMAT.md §3.2): inode -> pid, program. Lines
 * that do not parse own nothing, as the recorder wrote none such. */
static int owners_load(struct owners *o, const char *t, size_t n)
{
	struct buf scratch = BUF_INIT;
	const char *p = t, *end = t + n;
	size_t cap = 0;
	bool first = true;
	int rc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *f[4], *prog;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p), fl[4];
		uint64_t inode, pid;

		if (!first && tsv_fields(p, len, f, fl, 4) == 4 &&
		    num_parse_dec(f[0], fl[0], UINT64_MAX, &inode) == 0 &&
		    num_parse_dec(f[1], fl[1], INT32_MAX, &pid) == 0 &&
		    sockrow_get_escaped(f[2], fl[2], &scratch, &prog) == 0) {
			struct owner *v = grow(o->v, &cap, o->n, sizeof(*v), 256);

			if (!v) {
				rc = -ENOMEM;
				break;
			}
			o->v = v;
			o->v[o->n].inode = inode;
			o->v[o->n].pid = (int32_t)pid;
			o->v[o->n].prog = SIZE_MAX;
			if (prog) {
				o->v[o->n].prog = o->arena.len;
				rc = buf_append(&o->arena, prog, strlen(prog) + 1);
				if (rc < 0)
					break;
			}
			o->n++;
		}
		first = false;
		p += len + (nl ? 1 : 0);
	}
	buf_fini(&scratch);
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), cmp_owner);
	return rc;
}

static const struct owner *owners_find(const struct owners *o, uint64_t inode)
{
	struct owner key = {inode, 0, 0};
	const struct owner *e = o->n ? bsearch(&key, o->v, o->n, sizeof(key), cmp_owner) : NULL;

	/* Several rows for one inode: the first in the table owns it. */
	while (e && e > o->v && e[-1].inode == inode)
		e--;
	return e;
}

int snaprender_netstat(const char *args, snaprender_get_fn get, void *ctx, struct buf *out,
		       const char **what)
{
	static const struct {
		const char *name;
		int proto, family;
	} files[] = {
		{"proc/net/tcp", IPPROTO_TCP, AF_INET},   {"proc/net/tcp6", IPPROTO_TCP, AF_INET6},
		{"proc/net/udp", IPPROTO_UDP, AF_INET},   {"proc/net/udp6", IPPROTO_UDP, AF_INET6},
		{"proc/net/raw", IPPROTO_RAW, AF_INET},   {"proc/net/raw6", IPPROTO_RAW, AF_INET6},
	};
	struct owners own = {NULL, 0, BUF_INIT};
	struct netstat_opts o;
	const char *bad = NULL, *t;
	size_t n;
	int rc;

	*what = NULL;
	if (netstat_opts_parse(args, &o, &bad) < 0) {
		*what = "derived netstat section with arguments this reader does not render";
		return -EINVAL;
	}
	t = get(ctx, "processes", &n);
	rc = t ? owners_load(&own, t, n) : 0;
	if (rc == 0)
		rc = netstat_render_header(&o, out);
	for (size_t i = 0; rc >= 0 && i < sizeof(files) / sizeof(files[0]); i++) {
		const char *p, *end;

		t = get(ctx, files[i].name, &n);
		if (!t)
			continue;
		for (p = t, end = t + n; rc >= 0 && p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p)), *w;
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			struct sock_row r;

			if (procnet_parse_line(p, len, files[i].proto, files[i].family, false, &r,
					       &w) == 0) {
				const struct owner *e = r.inode ? owners_find(&own, r.inode) : NULL;
				r.pid = 0;
				r.program = NULL;
				if (e) {
					r.pid = e->pid;
					r.program = e->prog == SIZE_MAX ? NULL : own.arena.data + e->prog;
				}
				rc = netstat_render_row(&o, &r, out);
			}
			p += len + (nl ? 1 : 0);
		}
	}
	free(own.v);
	buf_fini(&own.arena);
	return rc < 0 ? rc : 0;
}
