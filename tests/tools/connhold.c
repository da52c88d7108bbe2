/* connhold — test tool: opens and holds TCP listeners, client connections and
 * UDP sockets in one process for a bounded time, so integration tests and
 * benchmarks get real LISTEN / ESTABLISHED / TIME_WAIT / UDP populations.
 * Only loopback and documentation/benchmark addresses are accepted. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testnet.h"
#include "toolopt.h"

#define CH_MAX_ENDPOINTS 64
#define CH_MAX_COUNT 1000000u
#define CH_MAX_INFLIGHT 1024          /* pending connects at once: keeps accept queues sane */
#define CH_CONNECT_TIMEOUT_MS 15000
#define CH_ACCEPT_BATCH 256
#define CH_ACCEPT_PAUSE_MS 100        /* after EMFILE: wait instead of spinning */
#define CH_MAX_HOLD 86400.0

enum ch_kind { CH_NONE, CH_LISTEN, CH_UDP, CH_CONNECTING, CH_CLIENT, CH_ACCEPTED, CH_SIGNAL };

struct ch_endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80];
};

struct ch_connect {
	struct ch_endpoint dst;
	struct ch_endpoint src;       /* valid if has_src */
	bool has_src;
	uint32_t count;
	uint32_t started;
};

struct ch_opts {
	struct ch_endpoint listen[CH_MAX_ENDPOINTS];
	unsigned nlisten;
	struct ch_endpoint udp[CH_MAX_ENDPOINTS];
	unsigned nudp;
	struct ch_connect conn[CH_MAX_ENDPOINTS];
	unsigned nconn;
	int backlog;
	double hold;                  /* required hard cap, seconds */
	double close_after;           /* 0 = never */
	const char *ready_file;
	const char *name;
};

/* Everything the event loop owns; per-fd arrays are indexed by fd. */
struct ch_state {
	int ep;
	int sfd;
	size_t nfd;                   /* size of the per-fd arrays (RLIMIT_NOFILE) */
	uint8_t *kind;
	int64_t *started_ms;          /* CH_CONNECTING: when connect() was issued */
	int maxfd;
	unsigned inflight;
	uint64_t connected, failed, accepted, clients, accepted_open, udp, listeners;
	int last_connect_errno;
	int64_t accept_paused_until;
	bool listeners_paused;
	bool emfile_warned;
};


enum {
	OPT_LISTEN = 'l', OPT_BACKLOG = 'b', OPT_CONNECT = 'c', OPT_COUNT = 'n', OPT_BIND = 'B',
	OPT_HOLD = 't', OPT_UDP = 'u', OPT_CLOSE_AFTER = 'C', OPT_READY = 'r', OPT_NAME = 'N',
	OPT_HELP = 'h',
};

static const struct tool_option ch_options[] = {
	{"listen", 1, OPT_LISTEN, "ADDR:PORT", "TCP listener (repeatable; [v6]:port)"},
	{"backlog", 1, OPT_BACKLOG, "N", "listen backlog (default 4096; capped by net.core.somaxconn)"},
	{"connect", 1, OPT_CONNECT, "ADDR:PORT", "open client connections (repeatable)"},
	{"count", 1, OPT_COUNT, "N", "connections for the preceding --connect (default 1)"},
	{"bind", 1, OPT_BIND, "SRCADDR", "source address for the preceding --connect"},
	{"hold", 1, OPT_HOLD, "SECONDS", "required: exit cleanly after this long"},
	{"udp", 1, OPT_UDP, "ADDR:PORT", "bind a UDP socket (repeatable)"},
	{"close-after", 1, OPT_CLOSE_AFTER, "SECONDS", "close the clients then (-> TIME_WAIT)"},
	{"ready-file", 1, OPT_READY, "PATH", "written once listeners are up and connects are done"},
	{"name", 1, OPT_NAME, "NAME", "re-exec with argv[0] = NAME (what netstat -p / ss -p show)"},
	{"help", 0, OPT_HELP, NULL, "this text"},
};
#define CH_NOPT (sizeof ch_options / sizeof ch_options[0])

