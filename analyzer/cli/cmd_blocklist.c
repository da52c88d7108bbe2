/* cmd_blocklist — `sockscope blocklist`: its options (thresholds and
 * rails, their defaults those of blocklist.c and blockrail.c), the allow
 * lists read and checked, and the report run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "blockrail.h"
#include "buf.h"
#include "cli.h"
#include "report_blocklist.h"
#include "termsafe.h"

#define T struct report_args
static const struct cliopt blocklist_opts[] = {
	CLI_OPT_DB(T),
	{"format", 0, "FMT", "plain (default: one network per line), iptables, ip6tables,\n"
			     "nft, ipset, csv or json (docs/BLOCKLIST.md)",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, bl.format)},
	{"explain", 0, NULL, "the evidence of each recommendation and near miss, in words,\n"
			     "on stderr (csv, json: near misses as rows too)",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, bl.explain)},
	{"min-conns", 0, "N", "sockets at the peak (default: from the baseline, at least "
				     CLI_STR(BLOCKLIST_FLOOR) ")",
	 CLIOPT_U(T, bl.p.min_conns, 0, UINT32_MAX)},
	{"min-snapshots", 0, "N", "snapshots it is in (default 2; 1 with one snapshot)",
	 CLIOPT_U(T, bl.p.min_snapshots, 0, UINT32_MAX)},
	{"min-share", 0, "PCT", "% of all sockets with a peer (default {})", .kind = CLIOPT_DOUBLE,
	 CLIOPT_AT(T, bl.p.min_share), .max = 100},
	{"min-hosts", 0, "N", "hosts behaving alike before their subnet is named (default {})",
	 CLIOPT_U(T, bl.p.min_hosts, 0, UINT32_MAX)},
	{"spread", 0, "N", "subnets of one-off SYN sources that make a spoofed flood (default {})",
	 CLIOPT_U(T, bl.p.spread, 0, UINT32_MAX)},
	{"prefix", 0, "N", "IPv4 prefix of subnets (default {})", CLIOPT_U(T, bl.p.prefix4, 0, 32)},
	{"prefix6", 0, "N", "IPv6 prefix of subnets (default {})", CLIOPT_U(T, bl.p.prefix6, 0, 128)},
	{"allow", 0, "CIDR", "never block anything overlapping CIDR; repeatable", .kind = CLIOPT_FN,
	 CLIOPT_AT(T, bl.allow), .set = cli_set_allow},
	{"allow-file", 0, "FILE", "--allow for each line of FILE (# comments); repeatable",
	 .kind = CLIOPT_LIST, CLIOPT_AT(T, bl.allow_files), .umax = 16, .expect = "too many --allow-file"},
	{"include-private", 0, NULL, "may block RFC 1918, CGNAT (100.64/10) and ULA networks",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, bl.include_private)},
	{"max-prefix", 0, "N", "no IPv4 network wider than /N (default {})",
	 CLIOPT_U(T, bl.max_prefix4, 0, 32)},
	{"max-prefix6", 0, "N", "no IPv6 network wider than /N (default {})",
	 CLIOPT_U(T, bl.max_prefix6, 0, 128)},
	{"ttl", 0, "DURATION", "entries expire (nft, ipset): 30m, 1h, 1d", .kind = CLIOPT_DURATION,
	 CLIOPT_AT(T, bl.ttl), .min = 1e6, .max = 2147483e6,
	 .expect = "expected a duration from 1s to 24d like 30m, 1h, 1d"},
	{"near", 0, "N", "near misses explained (default {})", CLIOPT_U(T, bl.p.max_near, 0, UINT32_MAX)},
	CLI_FILTER_OPTS,
	CLI_FILE_OPT("work on FILE without a database; repeatable; - is stdin"),
	CLI_OPT_HELP,
};
#undef T

static int blocklist_check(const struct cmd *c, const struct report_args *a, enum report_needs *needs)
{
	struct report_blocklist_opts o;

	if (a->bl.format && report_blocklist_format_parse(a->bl.format, &o) < 0) {
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope %s: --format %s: expected plain, iptables, ip6tables, nft, ipset, csv or json\n",
			c->name, termsafe_arg(shown, sizeof shown, a->bl.format));
		return 2;
	}
	if (a->bl.p.prefix4 < 8 || a->bl.p.prefix6 < 16) {
		fprintf(stderr, "sockscope %s: --prefix is 8..32, --prefix6 16..128\n", c->name);
		return 2;
	}
	if (a->bl.ttl && a->bl.format && strcmp(a->bl.format, "nft") && strcmp(a->bl.format, "ipset"))
		fprintf(stderr, "sockscope %s: note: --ttl applies to nft and ipset only\n", c->name);
	/* the host's own addresses come from its sockets' local addresses */
	*needs = NEEDS_DB;
	return 0;
}

static long blocklist_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
			  char *err, size_t errsz)
{
	struct report_blocklist_opts o = {0};
	struct blockrail r;
	struct timespec now;
	long rc = 0;

	(void)width;
	(void)color;
	(void)report_blocklist_format_parse(a->bl.format ? a->bl.format : "plain", &o);   /* checked */
	o.p = a->bl.p;
	o.ttl = (unsigned)(a->bl.ttl / USEC_PER_SEC);
	o.explain = a->bl.explain;
	o.why = stderr;
	clock_gettime(CLOCK_REALTIME, &now);
	o.now = (usec_t)now.tv_sec * USEC_PER_SEC;

	blockrail_init(&r);
	r.include_private = a->bl.include_private;
	r.max_prefix4 = (unsigned)a->bl.max_prefix4;
	r.max_prefix6 = (unsigned)a->bl.max_prefix6;
	for (size_t i = 0; i < a->bl.allow.n && rc == 0; i++) {
		struct cidr net;

		(void)cidr_parse(a->bl.allow.v[i], strlen(a->bl.allow.v[i]), &net);   /* checked */
		if (blockrail_allow(&r, &net) < 0) {
			snprintf(err, errsz, "out of memory");
			rc = -ENOMEM;
		}
	}
	for (size_t i = 0; i < a->bl.allow_files.n && rc == 0; i++)
		rc = cli_allow_file(&r, a->bl.allow_files.v[i], err, errsz);
	if (rc == 0)
		rc = report_blocklist(src, &a->flt, &r, &o, stdout, err, errsz);
	blockrail_fini(&r);
	return rc;
}

static const struct report blocklist_report = {blocklist_check, blocklist_run, false};

static int cmd_blocklist(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &blocklist_report);
}

const struct cmd cli_blocklist = {
	"blocklist", cmd_blocklist, "[FILE...]",
	"Recommend networks to block, with evidence and safety rails, in a firewall's language",
	"Peers and subnets (--prefix) whose sockets at their peak reach the threshold\n"
	"(relative to this recording's typical peer), that persist and carry a share of\n"
	"the traffic; a subnet when --min-hosts of its hosts behave alike. Never loopback,\n"
	"link-local, multicast, the host's own addresses, --allow, private ranges (unless\n"
	"--include-private) or a network wider than --max-prefix. A SYN flood from a\n"
	"spread of one-off sources is called spoofed, with SYN cookie, backlog and rate\n"
	"limit advice instead of rules. Nothing is applied: load the output yourself.\n"
	"The list goes to stdout; --explain, advice and notes to stderr.\n",
	CLI_OPTS(blocklist_opts), sizeof(struct report_args), report_args_defaults,
};
