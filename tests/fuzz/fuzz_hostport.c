/* fuzz_hostport — any bytes as an endpoint in both styles, numeric and in
 * names mode: an accepted one has a family, a port, and an address that
 * formats and parses back equal; a host name lies inside the input, within
 * DNS limits, and leaves the address unspecified; a service name is one
 * the table knows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include "hostport.h"
#include "service.h"

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
	for (int style = HOSTPORT_COLON; style <= HOSTPORT_DOT; style++) {
		struct hostport_names nm;
		int fam = data[0] & 1 ? AF_INET6 : AF_INET;
		int proto = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;

		if (hostport_parse_names(s, size - 1, (enum hostport_style)style, fam, proto,
					 data[0] & 4, &a, &port, &nm) != 0)
			continue;
		if (a.family != AF_INET && a.family != AF_INET6)
			abort();
		if (nm.host) {
			if (nm.host < s || nm.host + nm.hostlen > s + size - 1 || nm.hostlen == 0 ||
			    nm.hostlen > 253 || !addr_is_unspecified(&a) ||
			    memchr(nm.host, ':', nm.hostlen))
				abort();
		}
		n = addr_format(&a, txt, sizeof txt);
		if (n == 0 || n >= sizeof txt || addr_parse(txt, n, &back) != 0 ||
		    memcmp(&a, &back, sizeof a) != 0)
			abort();
	}
	/* the service table: a name found is found again, with one port */
	if (size - 1 <= 32) {
		uint16_t p1, p2;

		if (service_port(s, size - 1, IPPROTO_TCP, &p1) == 0 &&
		    (service_port_prefix(s, size - 1, IPPROTO_TCP, &p2) != 0 || p1 != p2))
			abort();
	}
	return 0;
}
