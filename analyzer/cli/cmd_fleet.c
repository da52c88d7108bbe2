/* cmd_fleet — `sockscope fleet top|timeline|spikes|blocklist`: the reports over a
 * ClickHouse fleet (analyzer/fleet/fleet.h), their options and exit status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "chhttp.h"
#include "cli.h"
#include "fleet.h"
#include "report_spikes.h"
#include "termsafe.h"

struct fleet_args {
	struct cli_ch ch;
	struct filter flt;           /* --host, --since, --until (the rest unused) */
	const char *state;
	enum output_format out;
	const char *by;
	uint64_t prefix4, prefix6, limit;
	usec_t bucket;
	bool per_host;
	struct cliopt_list counters;
	uint64_t window;
	double k, min_rise, min_rate;
	struct blocklist_params bp;  /* blocklist */
	const char *format;
	bool explain;
	usec_t ttl;
	struct cliopt_list allow, allow_files;
	bool include_private;
	uint64_t max_prefix4, max_prefix6, on_hosts;
};

static void fleet_args_defaults(void *opts)
{
	struct fleet_args *a = opts;
	struct spike_params sp;

	memset(a, 0, sizeof *a);
	cli_ch_defaults(&a->ch);
	spike_params_default(&sp);
	a->by = "subnet";
	a->prefix4 = 24;
	a->prefix6 = 48;
	a->limit = 20;
	a->bucket = 60 * USEC_PER_SEC;
	a->window = sp.window;
	a->k = sp.k;
	a->min_rise = sp.min_rise;
	a->min_rate = sp.min_rise;
	blocklist_params_default(&a->bp);
	{
		struct blockrail r;

		blockrail_init(&r);
		a->max_prefix4 = r.max_prefix4;
		a->max_prefix6 = r.max_prefix6;
		blockrail_fini(&r);
	}
	a->on_hosts = 1;
}

#define T struct fleet_args
#define FLEET_COMMON_OPTS \
	CLI_CH_OPTS(T), \
	{"host", 0, "NAME", "only this host", .kind = CLIOPT_FN, CLIOPT_AT(T, flt.host), \
	 .set = cli_set_host}, \
	{"since", 0, "TIME", "from TIME (ISO 8601, @EPOCH, now, -2h)", .kind = CLIOPT_FN, \
	 CLIOPT_AT(T, flt.since), .off2 = offsetof(T, flt.have_since), .set = cli_set_time_start}, \
	{"until", 0, "TIME", "up to TIME", .kind = CLIOPT_FN, CLIOPT_AT(T, flt.until), \
	 .off2 = offsetof(T, flt.have_until), .set = cli_set_time_end}, \
	{"output", 'o', "FORMAT", "table, csv or json", .kind = CLIOPT_FN, CLIOPT_AT(T, out), \
	 .set = cli_set_output}, \
	CLI_OPT_HELP

