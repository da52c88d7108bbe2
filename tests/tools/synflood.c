/* synflood — test tool: sends TCP SYNs with spoofed sources from documentation
 * ranges to a victim inside a test network namespace, so its kernel creates
 * SYN_RECV request sockets. Refuses any address outside the test ranges. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testnet.h"
#include "toolopt.h"

#define SF_MAX_COUNT 10000000ull
#define SF_MAX_SRC 16
#define SF_NOBUFS_TRIES 20            /* per packet, 1 ms apart */
#define SF_MAX_CONSEC_ERRORS 1000     /* then give up: something is wrong */
#define SF_TCP_OPT_LEN 12
#define SF_TCP_LEN (20 + SF_TCP_OPT_LEN)

struct sf_cidr {
	int family;           /* AF_INET or AF_INET6 */
	uint8_t a[16];        /* network address, host bits zero */
	unsigned prefix;
	uint64_t size;        /* addresses drawn from (capped at 2^62 for IPv6) */
};

struct sf_opts {
	struct sf_cidr src[SF_MAX_SRC];
	unsigned nsrc;
	uint64_t total;       /* sum of src[].size */
	int family;
	uint8_t dst[16];
	uint16_t dport;
	uint64_t count;
	uint64_t offset;      /* first sequence index, so top-up runs use fresh tuples */
	double rate;          /* packets per second, 0 = unpaced */
	double duration;      /* hard cap, seconds */
	bool random_src;
	bool random_ports;
	uint16_t sport_lo, sport_hi;
	uint64_t seed;
	bool have_dst, have_count;
};


enum {
	OPT_DST = 'd', OPT_SRC = 's', OPT_COUNT = 'n', OPT_RATE = 'r', OPT_DURATION = 't',
	OPT_RANDOM = 'R', OPT_HELP = 'h', OPT_RANDOM_PORTS = 256, OPT_SPORTS, OPT_SEED,
	OPT_OFFSET,
};

static const struct tool_option sf_options[] = {
	{"dst", 1, OPT_DST, "ADDR:PORT", "victim address and port ([v6]:port for IPv6)"},
	{"src", 1, OPT_SRC, "CIDR", "source range (repeatable, up to 16)"},
	{"count", 1, OPT_COUNT, "N", "SYNs to send (required, 1..10000000)"},
	{"rate", 1, OPT_RATE, "PPS", "packets per second, 0 = as fast as possible (default 0)"},
	{"duration", 1, OPT_DURATION, "SECONDS", "hard time cap (default 30)"},
	{"random", 0, OPT_RANDOM, NULL, "draw sources uniformly inside the CIDRs (default: sequential)"},
	{"random-ports", 0, OPT_RANDOM_PORTS, NULL, "random source ports (default: sequential)"},
	{"sports", 1, OPT_SPORTS, "LO-HI", "source port range (default 1024-65535)"},
	{"seed", 1, OPT_SEED, "N", "random seed (default: from getrandom)"},
	{"offset", 1, OPT_OFFSET, "N", "start the sequence at index N (fresh tuples for a top-up)"},
	{"help", 0, OPT_HELP, NULL, "this text"},
};
#define SF_NOPT (sizeof sf_options / sizeof sf_options[0])

static void sf_usage(FILE *f)
{
	fprintf(f, "usage: synflood --dst ADDR:PORT --src CIDR [--src CIDR...] --count N [options]\n"
		   "Sends TCP SYNs with spoofed sources (test tool; run inside a test netns).\n"
		   "Every source and the destination must lie in 192.0.2.0/24, 198.51.100.0/24,\n"
		   "203.0.113.0/24, 198.18.0.0/15, 100.64.0.0/10 or 2001:db8::/32.\n\n");
	tool_usage(f, sf_options, SF_NOPT, 22);
	fprintf(f, "\nExit: 0 all sent, 1 error or stopped early (--duration), 2 usage.\n");
}



static int sf_cidr_parse(const char *s, struct sf_cidr *c)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	uint64_t p;

	if (len == 0 || len >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, buf, c->a) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->a) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		if (tool_parse_u64(slash + 1, max, &p))
			return -EINVAL;
		c->prefix = (unsigned)p;
	} else {
		c->prefix = max;
	}
	for (unsigned bit = c->prefix; bit < max; bit++)
		c->a[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	c->size = (max - c->prefix) >= 62 ? (1ull << 62) : (1ull << (max - c->prefix));
	return 0;
}

