/* fuzz_dateline — any bytes as a `date` line and a file name: documented
 * results only, and every time found re-parses via ISO, `date`, -R, names. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dateline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MIN_T ((usec_t)-62167219200 * USEC_PER_SEC)
#define MAX_T ((usec_t)253402300800 * USEC_PER_SEC - 1)

static void reparse(const char *text, usec_t want)
{
	usec_t back = -1;

	if (dateline_parse(text, strlen(text), &back) != 0 || back != want)
		abort();
}

static void check(usec_t t)
{
	static const char wd[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char iso[UTCTIME_STRLEN], line[96], name[64];
	int64_t sec = t / USEC_PER_SEC - (t % USEC_PER_SEC < 0), days, sod, y;
	usec_t whole = sec * USEC_PER_SEC, back = -1;
	unsigned m, d;
	int w;

	if (t < MIN_T || t > MAX_T)
		abort();
	if (utctime_format(t, 6, iso, sizeof iso) != UTCTIME_STRLEN - 1)
		abort();
	reparse(iso, t);

	days = sec / 86400 - (sec % 86400 < 0);
	sod = sec - days * 86400;
	utctime_civil_from_days(days, &y, &m, &d);
	w = (int)(((days % 7) + 7 + 4) % 7);
	snprintf(line, sizeof line, "%s %s %2u %02u:%02u:%02u UTC %04" PRId64, wd[w], mon[m - 1], d,
		 (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), y);
	reparse(line, whole);
	snprintf(line, sizeof line, "%s, %02u %s %04" PRId64 " %02u:%02u:%02u +0000", wd[w], d,
		 mon[m - 1], y, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
		 (unsigned)(sod % 60));
	reparse(line, whole);
	/* one weekday off is a lie */
	snprintf(line, sizeof line, "%s %s %2u %02u:%02u:%02u UTC %04" PRId64, wd[(w + 1) % 7],
		 mon[m - 1], d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
		 (unsigned)(sod % 60), y);
	if (dateline_parse(line, strlen(line), &back) != -EINVAL)
		abort();

	memcpy(name, "dump-", 5);
	utctime_format_compact(t, name + 5, sizeof name - 5);
	strcat(name, ".txt");
	if (dateline_from_filename(name, &back) != 0 || back != whole)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	usec_t t = 0;
	int rc;

	if (size > 256)
		return 0;
	rc = dateline_parse((const char *)data, size, &t);
	if (rc == 0)
		check(t);
	else if (rc == -ERANGE && (t < MIN_T || t > MAX_T))
		abort();   /* the wall-clock time, as UTC: still a time */
	else if (rc != -EINVAL && rc != -ERANGE)
		abort();

	/* as a file name: a C string */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = dateline_from_filename(s, &t);
	if (rc == 0)
		check(t);
	else if (rc != -ENOENT)
		abort();
	free(s);
	return 0;
}
