/* fuzz_hostport — any bytes as an endpoint in both styles: an accepted one
 * has a family, a port, and an address that formats and parses back equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hostport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	struct addr a, back;
	uint16_t port;
	char txt[ADDR_STRLEN];
	size_t n;

	if (size < 1)
		return 0;
	for (int style = HOSTPORT_COLON; style <= HOSTPORT_DOT; style++) {
		int fam = data[0] & 1 ? AF_INET6 : 0;

		if (hostport_parse(s, size - 1, (enum hostport_style)style, fam, &a, &port) != 0)
			continue;
		if (a.family != AF_INET && a.family != AF_INET6)
			abort();
		n = addr_format(&a, txt, sizeof txt);
		if (n == 0 || n >= sizeof txt || addr_parse(txt, n, &back) != 0 ||
		    memcmp(&a, &back, sizeof a) != 0)
			abort();
	}
	return 0;
}