/* The only addresses this tool will use: testnet.h's ranges. */
static bool sf_allowed_range(const struct sf_cidr *c)
{
	struct cidr x;

	memset(&x, 0, sizeof x);
	x.addr.family = (uint8_t)c->family;
	memcpy(x.addr.a, c->a, c->family == AF_INET ? 4 : 16);
	x.prefix = (uint8_t)c->prefix;
	return testnet_cidr_allowed(&x);
}

/* "1.2.3.4:80" or "[2001:db8::1]:80". */
static int sf_parse_hostport(const char *s, int *family, uint8_t a[16], uint16_t *port)
{
	char host[64];
	const char *colon;
	const char *h = s;
	size_t len;
	uint64_t p;

	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		h = s + 1;
		len = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		len = (size_t)(colon - s);
	}
	if (len == 0 || len >= sizeof host)
		return -EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	if (tool_parse_u64(colon + 1, 65535, &p) || p == 0)
		return -EINVAL;
	*port = (uint16_t)p;
	memset(a, 0, 16);
	if (inet_pton(AF_INET, host, a) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, host, a) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

static uint64_t sf_rand(uint64_t *s)
{
	/* xorshift64*: plenty for spreading test traffic, reproducible with --seed. */
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Adds v (host order) to the address a of family f (big-endian add over the low bytes). */
static void sf_addr_add(uint8_t a[16], int family, uint64_t v)
{
	int last = family == AF_INET ? 3 : 15;
	unsigned carry = 0;

	for (int i = last; i >= 0 && (v || carry); i--) {
		unsigned sum = a[i] + (unsigned)(v & 0xff) + carry;
		a[i] = (uint8_t)sum;
		carry = sum >> 8;
		v >>= 8;
	}
}

static uint32_t sf_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t sf_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void sf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void sf_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Builds one IP(v6)+TCP SYN into pkt; returns its length. */
static size_t sf_build(uint8_t *pkt, const struct sf_opts *o, const uint8_t src[16],
		       uint16_t sport, uint32_t seq, uint16_t ipid)
{
	size_t iplen = o->family == AF_INET ? 20 : 40;
	size_t alen = o->family == AF_INET ? 4 : 16;
	uint8_t *tcp = pkt + iplen;
	uint32_t sum = 0;
	uint8_t pseudo[4];

	memset(pkt, 0, iplen + SF_TCP_LEN);
	if (o->family == AF_INET) {
		pkt[0] = 0x45;
		sf_put16(pkt + 2, (uint16_t)(iplen + SF_TCP_LEN));
		sf_put16(pkt + 4, ipid);
		pkt[6] = 0x40; /* DF */
		pkt[8] = 64;
		pkt[9] = IPPROTO_TCP;
		memcpy(pkt + 12, src, 4);
		memcpy(pkt + 16, o->dst, 4);
		sf_put16(pkt + 10, sf_csum_fold(sf_csum_add(0, pkt, 20)));
	} else {
		pkt[0] = 0x60;
		sf_put16(pkt + 4, SF_TCP_LEN);
		pkt[6] = IPPROTO_TCP;
		pkt[7] = 64;
		memcpy(pkt + 8, src, 16);
		memcpy(pkt + 24, o->dst, 16);
	}
	sf_put16(tcp, sport);
	sf_put16(tcp + 2, o->dport);
	sf_put32(tcp + 4, seq);
	tcp[12] = (uint8_t)((SF_TCP_LEN / 4) << 4);
	tcp[13] = 0x02; /* SYN */
	sf_put16(tcp + 14, 64240);
	/* MSS 1460, NOP NOP SACK_PERM, NOP WSCALE 7: what a Linux client offers. */
	static const uint8_t opts[SF_TCP_OPT_LEN] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
	memcpy(tcp + 20, opts, sizeof opts);

	sum = sf_csum_add(sum, src, alen);
	sum = sf_csum_add(sum, o->dst, alen);
	sf_put32(pseudo, IPPROTO_TCP);
	sum = sf_csum_add(sum, pseudo, 4);
	sf_put32(pseudo, SF_TCP_LEN);
	sum = sf_csum_add(sum, pseudo, 4);
	sum = sf_csum_add(sum, tcp, SF_TCP_LEN);
	sf_put16(tcp + 16, sf_csum_fold(sum));
	return iplen + SF_TCP_LEN;
}

static double sf_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sf_sleep(double s)
{
	struct timespec ts;
	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static int sf_parse_args(int argc, char **argv, struct sf_opts *o)
{
	struct option lo[SF_NOPT + 1];

	tool_longopts(sf_options, SF_NOPT, lo);
	memset(o, 0, sizeof *o);
	o->duration = 30;
	o->sport_lo = 1024;
	o->sport_hi = 65535;
	for (;;) {
		int c = getopt_long(argc, argv, "d:s:n:r:t:Rh", lo, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_DST:
			if (sf_parse_hostport(optarg, &o->family, o->dst, &o->dport)) {
				fprintf(stderr, "synflood: bad --dst '%s' (want ADDR:PORT)\n", optarg);
				return -EINVAL;
			}
			o->have_dst = true;
			break;
		case OPT_SRC:
			if (o->nsrc == SF_MAX_SRC) {
				fprintf(stderr, "synflood: at most %d --src\n", SF_MAX_SRC);
				return -EINVAL;
			}
			if (sf_cidr_parse(optarg, &o->src[o->nsrc])) {
				fprintf(stderr, "synflood: bad --src '%s' (want CIDR)\n", optarg);
				return -EINVAL;
			}
			if (!sf_allowed_range(&o->src[o->nsrc])) {
				fprintf(stderr, "synflood: refusing source %s: not inside a documentation/"
						"benchmark range (see --help)\n", optarg);
				return -EPERM;
			}
			o->nsrc++;
			break;
		case OPT_COUNT:
			if (tool_parse_u64(optarg, SF_MAX_COUNT, &o->count) || o->count == 0) {
				fprintf(stderr, "synflood: --count must be 1..%llu\n", SF_MAX_COUNT);
				return -EINVAL;
			}
			o->have_count = true;
			break;
		case OPT_RATE:
			if (tool_parse_double(optarg, 1e9, &o->rate)) {
				fprintf(stderr, "synflood: bad --rate '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_DURATION:
			if (tool_parse_double(optarg, 86400, &o->duration) || o->duration <= 0) {
				fprintf(stderr, "synflood: bad --duration '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_RANDOM:
			o->random_src = true;
			break;
		case OPT_RANDOM_PORTS:
			o->random_ports = true;
			break;
		case OPT_SPORTS: {
			unsigned lo_p, hi_p;
			char tail;
			if (sscanf(optarg, "%u-%u%c", &lo_p, &hi_p, &tail) != 2 || lo_p == 0 ||
			    lo_p > hi_p || hi_p > 65535) {
				fprintf(stderr, "synflood: bad --sports '%s' (want LO-HI)\n", optarg);
				return -EINVAL;
			}
			o->sport_lo = (uint16_t)lo_p;
			o->sport_hi = (uint16_t)hi_p;
			break;
		}
		case OPT_SEED:
			if (tool_parse_u64(optarg, UINT64_MAX, &o->seed)) {
				fprintf(stderr, "synflood: bad --seed\n");
				return -EINVAL;
			}
			break;
		case OPT_OFFSET:
			if (tool_parse_u64(optarg, UINT64_MAX / 2, &o->offset)) {
				fprintf(stderr, "synflood: bad --offset\n");
				return -EINVAL;
			}
			break;
		case OPT_HELP:
			sf_usage(stdout);
			exit(0);
		default:
			sf_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "synflood: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->have_dst || !o->have_count || o->nsrc == 0) {
		fprintf(stderr, "synflood: --dst, --src and --count are required (see --help)\n");
		return -EINVAL;
	}
	struct sf_cidr d = {.family = o->family, .prefix = o->family == AF_INET ? 32u : 128u};
	memcpy(d.a, o->dst, 16);
	if (!sf_allowed_range(&d)) {
		fprintf(stderr, "synflood: refusing destination: not inside a documentation/"
				"benchmark range (see --help)\n");
		return -EPERM;
	}
	for (unsigned i = 0; i < o->nsrc; i++) {
		if (o->src[i].family != o->family) {
			fprintf(stderr, "synflood: --src and --dst must be the same address family\n");
			return -EINVAL;
		}
		o->total += o->src[i].size;
	}
	if (o->seed == 0 && getrandom(&o->seed, sizeof o->seed, 0) != (ssize_t)sizeof o->seed)
		o->seed = (uint64_t)time(NULL);
	if (o->seed == 0)
		o->seed = 0x9e3779b97f4a7c15ull;
	return 0;
}

/* Source address number `idx` (0..total) of the concatenated CIDRs. */
static void sf_pick_src(const struct sf_opts *o, uint64_t idx, uint8_t out[16])
{
	for (unsigned i = 0; i < o->nsrc; i++) {
		if (idx < o->src[i].size) {
			memcpy(out, o->src[i].a, 16);
			sf_addr_add(out, o->family, idx);
			return;
		}
		idx -= o->src[i].size;
	}
	memcpy(out, o->src[0].a, 16);
}

int main(int argc, char **argv)
{
	struct sf_opts o;
	uint8_t pkt[40 + SF_TCP_LEN];
	struct sockaddr_storage ss;
	socklen_t sslen;
	uint64_t sent = 0, errors = 0, nobufs = 0, consec = 0, rng;
	uint32_t nports;
	double start, deadline, elapsed;
	int fd = -1, rc = 1, last_errno = 0;
	bool timed_out = false;

	int prc = sf_parse_args(argc, argv, &o);
	if (prc)
		return 2;
	rng = o.seed;
	nports = (uint32_t)o.sport_hi - o.sport_lo + 1;

	memset(&ss, 0, sizeof ss);
	if (o.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, o.dst, 4);
		sslen = sizeof *sin;
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (fd >= 0) {
			int one = 1;
			if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) < 0) {
				perror("synflood: IP_HDRINCL");
				goto out;
			}
		}
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, o.dst, 16);
		sslen = sizeof *sin6;
		/* An AF_INET6 IPPROTO_RAW socket implies a caller-built IPv6 header. */
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	}
	if (fd < 0) {
		fprintf(stderr, "synflood: raw socket: %s (needs CAP_NET_RAW)\n", strerror(errno));
		goto out;
	}

	start = sf_now();
	deadline = start + o.duration;
	for (uint64_t i = 0; i < o.count; i++) {
		uint64_t seq_i = o.offset + i;
		uint8_t src[16];
		uint16_t sport;
		size_t len;
		double now = sf_now();

		if (now >= deadline) {
			timed_out = true;
			break;
		}
		if (o.rate > 0) {
			double due = start + (double)i / o.rate;
			if (due > deadline) {
				timed_out = true;
				break;
			}
			if (due > now)
				sf_sleep(due - now);
		}
		if (o.random_src)
			sf_pick_src(&o, sf_rand(&rng) % o.total, src);
		else
			sf_pick_src(&o, seq_i % o.total, src);
		if (o.random_ports)
			sport = (uint16_t)(o.sport_lo + sf_rand(&rng) % nports);
		else
			/* Walk all sources at one port, then the next port: distinct tuples
			 * for total * nports packets. */
			sport = (uint16_t)(o.sport_lo + (seq_i / o.total) % nports);
		len = sf_build(pkt, &o, src, sport, (uint32_t)sf_rand(&rng), (uint16_t)seq_i);

		for (int tries = 0;; tries++) {
			if (sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sslen) == (ssize_t)len) {
				sent++;
				consec = 0;
				break;
			}
			last_errno = errno;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS && tries < SF_NOBUFS_TRIES) {
				nobufs++;
				sf_sleep(0.001);
				continue;
			}
			errors++;
			consec++;
			break;
		}
		if (consec >= SF_MAX_CONSEC_ERRORS) {
			fprintf(stderr, "synflood: giving up after %d consecutive send errors (%s)\n",
				SF_MAX_CONSEC_ERRORS, strerror(last_errno));
			break;
		}
	}
	elapsed = sf_now() - start;
	fprintf(stderr,
		"synflood: sent %" PRIu64 "/%" PRIu64 " in %.3f s (%.0f pps), errors %" PRIu64
		", enobufs-retries %" PRIu64 "%s%s%s\n",
		sent, o.count, elapsed, elapsed > 0 ? (double)sent / elapsed : 0.0, errors, nobufs,
		timed_out ? ", stopped by --duration" : "", errors ? ", last error: " : "",
		errors ? strerror(last_errno) : "");
	rc = sent == o.count ? 0 : 1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
