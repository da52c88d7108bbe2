/* peercount — one plain netstat dump's peers counted for `top -` in a flat
 * table (IPv4 and IPv6 apart), or handed back to the general path. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dateline.h"
#include "grow.h"
#include "keytab.h"
#include "peercount.h"
#include "peerscan.h"
#include "tcpstate.h"
#include "textfmt.h"

/*
 * What the fast path covers, and why the rest goes to the general path:
 * one dump (the caller checks: one operand, --by ip, no --at, no
 * --program), plain text (compressed, UTF-16 or with a BOM: general),
 * detected as netstat by textfmt_detect on the same lines import would look
 * at, every line a title, header or row peerscan is sure of (a date line,
 * a blank line, a bad line, -p/-e/-o columns, names instead of numbers,
 * raw sockets, UDP's UNKNOWN: general), a regular file or stdin (a named
 * FIFO: general), the snapshot kept by --host/--since/--until (else
 * general). Bad input is thus never judged here: the general path prints
 * its messages with file and line.
 */

#define BLOCK (1024 * 1024)
/* format detection's look (import.c choose) */
#define DETECT_BYTES (64 * 1024)
/* a pipe's bytes are kept for the general path until then; beyond, the
 * fast path gives up (memory stays bounded by this, not the input) */
#define KEEP_MAX ((size_t)256 * 1024 * 1024)
#define BATCH 16
#define V6_BIT 0x80000000u
/* a file this big is read in two halves by two threads (each its own
 * tables, merged): the wall time of `top -` on a big dump nearly halves
 * when a second CPU is free, and a loaded machine gives two threads two
 * shares of its time, as it does the five processes of awk | sort */
#define SPLIT_MIN ((off_t)8 * 1024 * 1024)

/* Slots are small (12 and 24 bytes): the tables are the memory a dump of
 * many peers touches at random, and every page of them is zeroed first.
 * rows 0: an empty slot. */
struct slot4 {
	uint32_t addr;           /* big-endian order as a number: compares as memcmp */
	uint32_t rows;
	uint32_t ms;             /* MS_MORE(mix index + 1) when several states, | state */
};

struct slot6 {
	uint8_t a[16];
	uint32_t rows;
	uint32_t ms;
};

#define MS_ST(ms) ((uint8_t)((ms) & 15u))
#define MS_MORE(ms) ((ms) >> 4)
/* at most this full (per 10): linear probing stays short, the tables small */
#define LOAD10 7

struct mix {
	uint32_t n[AGG_NSTATE];
};

struct peercount {
	struct slot4 *t4;
	struct slot6 *t6;
	size_t cap4, cap6, n4, n6;   /* caps: powers of two, at most half full */
	struct mix *mix;
	size_t nmix, capmix;
	uint64_t rows;
	usec_t time;
};

/* A row on its way into the table: its slot is prefetched first. */
struct pending {
	uint64_t h;
	struct addr peer;
	uint8_t state;
};

struct reader {
	int fd;
	bool keep;               /* a pipe: every byte kept (head) */
	char *buf;
	size_t cap, start, end;  /* unread text [start, end) */
	bool eof;
	size_t taken;            /* bytes read from fd */
	off_t pos;               /* >= 0: read there (pread), else fd's offset */
	uint64_t left;           /* bytes it may still read */
};

static uint64_t hash4(uint32_t a)
{
	return keytab_mix64(a);
}

static uint64_t hash6(const uint8_t *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return keytab_mix64(lo ^ keytab_mix64(hi));
}

static uint32_t v4_of(const struct addr *a)
{
	return (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 | (uint32_t)a->a[2] << 8 | a->a[3];
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1024;

	while (p < n && p < ((size_t)1 << 24))
		p *= 2;
	return p;
}

static int table_init(struct peercount *pc, size_t cap4, size_t cap6)
{
	pc->t4 = big_alloc(cap4, sizeof *pc->t4, true);
	pc->t6 = big_alloc(cap6, sizeof *pc->t6, true);
	if (!pc->t4 || !pc->t6)
		return -ENOMEM;
	pc->cap4 = cap4;
	pc->cap6 = cap6;
	return 0;
}

static uint64_t slot4_hash(const void *slot)
{
	return hash4(((const struct slot4 *)slot)->addr);
}

static uint64_t slot6_hash(const void *slot)
{
	return hash6(((const struct slot6 *)slot)->a);
}

/* A slot's row count, at rows_off in it: 0 is an empty slot. */
static uint32_t slot_rows(const char *slot, size_t rows_off)
{
	uint32_t rows;

	memcpy(&rows, slot + rows_off, sizeof rows);
	return rows;
}

/* Doubles a table of *cap slots of elem bytes (rehashed by hash): 0, or
 * -ENOMEM with the table unchanged. Both tables, one rule. */
static int table_double(void **tab, size_t *cap, size_t elem, size_t rows_off,
			uint64_t (*hash)(const void *slot))
{
	size_t ncap = *cap * 2;
	char *t = big_alloc(ncap, elem, true);
	const char *old = *tab;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < *cap; i++) {
		const char *s = old + i * elem;
		size_t j;

		if (!slot_rows(s, rows_off))
			continue;
		for (j = hash(s) & (ncap - 1); slot_rows(t + j * elem, rows_off); j = (j + 1) & (ncap - 1))
			;
		memcpy(t + j * elem, s, elem);
	}
	free(*tab);
	*tab = t;
	*cap = ncap;
	return 0;
}

