/* cli — parsing a command's options (its table, its defaults) and the
 * setters of the options several commands share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "blockrail.h"
#include "buf.h"
#include "cli.h"
#include "termsafe.h"

static void cmd_usage(const struct cmd *c, FILE *f)
{
	void *dflt = calloc(1, c->opts_size ? c->opts_size : 1);

	fprintf(f, "Usage: sockscope %s [OPTION]... %s\n%s.\n\n", c->name, c->args, c->summary);
	/* the defaults, not what the options before --help set */
	if (dflt && c->defaults)
		c->defaults(dflt);
	cliopt_usage(f, c->opts, c->nopts, dflt);
	if (c->details)
		fprintf(f, "\n%s", c->details);
	free(dflt);
}

int cli_parse(const struct cmd *c, int argc, char **argv, void *opts, int *status)
{
	char err[512];
	int first = 0, rc;

	if (c->defaults)
		c->defaults(opts);
	rc = cliopt_parse(c->opts, c->nopts, argc, argv, opts, &first, err, sizeof err);
	if (rc == 1) {
		cmd_usage(c, stdout);
		*status = 0;
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "sockscope %s: %s\n", c->name, err);
		fprintf(stderr, "Try 'sockscope %s --help'.\n", c->name);
		*status = 2;
		return -1;
	}
	return first;
}

int cli_open_db(const char *path, enum db_mode mode, sqlite3 **db)
{
	char err[512];

	if (db_open(path, mode, db, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope: %s\n", err);
		return -1;
	}
	return 0;
}

const char *cli_db_default(void)
{
	const char *db = getenv("SOCKSCOPE_DB");

	return db && *db ? db : DB_DEFAULT_PATH;
}

#define FIELD(T, o, opts) ((T *)(void *)((char *)(opts) + (o)->off))

int cli_set_host(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];

	/* FORMAT.md's grammar of a header value: what import stores as a
	 * dump's host is what a segment could hold */
	for (const char *p = arg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errsz, "--host %s: expected a name without control characters",
				 termsafe_arg(shown, sizeof shown, arg));
			return -EINVAL;
		}
	*FIELD(const char *, o, opts) = arg;
	return 0;
}

static int set_time(const struct cliopt *o, void *opts, const char *arg, bool end, char *err,
		    size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];
	struct timespec now;
	usec_t t;

	clock_gettime(CLOCK_REALTIME, &now);
	if (filter_time_parse(arg, (usec_t)now.tv_sec * USEC_PER_SEC, &t) < 0) {
		snprintf(err, errsz, "--%s %s: expected a time like 2026-11-25T13:54:00Z, 2026-11-25 13:54:00+01:00, @1795614840, now or -2h",
			 o->name, termsafe_arg(shown, sizeof shown, arg));
		return -EINVAL;
	}
	/* the end of the period written: a time a report printed (cut to
	 * ms) finds its snapshot */
	if (end)
		t += filter_time_span(arg) - 1;
	*FIELD(usec_t, o, opts) = t;
	*(bool *)(void *)((char *)opts + o->off2) = true;
	return 0;
}

int cli_set_time_start(const struct cliopt *o, void *opts, const char *arg, char *err,
		       size_t errsz)
{
	return set_time(o, opts, arg, false, err, errsz);
}

int cli_set_time_end(const struct cliopt *o, void *opts, const char *arg, char *err,
		     size_t errsz)
{
	return set_time(o, opts, arg, true, err, errsz);
}

int cli_set_states(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];
	const char *badw = "";

	if (filter_states_parse(arg, FIELD(uint32_t, o, opts), &badw) < 0) {
		snprintf(err, errsz, "--state: '%s' is no TCP state (LISTEN, SYN_RECV, SYN_REC, ESTABLISHED, TIME_WAIT, UNCONN, ...)",
			 termsafe_arg(shown, sizeof shown, badw));
		return -EINVAL;
	}
	return 0;
}

int cli_set_port(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];

	if (filter_port_parse(arg, FIELD(int32_t, o, opts)) < 0) {
		snprintf(err, errsz, "--%s %s: expected a port 0..65535", o->name,
			 termsafe_arg(shown, sizeof shown, arg));
		return -EINVAL;
	}
	return 0;
}

int cli_set_protos(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];

	if (filter_protos_parse(arg, FIELD(unsigned, o, opts)) < 0) {
		snprintf(err, errsz, "--proto %s: expected tcp, udp, raw or a list",
			 termsafe_arg(shown, sizeof shown, arg));
		return -EINVAL;
	}
	return 0;
}

int cli_set_family(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];

	if (strcmp(arg, "4") && strcmp(arg, "6")) {
		snprintf(err, errsz, "--family %s: expected 4 or 6",
			 termsafe_arg(shown, sizeof shown, arg));
		return -EINVAL;
	}
	*FIELD(int, o, opts) = arg[0] - '0';
	return 0;
}

int cli_set_output(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char shown[TERMSAFE_ARG_SIZE];

	if (output_format_parse(arg, FIELD(enum output_format, o, opts)) < 0) {
		snprintf(err, errsz, "-o %s: expected table, csv or json",
			 termsafe_arg(shown, sizeof shown, arg));
		return -EINVAL;
	}
	return 0;
}

/* --allow CIDR: checked here, so that a typo is a usage error. */
int cli_set_allow(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	struct cliopt_list *l = (struct cliopt_list *)(void *)((char *)opts + o->off);
	char shown[TERMSAFE_ARG_SIZE];
	struct cidr net;

	if (cidr_parse(arg, strlen(arg), &net) < 0) {
		snprintf(err, errsz, "--allow %s: expected a network like 192.0.2.0/24 or 2001:db8::/32",
			 termsafe_arg(shown, sizeof shown, arg));
		return -EINVAL;
	}
	if (l->n == CLIOPT_LIST_MAX) {
		snprintf(err, errsz, "too many --allow; use --allow-file");
		return -EINVAL;
	}
	l->v[l->n++] = arg;
	return 0;
}

/* An allow file into r: every bad line reported; any makes it an error,
 * since a network meant to be protected would not be. */
int cli_allow_file(struct blockrail *r, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "re");
	int open_errno = errno;
	/* the name goes into messages: made visible */
	char *shown = termsafe_dup(path);
	struct buf b;
	char chunk[8192];
	size_t n;
	long bad;
	int rc = 0;

	if (!f || !shown) {
		rc = f ? -ENOMEM : -open_errno;
		snprintf(err, errsz, "--allow-file %s: %s", shown ? shown : "?", strerror(-rc));
		if (f)
			fclose(f);
		free(shown);
		return rc;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (b.len + n > (64u << 20) || buf_append(&b, chunk, n) < 0) {
			snprintf(err, errsz, "--allow-file %s: too large (64 MiB at most)", shown);
			rc = -EFBIG;
			goto out;
		}
	if (ferror(f)) {
		snprintf(err, errsz, "--allow-file %s: %s", shown, strerror(EIO));
		rc = -EIO;
		goto out;
	}
	bad = blockrail_allow_text(r, b.data ? b.data : "", b.len, shown, stderr);
	if (bad < 0) {
		snprintf(err, errsz, "out of memory");
		rc = (int)bad;
	} else if (bad > 0) {
		snprintf(err, errsz, "--allow-file %s: %ld bad line%s: fix %s, nothing was written",
			 shown, bad, bad == 1 ? "" : "s", bad == 1 ? "it" : "them");
		rc = -EINVAL;
	}
out:
	buf_fini(&b);
	fclose(f);
	free(shown);
	return rc;
}
