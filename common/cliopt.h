/* cliopt — command-line option tables: one table generates getopt_long's
 * arrays, parses each option into its field of the command's options
 * struct, and prints --help with the defaults read from that struct, so
 * the three never disagree. */
#ifndef SOCKSCOPE_CLIOPT_H
#define SOCKSCOPE_CLIOPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What an option does with its argument (all but NONE at opts + off). */
enum cliopt_kind {
	CLIOPT_NONE,         /* the caller's own switch handles it (cliopt_getopt) */
	CLIOPT_HELP,         /* cliopt_parse returns 1 */
	CLIOPT_FLAG,         /* bool = true */
	CLIOPT_STR,          /* const char * = the argument */
	CLIOPT_UINT,         /* unsigned integer of `size` bytes, min..max */
	CLIOPT_DOUBLE,       /* double, min..max (decimal, no exponent check) */
	CLIOPT_DURATION,     /* usec_t by duration_parse, min..max µs */
	CLIOPT_SIZE,         /* uint64_t bytes: N, NK, NM, NG (binary), > 0 */
	CLIOPT_LIST,         /* struct cliopt_list: appended, at most max */
	CLIOPT_FN,           /* set() decides */
};

#define CLIOPT_LIST_MAX 256

/* A repeatable option's arguments, in order. */
struct cliopt_list {
	const char *v[CLIOPT_LIST_MAX];
	size_t n;
};

struct cliopt {
	const char *name;    /* long name */
	int id;              /* < 256: also the short option character; 0: long only */
	const char *arg;     /* metavariable in --help, NULL: no argument */
	const char *help;    /* may hold '\n' for continuation lines, and "{}":
	                      * the default, printed from the defaults struct */
	enum cliopt_kind kind;
	size_t off;          /* the field in the options struct */
	size_t size;         /* CLIOPT_UINT: its size in bytes */
	size_t off2;         /* CLIOPT_FN: a second field, the setter's to use */
	uint64_t umin, umax; /* UINT: bounds; LIST: most entries (0: CLIOPT_LIST_MAX) */
	double min, max;     /* DOUBLE: bounds; DURATION: bounds in µs (max 0: none) */
	const char *expect;  /* the error text after "--name ARG: " (NULL: from
	                      * kind and bounds; LIST: the whole overflow text) */
	/* CLIOPT_FN: parses arg into opts; 0, or -EINVAL with the whole
	 * message in err (without the command's prefix) */
	int (*set)(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
	/* CLIOPT_FN: the field at off as "{}" shows it (NULL: nothing) */
	void (*show)(const void *field, char *out, size_t outsz);
};

/* Designated-initializer tails for table entries of struct type T. */
#define CLIOPT_AT(T, m) .off = offsetof(T, m)
#define CLIOPT_U(T, m, lo, hi) \
	.kind = CLIOPT_UINT, CLIOPT_AT(T, m), .size = sizeof(((T *)0)->m), .umin = (lo), .umax = (hi)

/* Fills lo[0..n] (n + 1 entries, the last zeroed) and the short-option
 * string so (size >= 2n + 2, starting with '+' so parsing stops at the
 * first operand when plus is set). An option's getopt value is its id, or
 * 256 + its index when id is 0. */
void cliopt_getopt(const struct cliopt *o, size_t n, int plus, struct option *lo, char *so);

/* Parses argv's options into opts (filled with its defaults by the
 * caller). 0 with *first the first operand's index; 1 when --help was
 * given; -EINVAL with err set (the bad argument shown bounded and made
 * visible), -E2BIG for a table of more than 63 options. */
int cliopt_parse(const struct cliopt *o, size_t n, int argc, char **argv, void *opts, int *first,
		 char *err, size_t errsz);

/* Parses arg into o's field of opts, as cliopt_parse does (for callers
 * with their own getopt loop and messages). 0 or -EINVAL with err set. */
int cliopt_set(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);

/* Prints one entry per option: "-x, --name ARG   help", help in a column,
 * each "{}" replaced by the option's value in defaults (NULL: none). */
void cliopt_usage(FILE *f, const struct cliopt *o, size_t n, const void *defaults);

/* The long name of option id (its getopt value), for error messages ("" when unknown). */
const char *cliopt_name(const struct cliopt *o, size_t n, int id);

#endif