static int grow4(struct peercount *pc)
{
	void *t = pc->t4;
	int rc = table_double(&t, &pc->cap4, sizeof *pc->t4, offsetof(struct slot4, rows), slot4_hash);

	pc->t4 = t;
	return rc;
}

static int grow6(struct peercount *pc)
{
	void *t = pc->t6;
	int rc = table_double(&t, &pc->cap6, sizeof *pc->t6, offsetof(struct slot6, rows), slot6_hash);

	pc->t6 = t;
	return rc;
}

/* One more row (counted in rows) of state st in a group whose *ms says its
 * first state and, when it had several, its mix: 0 or -ENOMEM. */
static int count_state(struct peercount *pc, uint32_t rows, uint32_t *ms, uint8_t st)
{
	struct mix *v;

	if (!MS_MORE(*ms) && st == MS_ST(*ms))
		return 0;
	if (!MS_MORE(*ms)) {
		if (pc->nmix >= (UINT32_MAX >> 4) - 1 ||
		    !(v = grow(pc->mix, &pc->capmix, pc->nmix, sizeof *v, 64)))
			return -ENOMEM;
		pc->mix = v;
		memset(&v[pc->nmix], 0, sizeof *v);
		v[pc->nmix].n[MS_ST(*ms)] = rows - 1;   /* the row just counted is st's */
		*ms = (uint32_t)++pc->nmix << 4 | MS_ST(*ms);
	}
	pc->mix[MS_MORE(*ms) - 1].n[st]++;
	return 0;
}

static int add(struct peercount *pc, const struct pending *p)
{
	size_t j;

	pc->rows++;
	if (p->peer.family == AF_INET) {
		uint32_t a = v4_of(&p->peer);
		struct slot4 *s;

		for (j = p->h & (pc->cap4 - 1); pc->t4[j].rows && pc->t4[j].addr != a;
		     j = (j + 1) & (pc->cap4 - 1))
			;
		s = &pc->t4[j];
		if (!s->rows) {
			*s = (struct slot4){.addr = a, .rows = 1, .ms = p->state};
			pc->n4++;
			return 0;
		}
		s->rows++;
		return count_state(pc, s->rows, &s->ms, p->state);
	} else {
		struct slot6 *s;

		for (j = p->h & (pc->cap6 - 1);
		     pc->t6[j].rows && memcmp(pc->t6[j].a, p->peer.a, 16) != 0;
		     j = (j + 1) & (pc->cap6 - 1))
			;
		s = &pc->t6[j];
		if (!s->rows) {
			*s = (struct slot6){.rows = 1, .ms = p->state};
			memcpy(s->a, p->peer.a, 16);
			pc->n6++;
			return 0;
		}
		s->rows++;
		return count_state(pc, s->rows, &s->ms, p->state);
	}
}

/* The pending rows into the table, room made first (LOAD10). */
static int flush(struct peercount *pc, struct pending *p, size_t n)
{
	int rc;

	while ((pc->n4 + n) * 10 > pc->cap4 * LOAD10)
		if ((rc = grow4(pc)) < 0)
			return rc;
	while ((pc->n6 + n) * 10 > pc->cap6 * LOAD10)
		if ((rc = grow6(pc)) < 0)
			return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = add(pc, &p[i])) < 0)
			return rc;
	return 0;
}

/* The socket conditions of the filter, as scan_files.c's match() applies
 * them to the row the store's tap makes (state numbering of agg.h). */