static const struct cliopt top_opts[] = {
	{"by", 0, "KEY", "subnet, ip or port (local) (default {})", .kind = CLIOPT_STR,
	 CLIOPT_AT(T, by)},
	{"prefix", 0, "N", "IPv4 prefix of subnets (default {})", CLIOPT_U(T, prefix4, 0, 32)},
	{"prefix6", 0, "N", "IPv6 prefix of subnets, a multiple of 8 (default {})",
	 CLIOPT_U(T, prefix6, 0, 128)},
	{"limit", 'n', "N", "rows (default {}; 0: all)", CLIOPT_U(T, limit, 0, UINT32_MAX)},
	{"state", 0, "NAME", "only sockets in this state (default: all but LISTEN, UNCONN)",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, state)},
	FLEET_COMMON_OPTS,
};
static const struct cliopt timeline_opts[] = {
	{"bucket", 0, "DURATION", "one row per (default 1m)", .kind = CLIOPT_DURATION,
	 CLIOPT_AT(T, bucket), .min = 1e6},
	{"per-host", 0, NULL, "a row per host and bucket (default: summed)", .kind = CLIOPT_FLAG,
	 CLIOPT_AT(T, per_host)},
	FLEET_COMMON_OPTS,
};
static const struct cliopt spikes_opts[] = {
	{"counter", 0, "NAME", "a counter's rate too (Group.Field; default: the SYN flood\n"
			       "counters, as spikes)",
	 .kind = CLIOPT_LIST, CLIOPT_AT(T, counters), .umax = 32},
	{"window", 0, "N", "quiet points in the baseline (default {})", CLIOPT_U(T, window, 1, UINT32_MAX)},
	{"k", 0, "X", "MADs above the median (default {})", .kind = CLIOPT_DOUBLE, CLIOPT_AT(T, k),
	 .max = 1e12},
	{"min-rise", 0, "X", "least rise of a count (default {})", .kind = CLIOPT_DOUBLE,
	 CLIOPT_AT(T, min_rise), .max = 1e12},
	{"min-rate", 0, "X", "least rise of a rate, per second (default {})", .kind = CLIOPT_DOUBLE,
	 CLIOPT_AT(T, min_rate), .max = 1e12},
	FLEET_COMMON_OPTS,
};
static const struct cliopt blocklist_opts[] = {
	{"format", 0, "FMT", "plain, iptables, ip6tables, nft, ipset (a firewall file of\n"
			     "the networks listed), csv or json (default: -o's rows)",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, format)},
	{"explain", 0, NULL, "each network's hosts and their evidence, then each host's\n"
			     "near misses, in words, on stderr",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, explain)},
	{"near", 0, "N", "near misses explained per host (default {})",
	 CLIOPT_U(T, bp.max_near, 0, UINT32_MAX)},
	{"ttl", 0, "DURATION", "entries expire (nft, ipset): 30m, 1h, 1d", .kind = CLIOPT_DURATION,
	 CLIOPT_AT(T, ttl), .min = 1e6, .max = 2147483e6,
	 .expect = "expected a duration from 1s to 24d like 30m, 1h, 1d"},
	{"on-hosts", 0, "N", "list a network blocked on N hosts or more (default {})",
	 CLIOPT_U(T, on_hosts, 1, UINT32_MAX)},
	{"min-conns", 0, "N", "sockets at the peak (default: each host's baseline, at least "
			      CLI_STR(BLOCKLIST_FLOOR) ")",
	 CLIOPT_U(T, bp.min_conns, 0, UINT32_MAX)},
	{"min-snapshots", 0, "N", "snapshots it is in (default 2)",
	 CLIOPT_U(T, bp.min_snapshots, 0, UINT32_MAX)},
	{"min-share", 0, "PCT", "% of a host's sockets with a peer (default {})",
	 .kind = CLIOPT_DOUBLE, CLIOPT_AT(T, bp.min_share), .max = 100},
	{"min-hosts", 0, "N", "peers behaving alike before their subnet is named (default {})",
	 CLIOPT_U(T, bp.min_hosts, 0, UINT32_MAX)},
	{"spread", 0, "N", "subnets of one-off SYN sources that make a spoofed flood (default {})",
	 CLIOPT_U(T, bp.spread, 0, UINT32_MAX)},
	{"prefix", 0, "N", "IPv4 prefix of subnets (default {})", CLIOPT_U(T, bp.prefix4, 0, 32)},
	{"prefix6", 0, "N", "IPv6 prefix of subnets, a multiple of 8 (default {})",
	 CLIOPT_U(T, bp.prefix6, 0, 128)},
	{"allow", 0, "CIDR", "never block anything overlapping CIDR; repeatable", .kind = CLIOPT_FN,
	 CLIOPT_AT(T, allow), .set = cli_set_allow},
	{"allow-file", 0, "FILE", "--allow for each line of FILE (# comments); repeatable",
	 .kind = CLIOPT_LIST, CLIOPT_AT(T, allow_files), .umax = 16, .expect = "too many --allow-file"},
	{"include-private", 0, NULL, "may block RFC 1918, CGNAT (100.64/10) and ULA networks",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, include_private)},
	{"max-prefix", 0, "N", "no IPv4 network wider than /N (default {})",
	 CLIOPT_U(T, max_prefix4, 0, 32)},
	{"max-prefix6", 0, "N", "no IPv6 network wider than /N (default {})",
	 CLIOPT_U(T, max_prefix6, 0, 128)},
	FLEET_COMMON_OPTS,
};
#undef T

/* fleet blocklist's own options, before the server is asked: 0, or -EINVAL
 * with err set. */
static int blocklist_check(const struct fleet_args *a, char *err, size_t errsz)
{
	struct report_blocklist_opts ro;

	if (a->format && report_blocklist_format_parse(a->format, &ro) < 0) {
		char shown[TERMSAFE_ARG_SIZE];

		snprintf(err, errsz, "--format %s: expected plain, iptables, ip6tables, nft, ipset, "
				     "csv or json", termsafe_arg(shown, sizeof shown, a->format));
		return -EINVAL;
	}
	if (a->bp.prefix6 % 8 || a->bp.prefix4 < 8 || a->bp.prefix6 < 16) {
		snprintf(err, errsz, "--prefix is 8..32, --prefix6 16..128 and a multiple of 8");
		return -EINVAL;
	}
	if (a->ttl && (!a->format || (strcmp(a->format, "nft") && strcmp(a->format, "ipset"))))
		fprintf(stderr, "sockscope fleet blocklist: note: --ttl applies to nft and ipset only\n");
	return 0;
}

