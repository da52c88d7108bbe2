/* cliopt — command-line option tables: one table generates getopt_long's
 * arrays and the --help text, so the two never disagree. */
#ifndef SOCKSCOPE_CLIOPT_H
#define SOCKSCOPE_CLIOPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct cliopt {
	const char *name;    /* long name */
	int id;              /* < 256: also the short option character */
	const char *arg;     /* metavariable in --help, NULL: no argument */
	const char *help;    /* may hold '\n' for continuation lines */
};

/* Fills lo[0..n] (n + 1 entries, the last zeroed) and the short-option
 * string so (size >= 2n + 2, starting with '+' so parsing stops at the
 * first operand when plus is set). */
void cliopt_getopt(const struct cliopt *o, size_t n, int plus, struct option *lo, char *so);

/* Prints one entry per option: "-x, --name ARG   help", help in a column. */
void cliopt_usage(FILE *f, const struct cliopt *o, size_t n);

/* The long name of option id, for error messages ("" when unknown). */
const char *cliopt_name(const struct cliopt *o, size_t n, int id);

#endif