static bool keep(const struct filter *f, const struct peerscan_row *r, uint8_t *state)
{
	unsigned st = r->state == ST_NEW_SYN_RECV ? ST_SYN_RECV : r->state;

	if (r->proto != IPPROTO_TCP && st == ST_CLOSE)
		st = AGG_UNCONN;
	*state = (uint8_t)(st > 0 && st < AGG_NSTATE ? st : 0);
	if (f->states && !(f->states & (1u << (*state == AGG_UNCONN ? ST_CLOSE : *state))))
		return false;
	if ((f->port >= 0 && r->lport != f->port && r->rport != f->port) ||
	    (f->lport >= 0 && r->lport != f->lport) || (f->rport >= 0 && r->rport != f->rport))
		return false;
	if (f->protos && !(f->protos & (r->proto == IPPROTO_TCP ? FILTER_TCP : FILTER_UDP)))
		return false;
	if (f->family && (r->peer.family == AF_INET6) != (f->family == 6))
		return false;
	return !addr_is_unspecified(&r->peer);
}

/* More bytes into the reader: 1, 0 at the end, or -errno. */
static int fill(struct reader *rd)
{
	size_t want;
	ssize_t n;

	if (rd->eof)
		return 0;
	if (!rd->keep && rd->start > 0) {
		memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
		rd->end -= rd->start;
		rd->start = 0;
	}
	/* a file's window only slides; a pipe's grows, every byte kept */
	if (!rd->cap || (rd->keep && rd->cap - rd->end < BLOCK)) {
		size_t cap = rd->cap ? rd->cap * 2 : 2 * BLOCK;
		char *b = realloc(rd->buf, cap);

		if (!b)
			return -ENOMEM;
		rd->buf = b;
		rd->cap = cap;
	}
	want = rd->cap - rd->end < rd->left ? rd->cap - rd->end : (size_t)rd->left;
	if (want == 0) {
		rd->eof = true;
		return 0;
	}
	do
		n = rd->pos >= 0 ? pread(rd->fd, rd->buf + rd->end, want, rd->pos)
				 : read(rd->fd, rd->buf + rd->end, want);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0) {
		rd->eof = true;
		return 0;
	}
	rd->end += (size_t)n;
	rd->taken += (size_t)n;
	rd->left -= (uint64_t)n;
	if (rd->pos >= 0)
		rd->pos += n;
	return 1;
}

/* The reader's lines into pc: 1 when every one was sure, 0 when the
 * general path must read the dump, -errno. */
static int count_lines(struct peercount *pc, struct reader *rd, const struct filter *flt)
{
	struct pending pend[BATCH];
	size_t np = 0;
	int rc;

	for (;;) {
		const char *s = rd->buf + rd->start, *nl;
		size_t avail = rd->end - rd->start, len;
		struct peerscan_row r;
		enum peerscan_kind k;

		nl = avail ? memchr(s, '\n', avail) : NULL;   /* buf is NULL before the first fill */
		if (!nl) {
			if (avail > PEERSCAN_LINE_MAX)
				return 0;
			if (!rd->eof) {
				if (rd->keep && rd->taken >= KEEP_MAX)
					return 0;
				if ((rc = fill(rd)) < 0)
					return rc == -ENOMEM ? rc : 0;
				continue;
			}
			if (avail == 0)
				break;
			nl = s + avail;   /* a last line without '\n' */
		}
		len = (size_t)(nl - s);
		rd->start += len + (nl < rd->buf + rd->end);
		k = peerscan_line(s, len, &r);
		if (k == PEERSCAN_OTHER)
			return 0;
		if (k != PEERSCAN_ROW || !keep(flt, &r, &pend[np].state))
			continue;
		pend[np].peer = r.peer;
		if (r.peer.family == AF_INET) {
			pend[np].h = hash4(v4_of(&r.peer));
			__builtin_prefetch(&pc->t4[pend[np].h & (pc->cap4 - 1)], 1);
		} else {
			pend[np].h = hash6(r.peer.a);
			__builtin_prefetch(&pc->t6[pend[np].h & (pc->cap6 - 1)], 1);
		}
		if (++np == BATCH) {
			if ((rc = flush(pc, pend, np)) < 0)
				return rc;
			np = 0;
		}
	}
	if ((rc = flush(pc, pend, np)) < 0)
		return rc;
	return 1;
}

/* Group g's rows (rows, of which `before` were there already, ms) take in
 * src_rows more of src_ms (with its mix in from): 0 or -ENOMEM. */
