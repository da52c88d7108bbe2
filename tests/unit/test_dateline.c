/* Unit tests for analyzer/dateline: `date` lines as GNU coreutils 9.1 prints
 * them (LC_ALL=C, TZ as commented), lines that are not dates, file names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "dateline.h"

#define S(x) ((usec_t)(x) * USEC_PER_SEC)

/* 2026-11-25T13:54:00Z, a Wednesday */
#define T0 S(1795614840)
/* 2025-11-25T13:54:00Z, a Tuesday */
#define T1 S(1764078840)

static void ok(const char *line, usec_t want)
{
	usec_t t = -1;
	int rc = dateline_parse(line, strlen(line), &t);

	if (rc != 0)
		fail_msg("\"%s\": got %d, want 0", line, rc);
	if (t != want)
		fail_msg("\"%s\": got %lld, want %lld", line, (long long)t, (long long)want);
}

static void rejected(const char *line, int want)
{
	usec_t t = 12345;
	int rc = dateline_parse(line, strlen(line), &t);

	if (rc != want)
		fail_msg("\"%s\": got %d, want %d", line, rc, want);
	assert_int_equal(t, 12345);   /* untouched on failure */
}

static void test_date(void **state)
{
	(void)state;
	ok("Wed Nov 25 13:54:00 UTC 2026", T0);                  /* TZ=UTC, and date -u */
	ok("Thu Nov  5 08:07:06 UTC 2026", S(1793866026));       /* %e pads with a space */
	ok("Thu Nov 5 08:07:06 UTC 2026", S(1793866026));
	ok("Wed Nov 25 13:54:00 GMT 2026", T0);
	ok("Wed Nov 25 13:54:00 UCT 2026", T0);
	ok("Wed Nov 25 13:54:00 Z 2026", T0);
	ok("Tue Nov 25 17:54:00 +04 2025", T1);                  /* TZ=Asia/Dubai */
	ok("Tue Nov 25 10:54:00 -03 2025", T1);                  /* TZ=America/Sao_Paulo */
	ok("Tue Nov 25 19:24:00 +0530 2025", T1);
	ok("Thu Feb 29 00:00:00 UTC 2024", S(1709164800));
	ok("Fri Dec 31 23:59:59 UTC 9999", S(253402300799));
	ok("  \tWed Nov 25 13:54:00 UTC 2026 \r", T0);            /* surrounding blanks */
	ok("wed nov 25 13:54:00 UTC 2026", T0);
}

static void test_date_r(void **state)
{
	(void)state;
	ok("Wed, 25 Nov 2026 13:54:00 +0000", T0);
	ok("Thu, 05 Nov 2026 08:07:06 +0000", S(1793866026));
	ok("Wed, 25 Nov 2026 14:54:00 +0100", T0);               /* TZ=Europe/Berlin */
	ok("Tue, 25 Nov 2025 08:54:00 -0500", T1);               /* TZ=America/New_York */
	ok("Tue, 25 Nov 2025 19:24:00 +0530", T1);               /* TZ=Asia/Kolkata */
	ok("Wed, 25 Nov 2026 13:54:00 GMT", T0);                 /* RFC 5322 obs-zone */
}

static void test_iso(void **state)
{
	(void)state;
	ok("2026-11-25T13:54:00+00:00", T0);                     /* -Iseconds */
	ok("2025-11-25T19:24:00,000000000+05:30", T1);           /* -Ins, TZ=Asia/Kolkata */
	ok("2025-11-25T19:24:00,123456789+05:30", T1 + 123456);
	ok("2025-11-25T13:54+00:00", T1);                        /* -Iminutes */
	ok("2026-11-25 13:54:00+00:00", T0);                     /* --rfc-3339=seconds */
	ok("2025-11-25 08:54:00.000000000-05:00", T1);           /* --rfc-3339=ns */
	ok("2026-11-25T13:54:00Z", T0);
	ok("2026-11-25T13:54:00.250000Z", T0 + 250000);
	ok("2026-11-25 13:54:00", T0);                           /* date '+%F %T': UTC */
	ok("2026-11-25 13:54:00 +0000", T0);                     /* date '+%F %T %z' */
	ok("2026-11-25 13:54:00 UTC", T0);                       /* date '+%F %T %Z' */
	ok("2026-11-25 13:54:00 GMT", T0);
	ok("  2026-11-25T13:54:00+00:00\t", T0);
}

static void test_epoch(void **state)
{
	(void)state;
	ok("1795614840", T0);                                    /* date +%s */
	ok("1795614840.123456789", T0 + 123456);                 /* date +%s.%N */
	ok("1795614840.5", T0 + 500000);
	ok("123456789", S(123456789));                           /* 9 digits: 1973 */
	ok("99999999999", S(99999999999));                       /* 11 digits */
	ok(" 1795614840 ", T0);
}

