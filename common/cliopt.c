/* cliopt — getopt_long arrays, parsing into an options struct and --help
 * text from one option table. */
#include "cliopt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "duration.h"
#include "num.h"
#include "termsafe.h"

#define CLIOPT_MAX 63

static int val_of(const struct cliopt *o, size_t i)
{
	return o[i].id ? o[i].id : 256 + (int)i;
}

void cliopt_getopt(const struct cliopt *o, size_t n, int plus, struct option *lo, char *so)
{
	char *sp = so;

	memset(lo, 0, (n + 1) * sizeof *lo);
	if (plus)
		*sp++ = '+';
	for (size_t i = 0; i < n; i++) {
		lo[i].name = o[i].name;
		lo[i].has_arg = o[i].arg ? required_argument : no_argument;
		lo[i].val = val_of(o, i);
		if (o[i].id > 0 && o[i].id < 256) {
			*sp++ = (char)o[i].id;
			if (o[i].arg)
				*sp++ = ':';
		}
	}
	*sp = '\0';
}

static void put_uint(void *field, size_t size, uint64_t v)
{
	switch (size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(field, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(field, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(field, &x, 4); break; }
	default: memcpy(field, &v, sizeof v); break;
	}
}

static uint64_t get_uint(const void *field, size_t size)
{
	switch (size) {
	case 1: { uint8_t x; memcpy(&x, field, 1); return x; }
	case 2: { uint16_t x; memcpy(&x, field, 2); return x; }
	case 4: { uint32_t x; memcpy(&x, field, 4); return x; }
	default: { uint64_t x; memcpy(&x, field, sizeof x); return x; }
	}
}

/* "1048576", "512K", "64M", "2G" (binary multiples) into bytes, > 0. */
static int parse_size(const char *s, uint64_t *out)
{
	size_t digits = strspn(s, "0123456789");
	uint64_t v, mul = 1;

	switch (s[digits]) {
	case '\0': break;
	case 'k': case 'K': mul = 1ull << 10; break;
	case 'm': case 'M': mul = 1ull << 20; break;
	case 'g': case 'G': mul = 1ull << 30; break;
	default: return -EINVAL;
	}
	if ((mul > 1 && s[digits + 1]) || num_parse_dec(s, digits, UINT64_MAX / mul, &v) < 0 ||
	    v == 0)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

int cliopt_set(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	char *field = (char *)opts + o->off;
	char shown[TERMSAFE_ARG_SIZE];

	switch (o->kind) {
	case CLIOPT_FLAG: *(bool *)(void *)field = true; return 0;
	case CLIOPT_STR: *(const char **)(void *)field = arg; return 0;
	case CLIOPT_FN: return o->set(o, opts, arg, err, errsz);
	case CLIOPT_UINT: {
		uint64_t v;

		if (num_parse_dec(arg, strlen(arg), o->umax, &v) == 0 && v >= o->umin) {
			put_uint(field, o->size, v);
			return 0;
		}
		if (o->expect)
			snprintf(err, errsz, "--%s %s: %s", o->name,
				 termsafe_arg(shown, sizeof shown, arg), o->expect);
		else if (o->umin > 0)
			snprintf(err, errsz, "--%s %s: expected a number %" PRIu64 "..%" PRIu64,
				 o->name, termsafe_arg(shown, sizeof shown, arg), o->umin, o->umax);
		else
			snprintf(err, errsz, "--%s %s: expected a number up to %" PRIu64, o->name,
				 termsafe_arg(shown, sizeof shown, arg), o->umax);
		return -EINVAL;
	}
	case CLIOPT_DOUBLE: {
		char *end;
		double d = strtod(arg, &end);

		if (end != arg && !*end && d >= o->min && d <= o->max) {
			*(double *)(void *)field = d;
			return 0;
		}
		termsafe_arg(shown, sizeof shown, arg);
		if (o->max < 1e12)
			snprintf(err, errsz, "--%s %s: expected a number >= %g and <= %g", o->name,
				 shown, o->min, o->max);
		else
			snprintf(err, errsz, "--%s %s: expected a number >= %g", o->name, shown,
				 o->min);
		return -EINVAL;
	}
	case CLIOPT_DURATION: {
		usec_t v;

		if (duration_parse(arg, &v) == 0 && (double)v >= o->min &&
		    (o->max == 0 || (double)v <= o->max)) {
			*(usec_t *)(void *)field = v;
			return 0;
		}
		snprintf(err, errsz, "--%s %s: %s", o->name, termsafe_arg(shown, sizeof shown, arg),
			 o->expect ? o->expect : "expected a duration like " DURATION_EXAMPLES);
		return -EINVAL;
	}
	case CLIOPT_SIZE: {
		uint64_t v;

		if (parse_size(arg, &v) == 0) {
			memcpy(field, &v, sizeof v);
			return 0;
		}
		snprintf(err, errsz, "--%s %s: %s", o->name, termsafe_arg(shown, sizeof shown, arg),
			 o->expect ? o->expect : "expected a size like 1048576, 512K, 64M, 2G");
		return -EINVAL;
	}
	case CLIOPT_LIST: {
		struct cliopt_list *l = (struct cliopt_list *)(void *)field;
		size_t max = o->umax > 0 && o->umax < CLIOPT_LIST_MAX ? (size_t)o->umax : CLIOPT_LIST_MAX;

		if (l->n < max) {
			l->v[l->n++] = arg;
			return 0;
		}
		if (o->expect)
			snprintf(err, errsz, "%s", o->expect);
		else
			snprintf(err, errsz, "more than %zu --%s", max, o->name);
		return -EINVAL;
	}
	default:
		snprintf(err, errsz, "--%s: not parsed by a table", o->name);
		return -EINVAL;
	}
}

int cliopt_parse(const struct cliopt *o, size_t n, int argc, char **argv, void *opts, int *first,
		 char *err, size_t errsz)
{
	struct option lo[CLIOPT_MAX + 1];
	char so[2 * CLIOPT_MAX + 2], shown[TERMSAFE_ARG_SIZE];
	int ch;

	if (n > CLIOPT_MAX) {
		snprintf(err, errsz, "too many options in a table");
		return -E2BIG;
	}
	cliopt_getopt(o, n, 0, lo, so);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		size_t i = 0;
		int rc;

		while (i < n && val_of(o, i) != ch)
			i++;
		if (i == n) {
			if (optopt && optopt < 256) {
				const char opt[2] = {(char)optopt, '\0'};

				snprintf(err, errsz, "bad option -%s or its argument",
					 termsafe_arg(shown, sizeof shown, opt));
			} else {
				snprintf(err, errsz, "bad option %s",
					 termsafe_arg(shown, sizeof shown, argv[optind - 1]));
			}
			return -EINVAL;
		}
		if (o[i].kind == CLIOPT_HELP)
			return 1;
		rc = cliopt_set(&o[i], opts, optarg, err, errsz);
		if (rc < 0)
			return rc;
	}
	*first = optind;
	return 0;
}

/* The default of o as text, from the defaults struct. */
static void default_text(const struct cliopt *o, const void *defaults, char *out, size_t outsz)
{
	const char *field = (const char *)defaults + o->off;

	out[0] = '\0';
	switch (o->kind) {
	case CLIOPT_UINT:
		snprintf(out, outsz, "%" PRIu64, get_uint(field, o->size));
		break;
	case CLIOPT_DOUBLE:
		snprintf(out, outsz, "%g", *(const double *)(const void *)field);
		break;
	case CLIOPT_DURATION: {
		static const struct {
			const char *unit;
			usec_t us;
		} units[] = {{"d", 86400 * USEC_PER_SEC}, {"h", 3600 * USEC_PER_SEC},
			     {"m", 60 * USEC_PER_SEC}, {"s", USEC_PER_SEC}, {"ms", 1000}};
		usec_t v = *(const usec_t *)(const void *)field;

		/* whole seconds under a minute bare: "10" reads as 10 s */
		if (v > 0 && v < 60 * USEC_PER_SEC && v % USEC_PER_SEC == 0) {
			snprintf(out, outsz, "%" PRId64, v / USEC_PER_SEC);
			return;
		}
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (v && v % units[i].us == 0) {
				snprintf(out, outsz, "%" PRId64 "%s", v / units[i].us, units[i].unit);
				return;
			}
		snprintf(out, outsz, "%" PRId64 "us", v);
		break;
	}
	case CLIOPT_SIZE: {
		static const char units[] = "GMK";
		uint64_t v;

		memcpy(&v, field, sizeof v);
		for (int i = 0; i < 3; i++) {
			uint64_t m = 1ull << (10 * (3 - i));

			if (v && v % m == 0) {
				snprintf(out, outsz, "%" PRIu64 "%c", v / m, units[i]);
				return;
			}
		}
		snprintf(out, outsz, "%" PRIu64, v);
		break;
	}
	case CLIOPT_FN:
		if (o->show)
			o->show(field, out, outsz);
		break;
	case CLIOPT_STR: {
		const char *s = *(const char *const *)(const void *)field;

		snprintf(out, outsz, "%s", s ? s : "");
		break;
	}
	default:
		break;
	}
}

void cliopt_usage(FILE *f, const struct cliopt *o, size_t n, const void *defaults)
{
	for (size_t i = 0; i < n; i++) {
		char left[64], dflt[64];
		struct buf help = BUF_INIT;
		const char *h = o[i].help, *nl, *mark;

		/* "{}" becomes the default: written once, in the defaults */
		while (defaults && (mark = strstr(h, "{}"))) {
			default_text(&o[i], defaults, dflt, sizeof dflt);
			buf_printf(&help, "%.*s%s", (int)(mark - h), h, dflt);
			h = mark + 2;
		}
		if (help.len) {
			buf_puts(&help, h);
			h = help.data;
		}
		if (o[i].id > 0 && o[i].id < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o[i].id, o[i].name,
				 o[i].arg ? " " : "", o[i].arg ? o[i].arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o[i].name, o[i].arg ? " " : "",
				 o[i].arg ? o[i].arg : "");
		while ((nl = strchr(h, '\n'))) {
			fprintf(f, "  %-30s %.*s\n", left, (int)(nl - h), h);
			left[0] = '\0';
			h = nl + 1;
		}
		fprintf(f, "  %-30s %s\n", left, h);
		buf_fini(&help);
	}
}

const char *cliopt_name(const struct cliopt *o, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (val_of(o, i) == id)
			return o[i].name;
	return "";
}