static int absorb(struct peercount *pc, uint32_t before, uint32_t *ms, uint32_t src_ms,
		  uint32_t src_rows, const struct peercount *from)
{
	struct mix *v;

	if (!MS_MORE(*ms) && !MS_MORE(src_ms) && MS_ST(*ms) == MS_ST(src_ms))
		return 0;
	if (!MS_MORE(*ms)) {
		if (pc->nmix >= (UINT32_MAX >> 4) - 1 ||
		    !(v = grow(pc->mix, &pc->capmix, pc->nmix, sizeof *v, 64)))
			return -ENOMEM;
		pc->mix = v;
		memset(&v[pc->nmix], 0, sizeof *v);
		v[pc->nmix].n[MS_ST(*ms)] = before;
		*ms = (uint32_t)++pc->nmix << 4 | MS_ST(*ms);
	}
	v = &pc->mix[MS_MORE(*ms) - 1];
	if (!MS_MORE(src_ms)) {
		v->n[MS_ST(src_ms)] += src_rows;
		return 0;
	}
	for (int i = 0; i < AGG_NSTATE; i++)
		v->n[i] += from->mix[MS_MORE(src_ms) - 1].n[i];
	return 0;
}

/* Folds the groups of `from` (the other half of the dump) into pc: 0 or
 * -ENOMEM. */
static int merge(struct peercount *pc, const struct peercount *from)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < from->cap4; i++) {
		const struct slot4 *f = &from->t4[i];
		struct slot4 *s;
		size_t j;

		if (!f->rows)
			continue;
		if ((pc->n4 + 1) * 10 > pc->cap4 * LOAD10 && (rc = grow4(pc)) < 0)
			break;
		for (j = hash4(f->addr) & (pc->cap4 - 1); pc->t4[j].rows && pc->t4[j].addr != f->addr;
		     j = (j + 1) & (pc->cap4 - 1))
			;
		s = &pc->t4[j];
		if (!s->rows) {
			*s = (struct slot4){.addr = f->addr, .ms = MS_ST(f->ms)};
			pc->n4++;
		}
		s->rows += f->rows;
		rc = absorb(pc, s->rows - f->rows, &s->ms, f->ms, f->rows, from);
	}
	for (size_t i = 0; rc == 0 && i < from->cap6; i++) {
		const struct slot6 *f = &from->t6[i];
		struct slot6 *s;
		size_t j;

		if (!f->rows)
			continue;
		if ((pc->n6 + 1) * 10 > pc->cap6 * LOAD10 && (rc = grow6(pc)) < 0)
			break;
		for (j = hash6(f->a) & (pc->cap6 - 1);
		     pc->t6[j].rows && memcmp(pc->t6[j].a, f->a, 16) != 0; j = (j + 1) & (pc->cap6 - 1))
			;
		s = &pc->t6[j];
		if (!s->rows) {
			*s = (struct slot6){.ms = MS_ST(f->ms)};
			memcpy(s->a, f->a, 16);
			pc->n6++;
		}
		s->rows += f->rows;
		rc = absorb(pc, s->rows - f->rows, &s->ms, f->ms, f->rows, from);
	}
	pc->rows += from->rows;
	return rc;
}

/* The second half of a big file, counted by a thread of its own. */
struct half {
	struct peercount pc;
	struct reader rd;
	const struct filter *flt;
	int rc;
};

static void *half_main(void *arg)
{
	struct half *h = arg;

	h->rc = count_lines(&h->pc, &h->rd, h->flt);
	return NULL;
}

/* Where the second half starts: the first line beginning at or after the
 * middle of [at, size). 0, or -1 when no line starts near there (then the
 * file is read whole by one thread). */
static int middle(int fd, off_t at, off_t size, off_t *mid)
{
	char b[PEERSCAN_LINE_MAX + 2];
	off_t m = at + (size - at) / 2;
	ssize_t n = pread(fd, b, sizeof b, m - 1);
	const char *nl = n > 0 ? memchr(b, '\n', (size_t)n) : NULL;

	if (!nl)
		return -1;
	*mid = m - 1 + (nl - b) + 1;
	return 0;
}

/* The rest of a big file in two halves: rd up to mid, a thread from mid to
 * the end, its groups then folded into pc. 1, 0 or -errno as count_lines. */
