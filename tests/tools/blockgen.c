/* blockgen — test tool: reads CIDR[,score] lines on stdin and writes them
 * with blockfmt_write() in one format, so real firewall tools can judge it. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "blockfmt.h"
#include "toolopt.h"
#include "utctime.h"

#define BG_MAX_ENTRIES 16384
#define BG_LINE_MAX 256
/* A fixed time keeps the output reproducible: tests diff it. */
#define BG_DEFAULT_GENERATED "2026-11-25T19:50:00Z"
/* Scores above 100 are read so that blockfmt_write's refusal can be tested. */
#define BG_SCORE_MAX 1e9

enum { OPT_TTL = 't', OPT_GENERATED = 'g', OPT_HELP = 'h' };

static const struct tool_option bg_opts[] = {
	{ "ttl", required_argument, OPT_TTL, "SECONDS", "entry lifetime (nft, ipset); 0: forever" },
	{ "generated", required_argument, OPT_GENERATED, "TIME",
	  "time in the header (default " BG_DEFAULT_GENERATED ")" },
	{ "help", no_argument, OPT_HELP, NULL, "this text" },
};
#define BG_NOPTS (sizeof bg_opts / sizeof bg_opts[0])

static struct blockfmt_entry entries[BG_MAX_ENTRIES];

static void usage(FILE *f)
{
	fprintf(f, "usage: blockgen iptables|ip6tables|nft|ipset|plain [options] < lines\n"
		   "Lines: CIDR or CIDR,SCORE (score 0..100, default 0); blank lines and\n"
		   "lines starting with '#' are skipped.\n");
	tool_usage(f, bg_opts, BG_NOPTS, 18);
}

/* One input line without its newline. 0 or -EINVAL (why: *what). */
static int parse_line(char *s, struct blockfmt_entry *e, const char **what)
{
	char *comma = strchr(s, ',');
	size_t alen = comma ? (size_t)(comma - s) : strlen(s);
	double score = 0;

	memset(e, 0, sizeof *e);
	if (cidr_parse(s, alen, &e->net) < 0) {
		*what = "expected an address or CIDR";
		return -EINVAL;
	}
	if (comma && tool_parse_double(comma + 1, BG_SCORE_MAX, &score) < 0) {
		*what = "expected a score after ','";
		return -EINVAL;
	}
	e->score = score;
	return 0;
}

static int read_entries(FILE *in, size_t *n)
{
	char line[BG_LINE_MAX];
	unsigned long lineno = 0;

	*n = 0;
	while (fgets(line, sizeof line, in)) {
		size_t len = strlen(line);
		const char *what = NULL;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(in)) {
			fprintf(stderr, "blockgen: line %lu: longer than %d bytes\n", lineno,
				BG_LINE_MAX - 2);
			return -EINVAL;
		}
		if (len == 0 || line[0] == '#')
			continue;
		if (*n == BG_MAX_ENTRIES) {
			fprintf(stderr, "blockgen: line %lu: more than %d entries\n", lineno,
				BG_MAX_ENTRIES);
			return -EINVAL;
		}
		if (parse_line(line, &entries[*n], &what) < 0) {
			fprintf(stderr, "blockgen: line %lu: %s: \"%s\"\n", lineno, what, line);
			return -EINVAL;
		}
		(*n)++;
	}
	if (ferror(in)) {
		fprintf(stderr, "blockgen: reading stdin failed\n");
		return -EIO;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct option lo[BG_NOPTS + 1];
	struct blockfmt_opts o = { 0 };
	enum blockfmt fmt;
	const char *gen = BG_DEFAULT_GENERATED;
	uint64_t v;
	size_t n;
	long r;
	int c;

	tool_longopts(bg_opts, BG_NOPTS, lo);
	while ((c = getopt_long(argc, argv, "t:g:h", lo, NULL)) != -1) {
		switch (c) {
		case OPT_TTL:
			if (tool_parse_u64(optarg, UINT_MAX, &v) < 0) {
				fprintf(stderr, "blockgen: --ttl wants seconds 0..%u\n", UINT_MAX);
				return 2;
			}
			o.ttl = (unsigned)v;
			break;
		case OPT_GENERATED:
			gen = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (blockfmt_parse(argv[optind], &fmt) < 0) {
		fprintf(stderr, "blockgen: unknown format \"%s\"\n", argv[optind]);
		return 2;
	}
	if (utctime_parse(gen, strlen(gen), &o.generated) < 0) {
		fprintf(stderr, "blockgen: --generated: not a time: \"%s\"\n", gen);
		return 2;
	}
	if (read_entries(stdin, &n) < 0)
		return 2;
	r = blockfmt_write(stdout, fmt, entries, n, &o);
	if (r >= 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "blockgen: blockfmt_write: %s\n", strerror((int)-r));
		return 1;
	}
	fprintf(stderr, "blockgen: %ld networks written\n", r);
	return 0;
}
