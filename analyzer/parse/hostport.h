/* hostport — the ways dumps spell one endpoint ("1.2.3.4:80", "[::1]:22",
 * ":::80", "*.443", "fe80::1%lo0.631", ...). Pure. */
#ifndef SOCKSCOPE_HOSTPORT_H
#define SOCKSCOPE_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum hostport_style {
	/* Linux netstat, ss, Windows: address, ':' port. The port is after the
	 * LAST colon, so bare IPv6 works (":::22", "::ffff:1.2.3.4:80",
	 * "2001:db8::1:443"); brackets are accepted ("[::1]:22",
	 * "[::ffff:1.2.3.4]:80", "[fe80::1]%eth0:22" as ss writes it). */
	HOSTPORT_COLON,
	/* BSD / macOS netstat: address, '.' port ("10.0.0.1.443", "*.80",
	 * "*.*", "::1.22", "fe80::1%lo0.631"). */
	HOSTPORT_DOT,
};

/* Parses exactly s[0..len) as an endpoint.
 * - '*' as the address is the unspecified address of `family` (AF_INET6
 *   when family is AF_INET6, else AF_INET); '*' or "0" as port is 0.
 * - An interface scope ("%eth0", "%lo0") is accepted and dropped.
 * - The address is not folded: "::ffff:1.2.3.4" stays IPv4-mapped.
 * - Service names ("*:http") and host names are rejected here: see
 *   hostport_parse_names.
 * Returns 0 or -EINVAL. */
int hostport_parse(const char *s, size_t len, enum hostport_style style,
		   int family, struct addr *a, uint16_t *port);

/* What an endpoint said with names instead of numbers (names mode: netstat
 * and ss without -n). */
struct hostport_names {
	const char *host;      /* a host name that is no address, pointing into
	                        * the endpoint text (not NUL-terminated); NULL
	                        * when the host was an address or '*' */
	size_t hostlen;
	int port_named;        /* the port was a service name */
};

/* hostport_parse, and where it fails, names mode: the port may be a service
 * name (service.h, for proto), the host a host name. A host name leaves *a
 * the unspecified address of `family` (nothing is resolved: the analysis
 * machine's resolver is not the recorded machine's) and is returned in
 * names->host. A host name is letters, digits, '-', '_' and '.', with at
 * least one letter; it may be cut (netstat cuts it to fit its column).
 * With `cut` (the endpoint fills its column: netstat may have cut the
 * service name too) a service name may be the unique start of one.
 * Returns 0, -ENOENT when all is well but a service name the table does
 * not have, or -EINVAL. */
int hostport_parse_names(const char *s, size_t len, enum hostport_style style, int family,
			 int proto, int cut, struct addr *a, uint16_t *port,
			 struct hostport_names *names);

#endif