static int count_halves(struct peercount *pc, struct reader *rd, const struct filter *flt,
			off_t at, off_t mid, size_t guess)
{
	struct half *h = calloc(1, sizeof *h);
	pthread_t tid;
	bool threaded;
	int rc;

	if (!h)
		return -ENOMEM;
	h->rd = (struct reader){.fd = rd->fd, .pos = mid, .left = UINT64_MAX};
	h->flt = flt;
	if ((rc = table_init(&h->pc, pow2_at_least(guess), pow2_at_least(guess))) < 0)
		goto out;
	rd->left = (uint64_t)(mid - at) - rd->taken;
	threaded = pthread_create(&tid, NULL, half_main, h) == 0;
	rc = count_lines(pc, rd, flt);
	if (threaded)
		pthread_join(tid, NULL);
	else
		half_main(h);
	if (rc == 1)
		rc = h->rc;
	if (rc == 1 && (rc = merge(pc, &h->pc)) == 0)
		rc = 1;
out:
	free(h->rd.buf);
	free(h->pc.t4);
	free(h->pc.t6);
	free(h->pc.mix);
	free(h);
	return rc;
}

/* The snapshot's time as import_text's fallback_time takes it for a dump
 * without a date line (no --at here): the file name, mtime, now. */
static usec_t dump_time(const char *path, const struct stat *st, bool named)
{
	struct timespec now;
	usec_t t;

	if (dateline_from_filename(path, &t) == 0)
		return t;
	if (named)
		return (usec_t)st->st_mtim.tv_sec * USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
	clock_gettime(CLOCK_REALTIME, &now);
	return (usec_t)now.tv_sec * USEC_PER_SEC + now.tv_nsec / 1000;
}

/* Opens path as the fast path can read it: fd, the reader's mode, its
 * time. 0, or 1 when the general path must (a FIFO, a directory, an error
 * it will say). */
static int open_dump(const char *path, struct reader *rd, off_t *at, struct stat *st)
{
	bool named = strcmp(path, "-") != 0;

	rd->fd = named ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : STDIN_FILENO;
	if (rd->fd < 0)
		return 1;
	if (fstat(rd->fd, st) < 0 || S_ISDIR(st->st_mode) || (named && !S_ISREG(st->st_mode)))
		goto general;
	*at = -1;
	if (S_ISREG(st->st_mode) && (*at = lseek(rd->fd, 0, SEEK_CUR)) < 0)
		goto general;
	rd->keep = *at < 0;
	return 0;
general:
	if (named)
		close(rd->fd);
	rd->fd = -1;
	return 1;
}

int peercount_read(const char *path, const struct filter *flt, const char *host,
		   struct peercount **out, struct peercount_head *head)
{
	struct reader rd = {.fd = -1, .pos = -1, .left = UINT64_MAX};
	struct peercount *pc = NULL;
	struct stat st;
	off_t at = -1, mid;
	size_t guess;
	int rc;

	*out = NULL;
	head->data = NULL;
	head->len = 0;
	if (flt->program || open_dump(path, &rd, &at, &st) != 0)
		return 0;
	rc = -ENOMEM;
	if (!(pc = calloc(1, sizeof *pc)))
		goto out;
	pc->time = dump_time(path, &st, strcmp(path, "-") != 0);
	/* the tables sized for a new peer in about every fourth line of an
	 * 80-column dump, each family (they grow when that was too few) */
	guess = rd.keep ? 0 : (size_t)st.st_size / 80 / 4;
	if ((rc = table_init(pc, pow2_at_least(guess), pow2_at_least(guess))) < 0)
		goto out;
	rc = 0;
	if (!filter_match_snapshot(flt, host ? host : "unknown", pc->time))
		goto out;
	/* the lines detection looks at (or all there are) */
	while (rd.end < DETECT_BYTES && !rd.eof)
		if ((rc = fill(&rd)) < 0)
			goto out;
	if (rd.end == 0 ||
	    textfmt_detect(rd.buf, rd.end < DETECT_BYTES ? rd.end : DETECT_BYTES) != &textfmt_netstat)
		goto out;
	if (!rd.keep && st.st_size - at >= SPLIT_MIN && middle(rd.fd, at, st.st_size, &mid) == 0)
		/* the second half's tables as big: each half meets most peers */
		rc = count_halves(pc, &rd, flt, at, mid, guess);
	else
		rc = count_lines(pc, &rd, flt);
out:
	if (rc < 0 && rc != -ENOMEM)
		rc = 0;   /* a read error: the general path says it */
	if (rc == 1) {
		*out = pc;
		pc = NULL;
	} else if (rd.keep) {
		head->data = rd.buf;
		head->len = rd.end;
		rd.buf = NULL;
	} else if (at >= 0 && lseek(rd.fd, at, SEEK_SET) < 0) {
		rc = -errno;
	}
	if (rd.fd >= 0 && strcmp(path, "-"))
		close(rd.fd);
	free(rd.buf);
	peercount_free(pc);
	return rc;
}

