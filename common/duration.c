/* duration — NUMBER [ms|s|m|h|d] into microseconds, in integers. */
#include "duration.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "num.h"

int duration_parse(const char *s, usec_t *out)
{
	static const struct {
		const char *unit;
		uint64_t us;
	} units[] = {{"ms", 1000}, {"s", 1000000}, {"", 1000000}, {"m", 60000000},
		     {"h", 3600000000u}, {"d", 86400000000u}};
	size_t n = strspn(s, "0123456789"), nf = 0;
	const char *frac = NULL, *unit;
	uint64_t whole, f = 0, scale = 1, mul = 0, v;

	if (n == 0 || num_parse_dec(s, n, UINT64_MAX, &whole) < 0)
		return -EINVAL;
	unit = s + n;
	if (*unit == '.') {
		frac = unit + 1;
		nf = strspn(frac, "0123456789");
		if (nf == 0 || nf > 6 || num_parse_dec(frac, nf, UINT64_MAX, &f) < 0)
			return -EINVAL;
		unit = frac + nf;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(unit, units[i].unit))
			mul = units[i].us;
	if (!mul)
		return -EINVAL;
	if (whole > (uint64_t)DURATION_MAX / mul)
		return -ERANGE;
	for (size_t i = 0; i < nf; i++)
		scale *= 10;
	/* f < 10^6 and mul <= 8.64e10: the product fits in 64 bits */
	v = whole * mul + f * mul / scale;
	if (v < 1000 || v > (uint64_t)DURATION_MAX)
		return -ERANGE;
	*out = (usec_t)v;
	return 0;
}
