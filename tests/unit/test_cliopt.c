/* Unit tests for common/cliopt: a table parses each kind into its field,
 * enforces bounds with messages that name the option, and prints --help
 * with the defaults read from the defaults struct. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "utctime.h"

struct o {
	const char *name;
	bool flag;
	uint32_t n32;
	uint64_t n64;
	uint8_t n8;
	double share;
	usec_t ttl, every;
	uint64_t bytes;
	struct cliopt_list files;
};

static int set_upper(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz)
{
	if (strcmp(arg, "UP")) {
		snprintf(err, errsz, "--%s wants UP", o->name);
		return -EINVAL;
	}
	((struct o *)opts)->name = "set by fn";
	return 0;
}

#define T struct o
static const struct cliopt tab[] = {
	{"name", 'N', "S", "a name (default {})", .kind = CLIOPT_STR, CLIOPT_AT(T, name)},
	{"flag", 0, NULL, "a flag", .kind = CLIOPT_FLAG, CLIOPT_AT(T, flag)},
	{"n32", 0, "N", "thirty-two (default {}, 0 = all)", CLIOPT_U(T, n32, 1, 1000)},
	{"n64", 0, "N", "sixty-four (default {})", CLIOPT_U(T, n64, 0, UINT64_MAX)},
	{"n8", 0, "N", "eight (default {})", CLIOPT_U(T, n8, 0, 32)},
	{"share", 0, "PCT", "a share (default {})", .kind = CLIOPT_DOUBLE, CLIOPT_AT(T, share),
	 .max = 100},
	{"ttl", 0, "D", "expiry (default {})", .kind = CLIOPT_DURATION, CLIOPT_AT(T, ttl),
	 .min = 1e6, .max = 86400e6, .expect = "expected 1s..1d"},
	{"every", 0, "D", "interval (default {})", .kind = CLIOPT_DURATION, CLIOPT_AT(T, every)},
	{"bytes", 0, "SIZE", "size (default {})", .kind = CLIOPT_SIZE, CLIOPT_AT(T, bytes)},
	{"file", 'f', "F", "files", .kind = CLIOPT_LIST, CLIOPT_AT(T, files), .umax = 2},
	{"fn", 0, "X", "by a function", .kind = CLIOPT_FN, .set = set_upper},
	{"help", 'h', NULL, "help", .kind = CLIOPT_HELP},
};
#undef T
#define N (sizeof tab / sizeof tab[0])

static void defaults(struct o *o)
{
	memset(o, 0, sizeof *o);
	o->name = "dflt";
	o->n32 = 20;
	o->n64 = 64;
	o->n8 = 24;
	o->share = 0.1;
	o->ttl = 90 * 60 * USEC_PER_SEC;
	o->every = 10 * USEC_PER_SEC;
	o->bytes = 64ull << 20;
}

/* Parses argv (NULL-terminated after argv[0]); the return value. */
static int run(struct o *o, int *first, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"prog";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	defaults(o);
	err[0] = '\0';
	return cliopt_parse(tab, N, argc, argv, o, first, err, 256);
}

static void test_kinds(void **state)
{
	struct o o;
	char err[256];
	int first = 0;

	(void)state;
	assert_int_equal(run(&o, &first, err, (const char *const[]){"-N", "x", "--flag", "--n32",
		"1000", "--n64", "18446744073709551615", "--n8", "32", "--share", "100", "--ttl",
		"1.5h", "-f", "a", "--file", "b", "--bytes", "512K", "op", NULL}), 0);
	assert_true(o.bytes == 512 * 1024);
	assert_string_equal(o.name, "x");
	assert_true(o.flag);
	assert_int_equal(o.n32, 1000);
	assert_true(o.n64 == UINT64_MAX);
	assert_int_equal(o.n8, 32);
	assert_true(o.share == 100);
	assert_int_equal(o.ttl, 5400 * USEC_PER_SEC);
	assert_int_equal(o.files.n, 2);
	assert_string_equal(o.files.v[1], "b");
	assert_int_equal(first, 20);
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--fn", "UP", NULL}), 0);
	assert_string_equal(o.name, "set by fn");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--n8", "3", "--help", NULL}), 1);
}

static void test_refused(void **state)
{
	struct o o;
	char err[256];
	int first = 0;

	(void)state;
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--n32", "0", NULL}), -EINVAL);
	assert_string_equal(err, "--n32 0: expected a number 1..1000");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--n8", "33", NULL}), -EINVAL);
	assert_string_equal(err, "--n8 33: expected a number up to 32");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--share", "101", NULL}), -EINVAL);
	assert_string_equal(err, "--share 101: expected a number >= 0 and <= 100");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--ttl", "2d", NULL}), -EINVAL);
	assert_string_equal(err, "--ttl 2d: expected 1s..1d");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"-f", "a", "-f", "b", "-f", "c", NULL}),
			 -EINVAL);
	assert_string_equal(err, "more than 2 --file");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--fn", "down", NULL}), -EINVAL);
	assert_string_equal(err, "--fn wants UP");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--bytes", "0", NULL}), -EINVAL);
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--bytes", "5KB", NULL}), -EINVAL);
	assert_string_equal(err, "--bytes 5KB: expected a size like 1048576, 512K, 64M, 2G");
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--nope", NULL}), -EINVAL);
	assert_string_equal(err, "bad option --nope");
	/* a hostile argument is echoed bounded and visible */
	assert_int_equal(run(&o, &first, err, (const char *const[]){"--n64", "1\x1b[2J", NULL}), -EINVAL);
	assert_null(strchr(err, '\x1b'));
}

static void test_help_defaults(void **state)
{
	struct o d;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	defaults(&d);
	cliopt_usage(f, tab, N, &d);
	fclose(f);
	assert_non_null(strstr(text, "-N, --name S"));
	assert_non_null(strstr(text, "a name (default dflt)\n"));
	assert_non_null(strstr(text, "thirty-two (default 20, 0 = all)\n"));
	assert_non_null(strstr(text, "eight (default 24)\n"));
	assert_non_null(strstr(text, "a share (default 0.1)\n"));
	assert_non_null(strstr(text, "expiry (default 90m)\n"));
	assert_non_null(strstr(text, "interval (default 10)\n"));   /* bare seconds */
	assert_non_null(strstr(text, "size (default 64M)\n"));
	assert_null(strstr(text, "{}"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_help_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