void peercount_free(struct peercount *pc)
{
	if (!pc)
		return;
	free(pc->t4);
	free(pc->t6);
	free(pc->mix);
	free(pc);
}

usec_t peercount_time(const struct peercount *pc)
{
	return pc->time;
}

size_t peercount_ngroups(const struct peercount *pc)
{
	return pc->n4 + pc->n6;
}

uint64_t peercount_rows(const struct peercount *pc)
{
	return pc->rows;
}

/* `top`'s order: below 0 when a comes first. */
static int before(const struct peercount *pc, const struct peercount_ref *a,
		  const struct peercount_ref *b)
{
	bool a6 = a->slot & V6_BIT, b6 = b->slot & V6_BIT;

	if (a->rows != b->rows)
		return a->rows > b->rows ? -1 : 1;
	if (a6 != b6)
		return a6 ? 1 : -1;
	if (!a6) {
		uint32_t x = pc->t4[a->slot].addr, y = pc->t4[b->slot].addr;

		return x < y ? -1 : x > y;
	}
	return memcmp(pc->t6[a->slot & ~V6_BIT].a, pc->t6[b->slot & ~V6_BIT].a, 16);
}

/* A heap of the best so far with the worst at its root. */
static void sift_down(const struct peercount *pc, struct peercount_ref *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		struct peercount_ref t;

		if (l < n && before(pc, &h[l], &h[w]) > 0)
			w = l;
		if (r < n && before(pc, &h[r], &h[w]) > 0)
			w = r;
		if (w == i)
			return;
		t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static void offer(const struct peercount *pc, struct peercount_ref *h, size_t *n, size_t want,
		  struct peercount_ref c)
{
	if (*n < want) {
		size_t i = (*n)++;

		h[i] = c;
		while (i > 0 && before(pc, &h[(i - 1) / 2], &h[i]) < 0) {
			struct peercount_ref t = h[i];

			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (before(pc, &c, &h[0]) < 0) {
		h[0] = c;
		sift_down(pc, h, *n, 0);
	}
}

long peercount_top(const struct peercount *pc, size_t want, struct peercount_ref *out)
{
	size_t n = 0, ng = peercount_ngroups(pc);

	if (want == 0 || want > ng)
		want = ng;
	if (want == 0)
		return 0;
	for (size_t i = 0; i < pc->cap4; i++)
		if (pc->t4[i].rows)
			offer(pc, out, &n, want,
			      (struct peercount_ref){pc->t4[i].rows, (uint32_t)i});
	for (size_t i = 0; i < pc->cap6; i++)
		if (pc->t6[i].rows)
			offer(pc, out, &n, want,
			      (struct peercount_ref){pc->t6[i].rows, (uint32_t)i | V6_BIT});
	/* the heap, emptied worst first from the back */
	for (size_t m = n; m > 1; m--) {
		struct peercount_ref t = out[0];

		out[0] = out[m - 1];
		out[m - 1] = t;
		sift_down(pc, out, m - 1, 0);
	}
	return (long)n;
}

void peercount_key(const struct peercount *pc, const struct peercount_ref *g, struct agg_key *k)
{
	struct addr a = {0};

	if (g->slot & V6_BIT) {
		a.family = AF_INET6;
		memcpy(a.a, pc->t6[g->slot & ~V6_BIT].a, 16);
	} else {
		uint32_t v = pc->t4[g->slot].addr;

		a.family = AF_INET;
		a.a[0] = (uint8_t)(v >> 24);
		a.a[1] = (uint8_t)(v >> 16);
		a.a[2] = (uint8_t)(v >> 8);
		a.a[3] = (uint8_t)v;
	}
	agg_key_addr(k, &a, 0, 0);
}

void peercount_mix(const struct peercount *pc, const struct peercount_ref *g,
		   uint32_t mix[AGG_NSTATE])
{
	uint32_t ms = g->slot & V6_BIT ? pc->t6[g->slot & ~V6_BIT].ms : pc->t4[g->slot].ms;

	memset(mix, 0, AGG_NSTATE * sizeof *mix);
	if (MS_MORE(ms))
		memcpy(mix, pc->mix[MS_MORE(ms) - 1].n, sizeof pc->mix[0].n);
	else
		mix[MS_ST(ms)] = g->rows;
}
