/* cliopt — getopt_long arrays and --help text from one option table. */
#include <string.h>

#include "cliopt.h"

void cliopt_getopt(const struct cliopt *o, size_t n, int plus, struct option *lo, char *so)
{
	char *sp = so;

	memset(lo, 0, (n + 1) * sizeof *lo);
	if (plus)
		*sp++ = '+';
	for (size_t i = 0; i < n; i++) {
		lo[i].name = o[i].name;
		lo[i].has_arg = o[i].arg ? required_argument : no_argument;
		lo[i].val = o[i].id;
		if (o[i].id > 0 && o[i].id < 256) {
			*sp++ = (char)o[i].id;
			if (o[i].arg)
				*sp++ = ':';
		}
	}
	*sp = '\0';
}

void cliopt_usage(FILE *f, const struct cliopt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char left[64];
		const char *h = o[i].help, *nl;

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
	}
}

const char *cliopt_name(const struct cliopt *o, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].id == id)
			return o[i].name;
	return "";
}
