/* duration — NUMBER UNIT terms ("1h30m") into microseconds, in integers. */
#include "duration.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "num.h"

/* µs per unit, 0 when u[0..n) is no unit ("": seconds, for a lone number). */
static uint64_t unit_us(const char *u, size_t n)
{
	static const struct {
		const char *unit;
		uint64_t us;
	} units[] = {{"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000u},
		     {"d", 86400000000u}, {"w", 604800000000u}, {"", 1000000}};

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].unit) == n && !memcmp(u, units[i].unit, n))
			return units[i].us;
	return 0;
}

/* One term at *s: NUMBER [UNIT]; adds its µs to *total and advances *s. */
static int term(const char **s, uint64_t *total)
{
	const char *p = *s;
	size_t n = strspn(p, "0123456789"), nf = 0, nu;
	uint64_t whole, f = 0, scale = 1, mul, v;

	if (n == 0 || num_parse_dec(p, n, UINT64_MAX, &whole) < 0)
		return -EINVAL;
	p += n;
	if (*p == '.') {
		nf = strspn(p + 1, "0123456789");
		if (nf == 0 || nf > 6 || num_parse_dec(p + 1, nf, UINT64_MAX, &f) < 0)
			return -EINVAL;
		p += 1 + nf;
	}
	nu = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	mul = unit_us(p, nu);
	if (!mul)
		return -EINVAL;
	if (whole > (uint64_t)DURATION_MAX / mul)
		return -ERANGE;
	for (size_t i = 0; i < nf; i++)
		scale *= 10;
	/* f < 10^6 and mul < 10^12: the product fits in 64 bits */
	v = whole * mul + f * mul / scale;
	if (v > (uint64_t)DURATION_MAX - *total)
		return -ERANGE;
	*total += v;
	*s = p + nu;
	return nu ? 0 : 1;   /* 1: a lone number, which must be the whole */
}

int duration_parse(const char *s, usec_t *out)
{
	const char *p = s;
	uint64_t total = 0;

	do {
		const char *start = p;
		int rc = term(&p, &total);

		if (rc < 0)
			return rc;
		/* a number without a unit is seconds only when it is all there is */
		if (rc == 1 && (start != s || *p))
			return -EINVAL;
	} while (*p);
	if (total < 1000)
		return -ERANGE;
	*out = (usec_t)total;
	return 0;
}