/* fleet blocklist: the output (rows or a firewall file), the rails from
 * the options and allow files, then the report. */
static long run_blocklist(struct chhttp *h, const struct fleet_args *a,
			  const struct fleet_filter *ff, const struct fleet_out *o, char *err,
			  size_t errsz)
{
	struct fleet_blocklist_opts bo = {.min_hosts = (uint32_t)a->on_hosts};
	struct fleet_out out = *o;
	struct timespec now;
	struct blockrail r;
	long rc = 0;

	bo.r.p = a->bp;
	if (a->format)
		(void)report_blocklist_format_parse(a->format, &bo.r);   /* checked */
	else {
		bo.r.rows = true;
		bo.r.out = o->fmt;
	}
	out.fmt = bo.r.out;
	bo.r.ttl = (unsigned)(a->ttl / USEC_PER_SEC);
	bo.r.explain = a->explain;
	bo.r.why = stderr;
	clock_gettime(CLOCK_REALTIME, &now);
	bo.r.now = (usec_t)now.tv_sec * USEC_PER_SEC;
	blockrail_init(&r);
	r.include_private = a->include_private;
	r.max_prefix4 = (unsigned)a->max_prefix4;
	r.max_prefix6 = (unsigned)a->max_prefix6;
	for (size_t i = 0; i < a->allow.n && rc == 0; i++) {
		struct cidr net;

		(void)cidr_parse(a->allow.v[i], strlen(a->allow.v[i]), &net);   /* checked */
		if (blockrail_allow(&r, &net) < 0) {
			snprintf(err, errsz, "out of memory");
			rc = -ENOMEM;
		}
	}
	for (size_t i = 0; i < a->allow_files.n && rc == 0; i++)
		rc = cli_allow_file(&r, a->allow_files.v[i], err, errsz);
	bo.rails = &r;
	if (rc == 0)
		rc = fleet_blocklist(h, a->ch.database, ff, &bo, &out, err, errsz);
	blockrail_fini(&r);
	return rc;
}

static void fleet_out_term(struct fleet_out *o, enum output_format fmt)
{
	struct winsize ws;

	*o = (struct fleet_out){fmt, stdout, 0, false};
	if (!isatty(STDOUT_FILENO))
		return;
	o->color = !getenv("NO_COLOR");
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		o->width = ws.ws_col;
}

static int run_one(const struct cmd *c, int argc, char **argv)
{
	struct fleet_args a;
	struct fleet_filter ff;
	struct fleet_out o;
	struct chhttp *h = NULL;
	char err[512] = "";
	int first, status = 0;
	long n = 0;

	first = cli_parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first != argc) {
		fprintf(stderr, "sockscope %s: no operands expected\n", c->name);
		return 2;
	}
	ff = (struct fleet_filter){a.flt.host, a.flt.have_since, a.flt.have_until, a.flt.since,
				   a.flt.until, a.state};
	fleet_out_term(&o, a.out);
	if (!strcmp(c->name, "fleet blocklist") && blocklist_check(&a, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope %s: %s\n", c->name, err);
		return 2;
	}
	/* blocklist joins spans to snapshots (18.16 refuses a join of two
	 * Distributed tables): a host lives on one shard (sharded by host),
	 * so each shard joins its own local tables */
	if (cli_ch_connect(&a.ch, "sockscope fleet",
			   strcmp(c->name, "fleet blocklist") ? NULL : "distributed_product_mode=local",
			   &h) < 0)
		return 2;
	if (cli_ch_check(h, "sockscope fleet", a.ch.database, &status) < 0)
		goto out;
	if (!strcmp(c->name, "fleet top")) {
		struct fleet_top_opts to = {FLEET_TOP_SUBNET, (unsigned)a.prefix4, (unsigned)a.prefix6,
					    (unsigned)a.limit};

		if (fleet_top_by_parse(a.by, &to.by) < 0 || a.prefix6 % 8) {
			fprintf(stderr, "sockscope fleet top: --by subnet, ip or port; --prefix6 a "
					"multiple of 8\n");
			status = 2;
			goto out;
		}
		n = fleet_top(h, a.ch.database, &ff, &to, &o, err, sizeof err);
	} else if (!strcmp(c->name, "fleet timeline")) {
		n = fleet_timeline(h, a.ch.database, &ff, a.bucket, a.per_host, &o, err, sizeof err);
	} else if (!strcmp(c->name, "fleet blocklist")) {
		n = run_blocklist(h, &a, &ff, &o, err, sizeof err);
	} else {
		struct spike_params cp, rp;

		spike_params_default(&cp);
		cp.window = (unsigned)a.window;
		cp.k = a.k;
		cp.min_rise = a.min_rise;
		rp = cp;
		rp.min_rise = a.min_rate;
		n = a.counters.n ? fleet_spikes(h, a.ch.database, &ff, a.counters.v, a.counters.n,
						&cp, &rp, &o, err, sizeof err)
				 : fleet_spikes(h, a.ch.database, &ff, report_spikes_default_counters,
						report_spikes_ndefault_counters, &cp, &rp, &o, err,
						sizeof err);
	}
	if (n < 0) {
		fprintf(stderr, "sockscope %s: %s\n", c->name, err[0] ? err : strerror((int)-n));
		status = cli_ch_status((int)n);
	} else if (n == 0) {
		status = 1;
	}
out:
	chhttp_free(h);
	return status;
}