/* An unknown zone: -ERANGE, and the wall-clock time taken as UTC so the
 * caller can still split a cron log there and say what it assumed. */
static void unknown_zone(const char *line, usec_t wall)
{
	usec_t t = 12345;
	int rc = dateline_parse(line, strlen(line), &t);

	if (rc != -ERANGE)
		fail_msg("\"%s\": got %d, want -ERANGE", line, rc);
	if (t != wall)
		fail_msg("\"%s\": got %lld, want %lld", line, (long long)t, (long long)wall);
}

static void test_unknown_zone(void **state)
{
	(void)state;
	unknown_zone("Tue Nov 25 14:54:00 CET 2025", T1 + S(3600));      /* TZ=Europe/Berlin */
	unknown_zone("Tue Nov 25 19:24:00 IST 2025", T1 + S(19800));     /* TZ=Asia/Kolkata */
	unknown_zone("Tue Nov 25 08:54:00 EST 2025", T1 - S(18000));
	unknown_zone("Wed Nov 26 00:54:00 AEDT 2025", T1 + S(39600));
	unknown_zone("Wed, 25 Nov 2026 14:54:00 CET", T0 + S(3600));
	unknown_zone("2026-11-25 14:54:00 CET", T0 + S(3600));           /* date '+%F %T %Z' */
	unknown_zone("2026-11-25 14:54:00.5 CEST", T0 + S(3600) + 500000);
	/* still only when the rest is a date line */
	rejected("Thu Nov 25 13:54:00 CET 2026", -EINVAL);               /* wrong weekday */
	rejected("Wed Nov 31 13:54:00 CET 2026", -EINVAL);
	rejected("2026-11-31 14:54:00 CET", -EINVAL);
	rejected("Fri Dec 31 23:59:59 CET 10000", -EINVAL);
}

static void test_not_dates(void **state)
{
	(void)state;
	rejected("", -EINVAL);
	rejected("   \t ", -EINVAL);
	rejected("tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN",
		 -EINVAL);
	rejected("tcp 0 0 198.51.100.1:80 203.0.113.7:51234 ESTABLISHED", -EINVAL);
	rejected("tcp6       0      0 :::443                  :::*                    LISTEN",
		 -EINVAL);
	rejected("Active Internet connections (servers and established)", -EINVAL);
	rejected("Proto Recv-Q Send-Q Local Address           Foreign Address         State",
		 -EINVAL);
	rejected("   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000",
		 -EINVAL);
	rejected("12345", -EINVAL);                              /* a number, 5 digits */
	rejected("12345678", -EINVAL);
	rejected("123456789012", -EINVAL);                       /* 12 digits */
	rejected("1795614840.", -EINVAL);
	rejected("1795614840.1234567890", -EINVAL);
	rejected("1795614840 1795614840", -EINVAL);
	rejected("-1795614840", -EINVAL);
	rejected("2026-11-25", -EINVAL);                         /* date -I: no time of day */
	rejected("2026-11-25T13", -EINVAL);
	rejected("2026-11-25 13:54:00 hello", -EINVAL);
	rejected("2026-11-25 13:54:00 utc x", -EINVAL);
	rejected("@1795614840", -EINVAL);
	rejected("Wed Nov 25 13:54:00 UTC 2026 extra", -EINVAL);
	rejected("Wed Nov 25 13:54 UTC 2026", -EINVAL);
	rejected("Wed Nov 25 13:54:00 2026", -EINVAL);
	rejected("Wed Nov 25 13:54:00 UTC 26", -EINVAL);
	rejected("Wed Nov 25 13:54:00 ChST 2026", -EINVAL);      /* not an abbreviation shape */
	rejected("Wed Nov 25 13:54:00 A 2026", -EINVAL);
	rejected("Wed Nov 25 13:54:00 +1 2026", -EINVAL);
	rejected("Wed Nov 25 13:54:00 +2400 2026", -EINVAL);
	rejected("Wed Nov 25 13:54:00 +0160 2026", -EINVAL);
	rejected("Wed Nov 125 13:54:00 UTC 2026", -EINVAL);
	rejected("Wed Foo 25 13:54:00 UTC 2026", -EINVAL);
	rejected("Wex Nov 25 13:54:00 UTC 2026", -EINVAL);
	rejected("Wed, 25 Nov 2026 13:54:00", -EINVAL);
	rejected("Wed 25 Nov 2026 13:54:00 +0000", -EINVAL);
	rejected("Wed,25 Nov 2026 13:54:00 +0000", -EINVAL);
}