static void ch_usage(FILE *f)
{
	fprintf(f, "usage: connhold --hold SECONDS [--listen ADDR:PORT]... [--connect ADDR:PORT\n"
		   "                [--count N] [--bind SRC]]... [--udp ADDR:PORT]... [options]\n"
		   "Holds sockets for a bounded time (test tool). Addresses: loopback, or\n"
		   "192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15, 100.64.0.0/10,\n"
		   "2001:db8::/32; --listen/--udp also accept 0.0.0.0 and ::.\n\n");
	tool_usage(f, ch_options, CH_NOPT, 24);
	fprintf(f, "\nReady file: one line \"listeners=N udp=N connected=N failed=N accepted=N "
		   "pid=N\".\nExit: 0 after --hold or SIGTERM/SIGINT, 1 setup error, 2 usage.\n");
}

static int64_t ch_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static int ch_parse_uint(const char *s, unsigned max, unsigned *out)
{
	uint64_t v;
	int rc = tool_parse_u64(s, max, &v);

	if (rc == 0)
		*out = (unsigned)v;
	return rc;
}

/* Loopback, the wildcard where allowed, or a testnet.h range. */
static bool ch_addr_allowed(const struct sockaddr_storage *ss, bool wildcard_ok)
{
	struct addr a = {0};

	if (ss->ss_family == AF_INET) {
		a.family = AF_INET;
		memcpy(a.a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		a.family = AF_INET6;
		memcpy(a.a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
	return addr_is_loopback(&a) || (wildcard_ok && addr_is_unspecified(&a)) ||
	       testnet_addr_allowed(&a);
}

/* "ADDR:PORT", "[V6]:PORT", or (port_ok false) a bare address. */
static int ch_parse_endpoint(const char *s, bool want_port, struct ch_endpoint *e)
{
	char host[64];
	const char *h = s, *port = NULL;
	size_t len;
	unsigned p = 0;

	memset(e, 0, sizeof *e);
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return -EINVAL;
		h = s + 1;
		len = (size_t)(close - h);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else if (want_port) {
		const char *colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		len = (size_t)(colon - s);
		port = colon + 1;
	} else {
		len = strlen(s);
	}
	if (len == 0 || len >= sizeof host || (want_port != (port != NULL)))
		return -EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	if (port && (ch_parse_uint(port, 65535, &p) || (want_port && p == 0)))
		return -EINVAL;
	struct sockaddr_in *sin = (struct sockaddr_in *)&e->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&e->ss;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		e->len = sizeof *sin;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		e->len = sizeof *sin6;
	} else {
		return -EINVAL;
	}
	snprintf(e->text, sizeof e->text, "%s", s);
	return 0;
}

static int ch_endpoint_opt(const char *opt, const char *arg, bool want_port, bool wildcard_ok,
			   struct ch_endpoint *e)
{
	if (ch_parse_endpoint(arg, want_port, e)) {
		fprintf(stderr, "connhold: bad --%s '%s' (want %s)\n", opt, arg,
			want_port ? "ADDR:PORT or [V6]:PORT" : "an address");
		return -EINVAL;
	}
	if (!ch_addr_allowed(&e->ss, wildcard_ok)) {
		fprintf(stderr, "connhold: refusing --%s %s: only loopback and documentation/"
				"benchmark ranges (see --help)\n", opt, arg);
		return -EPERM;
	}
	return 0;
}

static int ch_parse_args(int argc, char **argv, struct ch_opts *o)
{
	struct option lo[CH_NOPT + 1];
	unsigned u;
	bool have_hold = false;

	tool_longopts(ch_options, CH_NOPT, lo);
	memset(o, 0, sizeof *o);
	o->backlog = 4096;
	for (;;) {
		int c = getopt_long(argc, argv, "l:b:c:n:B:t:u:C:r:N:h", lo, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_LISTEN:
		case OPT_UDP: {
			bool l = c == OPT_LISTEN;
			unsigned *n = l ? &o->nlisten : &o->nudp;
			if (*n == CH_MAX_ENDPOINTS) {
				fprintf(stderr, "connhold: too many --%s\n", l ? "listen" : "udp");
				return -EINVAL;
			}
			if (ch_endpoint_opt(l ? "listen" : "udp", optarg, true, true,
					    l ? &o->listen[*n] : &o->udp[*n]))
				return -EINVAL;
			(*n)++;
			break;
		}
		case OPT_CONNECT:
			if (o->nconn == CH_MAX_ENDPOINTS) {
				fprintf(stderr, "connhold: too many --connect\n");
				return -EINVAL;
			}
			if (ch_endpoint_opt("connect", optarg, true, false, &o->conn[o->nconn].dst))
				return -EINVAL;
			o->conn[o->nconn].count = 1;
			o->nconn++;
			break;
		case OPT_COUNT:
			if (o->nconn == 0) {
				fprintf(stderr, "connhold: --count applies to a preceding --connect\n");
				return -EINVAL;
			}
			if (ch_parse_uint(optarg, CH_MAX_COUNT, &u) || u == 0) {
				fprintf(stderr, "connhold: --count must be 1..%u\n", CH_MAX_COUNT);
				return -EINVAL;
			}
			o->conn[o->nconn - 1].count = u;
			break;
		case OPT_BIND: {
			struct ch_connect *cc = &o->conn[o->nconn ? o->nconn - 1 : 0];
			if (o->nconn == 0) {
				fprintf(stderr, "connhold: --bind applies to a preceding --connect\n");
				return -EINVAL;
			}
			if (ch_endpoint_opt("bind", optarg, false, false, &cc->src))
				return -EINVAL;
			if (cc->src.ss.ss_family != cc->dst.ss.ss_family) {
				fprintf(stderr, "connhold: --bind %s: family differs from --connect\n",
					optarg);
				return -EINVAL;
			}
			cc->has_src = true;
			break;
		}
		case OPT_BACKLOG:
			if (ch_parse_uint(optarg, INT_MAX, &u) || u == 0) {
				fprintf(stderr, "connhold: bad --backlog '%s'\n", optarg);
				return -EINVAL;
			}
			o->backlog = (int)u;
			break;
		case OPT_HOLD:
			if (tool_parse_double(optarg, CH_MAX_HOLD, &o->hold) || o->hold <= 0) {
				fprintf(stderr, "connhold: --hold must be > 0 and <= %.0f\n", CH_MAX_HOLD);
				return -EINVAL;
			}
			have_hold = true;
			break;
		case OPT_CLOSE_AFTER:
			if (tool_parse_double(optarg, CH_MAX_HOLD, &o->close_after) ||
			    o->close_after <= 0) {
				fprintf(stderr, "connhold: bad --close-after '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_READY:
			o->ready_file = optarg;
			break;
		case OPT_NAME:
			if (!*optarg) {
				fprintf(stderr, "connhold: empty --name\n");
				return -EINVAL;
			}
			o->name = optarg;
			break;
		case OPT_HELP:
			ch_usage(stdout);
			exit(0);
		default:
			ch_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "connhold: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!have_hold) {
		fprintf(stderr, "connhold: --hold SECONDS is required\n");
		return -EINVAL;
	}
	if (o->nlisten + o->nudp + o->nconn == 0) {
		fprintf(stderr, "connhold: nothing to do: give --listen, --connect or --udp\n");
		return -EINVAL;
	}
	return 0;
}

/* Raises RLIMIT_NOFILE to fit `want` descriptors: the soft limit up to the
 * hard one, and the hard one too when privileged (tests run as root).
 * Returns the resulting soft limit. */
static size_t ch_raise_nofile(uint64_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_cur < want) {
		if (rl.rlim_max < want) {
			struct rlimit up = {.rlim_cur = want, .rlim_max = want};
			if (setrlimit(RLIMIT_NOFILE, &up) == 0)
				rl = up;
		}
		if (rl.rlim_cur < want) {
			rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
			if (setrlimit(RLIMIT_NOFILE, &rl))
				getrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (rl.rlim_cur > (1u << 24))
		rl.rlim_cur = 1u << 24;
	return (size_t)rl.rlim_cur;
}

static int ch_track(struct ch_state *st, int fd, enum ch_kind kind, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (fd < 0 || (size_t)fd >= st->nfd)
		return -EMFILE;
	if (epoll_ctl(st->ep, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	st->kind[fd] = (uint8_t)kind;
	if (fd > st->maxfd)
		st->maxfd = fd;
	return 0;
}

static void ch_close(struct ch_state *st, int fd)
{
	switch (st->kind[fd]) {
	case CH_CONNECTING:
		st->inflight--;
		break;
	case CH_CLIENT:
		st->clients--;
		break;
	case CH_ACCEPTED:
		st->accepted_open--;
		break;
	default:
		break;
	}
	st->kind[fd] = CH_NONE;
	close(fd); /* also drops it from the epoll set */
}

static int ch_open_bound(const struct ch_endpoint *e, int type, int backlog)
{
	int one = 1;
	int fd = socket(e->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* "[::]" stays dual-stack, as servers usually run, so IPv4 clients
	 * show up as ::ffff:a.b.c.d; a specific IPv6 address is v6-only. */
	if (e->ss.ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&e->ss)->sin6_addr))
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&e->ss, e->len) ||
	    (type == SOCK_STREAM && listen(fd, backlog))) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Starts one non-blocking connect for group c; returns 0, or -EMFILE when out
 * of descriptors (the caller stops starting more). */
static int ch_start_connect(struct ch_state *st, struct ch_connect *c, int64_t now)
{
	int one = 1;
	int fd = socket(c->dst.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	c->started++;
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	if (c->has_src) {
		/* Let connect() pick the port by full 4-tuple, not bind() by 2-tuple. */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
		if (bind(fd, (const struct sockaddr *)&c->src.ss, c->src.len)) {
			err = errno;
			goto fail;
		}
	}
	if (connect(fd, (const struct sockaddr *)&c->dst.ss, c->dst.len) == 0) {
		if ((err = -ch_track(st, fd, CH_CLIENT, EPOLLIN | EPOLLRDHUP)))
			goto fail;
		st->connected++;
		st->clients++;
		return 0;
	}
	err = errno;
	if (err != EINPROGRESS)
		goto fail;
	if ((err = -ch_track(st, fd, CH_CONNECTING, EPOLLOUT)))
		goto fail;
	st->started_ms[fd] = now;
	st->inflight++;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	st->failed++;
	st->last_connect_errno = err;
	return err == EMFILE || err == ENFILE ? -EMFILE : 0;
}

static void ch_connect_done(struct ch_state *st, int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		st->failed++;
		st->last_connect_errno = err;
		ch_close(st, fd);
		return;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
	epoll_ctl(st->ep, EPOLL_CTL_MOD, fd, &ev);
	st->kind[fd] = CH_CLIENT;
	st->inflight--;
	st->connected++;
	st->clients++;
}

static void ch_listeners_arm(struct ch_state *st, bool on)
{
	for (int fd = 0; fd <= st->maxfd; fd++) {
		if (st->kind[fd] != CH_LISTEN)
			continue;
		struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.fd = fd};
		epoll_ctl(st->ep, EPOLL_CTL_MOD, fd, &ev);
	}
	st->listeners_paused = !on;
}

static void ch_accept(struct ch_state *st, int lfd, int64_t now)
{
	for (int i = 0; i < CH_ACCEPT_BATCH; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				if (!st->emfile_warned)
					fprintf(stderr, "connhold: accept: %s; pausing accepts\n",
						strerror(errno));
				st->emfile_warned = true;
				st->accept_paused_until = now + CH_ACCEPT_PAUSE_MS;
				ch_listeners_arm(st, false);
			}
			return;
		}
		if (ch_track(st, fd, CH_ACCEPTED, EPOLLIN | EPOLLRDHUP)) {
			close(fd);
			continue;
		}
		st->accepted++;
		st->accepted_open++;
	}
}

/* Reads and discards; closes on EOF or error (so the peer's active close can
 * complete into TIME_WAIT instead of leaving us in CLOSE_WAIT). */
static void ch_drain(struct ch_state *st, int fd)
{
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof buf, 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		ch_close(st, fd);
}

/* The ready file is created (as PATH.tmp.PID) before any socket exists, so
 * that writing it cannot fail for lack of descriptors; it is filled in and
 * renamed into place once everything is up. */
static int ch_ready_open(const char *path, char *tmp, size_t tmpsz)
{
	int fd;

	if (snprintf(tmp, tmpsz, "%s.tmp.%d", path, (int)getpid()) >= (int)tmpsz)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

static int ch_ready_commit(int fd, const char *tmp, const char *path, const struct ch_state *st)
{
	int rc = 0;

	if (dprintf(fd, "listeners=%" PRIu64 " udp=%" PRIu64 " connected=%" PRIu64
			" failed=%" PRIu64 " accepted=%" PRIu64 " pid=%d\n",
		    st->listeners, st->udp, st->connected, st->failed, st->accepted,
		    (int)getpid()) < 0)
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* --name: run again as argv[0] = NAME, so /proc/PID/cmdline carries it. */
static void ch_rename(const struct ch_opts *o, int argc, char **argv)
{
	if (!o->name)
		return;
	if (strcmp(argv[0], o->name) != 0) {
		char **nargv = calloc((size_t)argc + 1, sizeof *nargv);
		if (nargv) {
			memcpy(nargv, argv, (size_t)argc * sizeof *nargv);
			nargv[0] = (char *)o->name;
			execv("/proc/self/exe", nargv);
			free(nargv);
		}
		fprintf(stderr, "connhold: re-exec as '%s' failed: %s (keeping old name)\n",
			o->name, strerror(errno));
	}
	/* comm (what ss -p and top show) is separate from argv[0]; 15 chars max. */
	prctl(PR_SET_NAME, o->name, 0, 0, 0);
}

int main(int argc, char **argv)
{
	struct ch_opts o;
	struct ch_state st;
	struct epoll_event evs[256];
	sigset_t mask;
	uint64_t want = 64, need;
	int64_t t0, hold_end, close_at = 0, next_scan;
	unsigned group = 0;
	bool ready = false, closed = false, out_of_fds = false, stop = false;
	char ready_tmp[PATH_MAX];
	int ready_fd = -1, rc = 1;

	memset(&st, 0, sizeof st);
	st.ep = st.sfd = -1;
	if (ch_parse_args(argc, argv, &o))
		return 2;
	ch_rename(&o, argc, argv);

	want += o.nlisten + o.nudp;
	for (unsigned i = 0; i < o.nconn; i++)
		want += 2ull * o.conn[i].count; /* our own listener may accept each */
	need = want;
	if (o.nlisten && want < 65536)
		want = 65536; /* room for incoming connections from elsewhere */
	st.nfd = ch_raise_nofile(want);
	if (st.nfd < need)
		fprintf(stderr, "connhold: RLIMIT_NOFILE is %zu (hard limit), %" PRIu64
				" needed: split the connections over several connhold processes\n",
			st.nfd, need);
	st.kind = calloc(st.nfd, sizeof *st.kind);
	st.started_ms = calloc(st.nfd, sizeof *st.started_ms);
	if (!st.kind || !st.started_ms) {
		fprintf(stderr, "connhold: out of memory\n");
		goto out;
	}

	if (o.ready_file) {
		ready_fd = ch_ready_open(o.ready_file, ready_tmp, sizeof ready_tmp);
		if (ready_fd < 0) {
			fprintf(stderr, "connhold: ready file %s: %s\n", o.ready_file,
				strerror(-ready_fd));
			goto out;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	st.ep = epoll_create1(EPOLL_CLOEXEC);
	st.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (st.ep < 0 || st.sfd < 0 || ch_track(&st, st.sfd, CH_SIGNAL, EPOLLIN)) {
		perror("connhold: epoll/signalfd");
		goto out;
	}

	for (unsigned i = 0; i < o.nlisten + o.nudp; i++) {
		bool l = i < o.nlisten;
		const struct ch_endpoint *e = l ? &o.listen[i] : &o.udp[i - o.nlisten];
		int fd = ch_open_bound(e, l ? SOCK_STREAM : SOCK_DGRAM, o.backlog);
		if (fd < 0 || ch_track(&st, fd, l ? CH_LISTEN : CH_UDP, EPOLLIN)) {
			fprintf(stderr, "connhold: %s %s: %s\n", l ? "listen" : "udp", e->text,
				strerror(fd < 0 ? -fd : EMFILE));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (l)
			st.listeners++;
		else
			st.udp++;
	}

	t0 = ch_now_ms();
	hold_end = t0 + (int64_t)(o.hold * 1000);
	if (o.close_after > 0)
		close_at = t0 + (int64_t)(o.close_after * 1000);
	next_scan = t0 + 1000;
	while (!stop) {
		int64_t now = ch_now_ms(), wake;

		if (now >= hold_end)
			break;
		if (close_at && now >= close_at && !closed) {
			for (int fd = 0; fd <= st.maxfd; fd++)
				if (st.kind[fd] == CH_CLIENT || st.kind[fd] == CH_CONNECTING)
					ch_close(&st, fd);
			closed = true;
		}
		while (!closed && !out_of_fds && group < o.nconn && st.inflight < CH_MAX_INFLIGHT) {
			struct ch_connect *c = &o.conn[group];
			if (c->started == c->count) {
				group++;
				continue;
			}
			if (ch_start_connect(&st, c, now) == -EMFILE) {
				fprintf(stderr, "connhold: out of descriptors after %" PRIu64
						" connections; not starting more\n", st.connected);
				out_of_fds = true;
			}
		}
		if (now >= next_scan) {
			for (int fd = 0; fd <= st.maxfd; fd++) {
				if (st.kind[fd] == CH_CONNECTING &&
				    now - st.started_ms[fd] >= CH_CONNECT_TIMEOUT_MS) {
					st.failed++;
					st.last_connect_errno = ETIMEDOUT;
					ch_close(&st, fd);
				}
			}
			next_scan = now + 1000;
		}
		if (st.listeners_paused && now >= st.accept_paused_until)
			ch_listeners_arm(&st, true);
		if (!ready && st.inflight == 0 && (group >= o.nconn || out_of_fds || closed)) {
			ready = true;
			if (ready_fd >= 0) {
				int wrc = ch_ready_commit(ready_fd, ready_tmp, o.ready_file, &st);
				if (wrc)
					fprintf(stderr, "connhold: ready file %s: %s\n", o.ready_file,
						strerror(-wrc));
				ready_fd = -1;
			}
		}

		wake = hold_end;
		if (close_at && !closed && close_at < wake)
			wake = close_at;
		if (next_scan < wake && st.inflight)
			wake = next_scan;
		if (st.listeners_paused && st.accept_paused_until < wake)
			wake = st.accept_paused_until;
		if (wake - now > 1000)
			wake = now + 1000;
		/* Still starting connects: don't sleep, just collect what is ready. */
		int timeout = (!closed && !out_of_fds && group < o.nconn &&
			       st.inflight < CH_MAX_INFLIGHT)
				      ? 0
				      : (int)(wake > now ? wake - now : 0);
		int n = epoll_wait(st.ep, evs, (int)(sizeof evs / sizeof evs[0]), timeout);
		if (n < 0 && errno != EINTR) {
			perror("connhold: epoll_wait");
			goto out;
		}
		now = ch_now_ms();
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			switch (st.kind[fd]) {
			case CH_SIGNAL:
				stop = true;
				break;
			case CH_LISTEN:
				ch_accept(&st, fd, now);
				break;
			case CH_CONNECTING:
				ch_connect_done(&st, fd);
				break;
			case CH_CLIENT:
			case CH_ACCEPTED:
				ch_drain(&st, fd);
				break;
			case CH_UDP: {
				char buf[2048];
				if (recv(fd, buf, sizeof buf, 0) < 0 && errno != EAGAIN)
					(void)0; /* a UDP socket only has to exist */
				break;
			}
			default:
				break;
			}
		}
	}
	fprintf(stderr, "connhold: exiting: %" PRIu64 " listeners, %" PRIu64 " udp, %" PRIu64
			" connected (%" PRIu64 " still open), %" PRIu64 " failed%s%s, %" PRIu64
			" accepted\n",
		st.listeners, st.udp, st.connected, st.clients, st.failed,
		st.failed ? ", last error: " : "",
		st.failed ? strerror(st.last_connect_errno) : "", st.accepted);
	rc = 0;
out:
	if (st.kind)
		for (int fd = 0; fd <= st.maxfd; fd++)
			if (st.kind[fd] != CH_NONE && st.kind[fd] != CH_SIGNAL)
				close(fd);
	if (ready_fd >= 0) {
		close(ready_fd);
		unlink(ready_tmp);
	}
	if (st.sfd >= 0)
		close(st.sfd);
	if (st.ep >= 0)
		close(st.ep);
	free(st.kind);
	free(st.started_ms);
	return rc;
}
