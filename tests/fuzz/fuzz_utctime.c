/* Fuzz target for common/utctime: parse any bytes; what parses and lies in
 * 0000..9999 must format (6 digits) and re-parse to the same value. Eight
 * raw bytes are also formatted as a timestamp to cover the whole range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utctime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z */
#define MIN_T ((usec_t)-62167219200 * USEC_PER_SEC)
#define MAX_T ((usec_t)253402300800 * USEC_PER_SEC - 1)

static void roundtrip(usec_t t)
{
	char out[UTCTIME_STRLEN], big[64];
	usec_t back;
	size_t n;

	n = utctime_format(t, 6, big, sizeof big);
	if (n >= sizeof big || strlen(big) != n)
		abort();
	if (t < MIN_T || t > MAX_T)
		return;
	n = utctime_format(t, 6, out, sizeof out);
	if (n != UTCTIME_STRLEN - 1 || memcmp(out, big, n) != 0)
		abort();
	if (utctime_parse(out, n, &back) != 0 || back != t)
		abort();
	/* Fewer digits truncate toward the past, never round up. */
	for (int d = 0; d < 6; d++) {
		static const usec_t unit[6] = {1000000, 100000, 10000, 1000, 100, 10};
		usec_t want = t - ((t % unit[d]) + unit[d]) % unit[d];

		n = utctime_format(t, d, out, sizeof out);
		if (utctime_parse(out, n, &back) != 0 || back != want)
			abort();
	}
}

/* Without a zone offset the fields must come back as written: a date that
 * does not exist (Feb 30, 25:00) must have been refused, not normalised. */
static void same_fields(const char *s, size_t len, usec_t t)
{
	char out[64];

	if (s[0] == '@' || memchr(s + 10, '+', len - 10) || memchr(s + 10, '-', len - 10))
		return;
	utctime_format(t, 6, out, sizeof out);
	if (memcmp(out, s, 10) != 0)
		abort();
	if (len >= 16 && memcmp(out + 11, s + 11, 5) != 0)
		abort();
	if (len >= 19 && s[16] == ':' && memcmp(out + 16, s + 16, 3) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	usec_t t;

	if (utctime_parse((const char *)data, size, &t) == 0) {
		roundtrip(t);
		same_fields((const char *)data, size, t);
	}
	if (size >= 8) {
		uint64_t u;

		memcpy(&u, data, 8);
		roundtrip((usec_t)u);
	}
	return 0;
}