#define FLEET_DETAILS \
	"Reads the tables `sockscope ship` fills (docs/CLICKHOUSE.md); credentials as ship.\n" \
	"Exit status: 0 rows, 1 none or the server failed, 2 usage, authentication, URL\n" \
	"or schema.\n"

static const struct cmd fleet_top_cmd = {
	"fleet top", run_one, "",
	"Subnets, peers or local ports across hosts, with how many hosts each reached",
	"sockets: each socket counted once per snapshot it was in (socket-snapshots).\n"
	FLEET_DETAILS,
	CLI_OPTS(top_opts), sizeof(struct fleet_args), fleet_args_defaults,
};
static const struct cmd fleet_timeline_cmd = {
	"fleet timeline", run_one, "",
	"Sockets, ESTABLISHED and SYN_RECV per time bucket, summed or per host",
	"Averages over the snapshots in each bucket; syn_recv_max: the most in one.\n"
	FLEET_DETAILS,
	CLI_OPTS(timeline_opts), sizeof(struct fleet_args), fleet_args_defaults,
};
static const struct cmd fleet_spikes_cmd = {
	"fleet spikes", run_one, "",
	"Each host's SYN_RECV and counter spikes, by onset: who was hit first",
	"The rule of `spikes` (spike.h), fed with each host's series from the server.\n"
	FLEET_DETAILS,
	CLI_OPTS(spikes_opts), sizeof(struct fleet_args), fleet_args_defaults,
};

static const struct cmd fleet_blocklist_cmd = {
	"fleet blocklist", run_one, "",
	"Networks to block everywhere, with the number of hosts whose evidence says so",
	"Each host is judged as `blocklist` judges one (docs/BLOCKLIST.md): its own\n"
	"baseline, the same rules and rails, its own addresses never blocked; a network\n"
	"is listed with the hosts that block it, most first (score: the highest).\n"
	"Spoofed-source floods are named on stderr, not listed.\n"
	FLEET_DETAILS,
	CLI_OPTS(blocklist_opts), sizeof(struct fleet_args), fleet_args_defaults,
};

static int run_fleet(const struct cmd *c, int argc, char **argv)
{
	static const struct cmd *const sub[] = {&fleet_top_cmd, &fleet_timeline_cmd,
						&fleet_spikes_cmd, &fleet_blocklist_cmd};

	(void)c;
	if (argc >= 2)
		for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++)
			if (!strcmp(argv[1], sub[i]->name + 6))
				return sub[i]->fn(sub[i], argc - 1, argv + 1);
	fprintf(argc >= 2 && strcmp(argv[1], "--help") ? stderr : stdout,
		"Usage: sockscope fleet top|timeline|spikes|blocklist [OPTION]...\n"
		"Reports over every host's recordings in ClickHouse (sockscope ship).\n"
		"'sockscope fleet REPORT --help' describes each.\n");
	return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
}

const struct cmd cli_fleet = {
	"fleet", run_fleet, "REPORT [OPTION]...",
	"Fleet-wide reports from ClickHouse: top, timeline, spikes, blocklist",
	NULL, NULL, 0, 0, NULL,
};