static void test_ranges(void **state)
{
	(void)state;
	rejected("Mon Nov 31 13:54:00 UTC 2026", -EINVAL);       /* no 31st */
	rejected("Sat Feb 29 00:00:00 UTC 2025", -EINVAL);       /* not a leap year */
	rejected("Wed Nov 25 24:00:00 UTC 2026", -EINVAL);
	rejected("Wed Nov 25 13:60:00 UTC 2026", -EINVAL);
	rejected("Wed Nov 25 13:54:60 UTC 2026", -EINVAL);       /* leap second */
	rejected("Wed Nov  0 13:54:00 UTC 2026", -EINVAL);
	/* pushed outside 0000..9999 by the offset */
	rejected("Sat Jan  1 00:30:00 +0100 0000", -EINVAL);
	ok("Sat Jan  1 01:00:00 +0100 0000", S(-62167219200));
	rejected("Fri, 31 Dec 9999 23:59:59 -0100", -EINVAL);
	rejected("9999-12-31T23:59:59-01:00", -EINVAL);
}

/* A line whose weekday does not match its date was not written by `date`. */
static void test_weekday_lies(void **state)
{
	(void)state;
	rejected("Thu Nov 25 13:54:00 UTC 2026", -EINVAL);
	rejected("Tue, 25 Nov 2026 13:54:00 +0000", -EINVAL);
	rejected("Wed Nov  5 08:07:06 UTC 2026", -EINVAL);
	/* the weekday is checked before the zone: a lying line stays -EINVAL */
	rejected("Thu Nov 25 13:54:00 CET 2026", -EINVAL);
	/* the weekday is that of the printed (local) date */
	ok("Wed Nov 26 00:54:00 +11 2025", T1);
	rejected("Tue Nov 26 00:54:00 +11 2025", -EINVAL);
}

static void name_ok(const char *path, usec_t want)
{
	usec_t t = -1;
	int rc = dateline_from_filename(path, &t);

	if (rc != 0)
		fail_msg("\"%s\": got %d, want 0", path, rc);
	if (t != want)
		fail_msg("\"%s\": got %lld, want %lld", path, (long long)t, (long long)want);
}

static void name_none(const char *path)
{
	usec_t t = 12345;
	int rc = dateline_from_filename(path, &t);

	if (rc != -ENOENT)
		fail_msg("\"%s\": got %d (t=%lld), want -ENOENT", path, rc, (long long)t);
	assert_int_equal(t, 12345);
}

static void test_filename(void **state)
{
	(void)state;
	/* the forms the header promises */
	name_ok("netstat-20261125-1354.txt", T0);
	name_ok("ss_20261125T135400Z.log", T0);
	name_ok("dump-2026-11-25T13:54:00Z.txt", T0);
	name_ok("x.2026-11-25_13-54-00.gz", T0);
	name_ok("1795614840.txt", T0);
	/* directories are not looked at, either separator */
	name_ok("/var/log/sockscope/host-1/netstat-20261125-1354.txt", T0);
	name_ok("C:\\dumps\\netstat-20261125-1354.txt", T0);
	name_ok("/srv/20200101-0000/netstat-20261125-1354.txt", T0);
	/* more spellings */
	name_ok("sockscope-web1-20261125T135400Z.zst", T0);
	name_ok("20261125135400.txt", T0);
	name_ok("20261125-135400", T0);
	name_ok("netstat_2026-11-25_1354.txt", T0);
	name_ok("netstat.2026-11-25.13.54.00.txt", T0);
	name_ok("netstat 2026-11-25 13:54:00.txt", T0);
	name_ok("dump-2026-11-25T13:54:00.250Z.txt", T0 + 250000);
	name_ok("2026-11-25T13:54:00Z", T0);
	name_ok("host1-20261125-1354.txt", T0);
	/* zones: Z or an offset after a 'T' */
	name_ok("capture-20261125T135400+0100.txt", S(1795611240));
	name_ok("capture-2026-11-25T13:54:00+01:00.txt", S(1795611240));
	name_ok("capture-20261125T135400-0130.txt", S(1795620240));
	/* ... elsewhere "-0100" is a counter, not a zone */
	name_ok("netstat-20261125-1354-0100.txt", T0);

	name_none("netstat.txt");
	name_none("");
	name_none("netstat-20261125.txt");                       /* a date alone */
	name_none("netstat-2026-11-25.txt");
	name_none("netstat-20261125-13.txt");                    /* no minutes */
	name_none("netstat-20261325-1354.txt");                  /* month 13 */
	name_none("netstat-20261125-2460.txt");
	name_none("20261125-1354/netstat.txt");                  /* only the last component */
	name_none("netstat-120261125-1354.txt");                 /* digits run on */
	name_none("netstat-20261125-13541.txt");
	name_none("179561484.txt");                              /* 9 digits: a counter */
	name_none("17956148401.txt");
	name_none("dump-2026-1125T1354.txt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_date_r),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_unknown_zone),
		cmocka_unit_test(test_not_dates),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_weekday_lies),
		cmocka_unit_test(test_filename),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
