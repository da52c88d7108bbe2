/* hostport — endpoint spellings of dumps: "addr:port" (Linux, Windows, with
 * or without brackets) and "addr.port" (BSD), wildcards and scopes. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "hostport.h"
#include "num.h"
#include "service.h"

static int parse_port(const char *s, size_t len, uint16_t *port)
{
	uint64_t v;

	if (len == 1 && s[0] == '*') {
		*port = 0;
		return 0;
	}
	if (num_parse_dec(s, len, 65535, &v) < 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* The address part: '*' is the wildcard of `family`; "%scope" is dropped
 * (it may sit inside brackets or after them, see the callers). */
static int parse_host(const char *s, size_t len, int family, struct addr *a)
{
	const char *pct;

	if (len == 1 && s[0] == '*') {
		memset(a, 0, sizeof *a);
		a->family = family == AF_INET6 ? AF_INET6 : AF_INET;
		return 0;
	}
	pct = memchr(s, '%', len);
	if (pct) {
		if (pct + 1 == s + len)
			return -EINVAL;   /* "%" without an interface */
		len = (size_t)(pct - s);
	}
	return addr_parse(s, len, a);
}

static int parse_colon(const char *s, size_t len, int family, struct addr *a, uint16_t *port)
{
	const char *colon;
	size_t hlen;

	if (len >= 2 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		const char *rest;

		if (!rb)
			return -EINVAL;
		rest = rb + 1;
		/* ss prints the scope outside the brackets: [fe80::1]%eth0:22 */
		if (rest < s + len && *rest == '%') {
			rest = memchr(rest, ':', (size_t)(s + len - rest));
			if (!rest || rest == rb + 2)
				return -EINVAL;
		}
		if (rest >= s + len || *rest != ':')
			return -EINVAL;
		if (parse_host(s + 1, (size_t)(rb - s - 1), family, a) < 0)
			return -EINVAL;
		return parse_port(rest + 1, (size_t)(s + len - rest - 1), port);
	}
	colon = memrchr(s, ':', len);
	if (!colon)
		return -EINVAL;
	hlen = (size_t)(colon - s);
	/* A bare IPv4 host never has a colon; a bare IPv6 host always does (or
	 * is '*'), so the last colon separates the port in both cases. */
	if (hlen == 0 || parse_host(s, hlen, family, a) < 0)
		return -EINVAL;
	return parse_port(colon + 1, len - hlen - 1, port);
}

static int parse_dot(const char *s, size_t len, int family, struct addr *a, uint16_t *port)
{
	const char *dot = memrchr(s, '.', len);
	size_t hlen;

	if (!dot)
		return -EINVAL;
	hlen = (size_t)(dot - s);
	if (hlen == 0 || parse_host(s, hlen, family, a) < 0)
		return -EINVAL;
	return parse_port(dot + 1, len - hlen - 1, port);
}

int hostport_parse(const char *s, size_t len, enum hostport_style style, int family,
		   struct addr *a, uint16_t *port)
{
	if (len == 0)
		return -EINVAL;
	if (style == HOSTPORT_DOT)
		return parse_dot(s, len, family, a, port);
	return parse_colon(s, len, family, a, port);
}

/* A host name as resolvers return them (RFC 1123 letters, digits, '-', and
 * '_' seen in the wild), dotted, with a letter somewhere: "10.0.0" is a cut
 * address, not a name. DNS limits hold: 253 characters, labels of 63. */
#define HOST_NAME_MAX_LEN 253
#define HOST_LABEL_MAX 63

static int is_host_name(const char *s, size_t len)
{
	int letter = 0;
	size_t label = 0;

	if (len == 0 || len > HOST_NAME_MAX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			label = 0;
			continue;
		}
		if (++label > HOST_LABEL_MAX)
			return 0;
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			letter = 1;
		else if (!(c >= '0' && c <= '9') && c != '-' && c != '_')
			return 0;
	}
	return letter;
}

/* A port: number, '*', or a service name (a cut one when `cut`). */
static int parse_port_named(const char *s, size_t len, int proto, int cut, uint16_t *port,
			    int *named)
{
	*named = 0;
	if (parse_port(s, len, port) == 0)
		return 0;
	if (len == 0 || !is_host_name(s, len))
		return -EINVAL;   /* service names share host names' alphabet */
	/* BSD netstat prints 15 characters of a service name ("%.15s"),
	 * net-tools 18 when the column is short: a name of that length may be
	 * the start of a longer one */
	if (len == 15 || len == 18)
		cut = 1;
	if ((cut ? service_port_prefix(s, len, proto, port)
		 : service_port(s, len, proto, port)) < 0)
		return -ENOENT;
	*named = 1;
	return 0;
}

/* A host: an address or '*' (parse_host), else a host name kept as text. */
static int parse_host_named(const char *s, size_t len, int family, struct addr *a,
			    struct hostport_names *names)
{
	if (parse_host(s, len, family, a) == 0)
		return 0;
	if (!is_host_name(s, len))
		return -EINVAL;
	memset(a, 0, sizeof *a);
	a->family = family == AF_INET6 ? AF_INET6 : AF_INET;
	names->host = s;
	names->hostlen = len;
	return 0;
}

int hostport_parse_names(const char *s, size_t len, enum hostport_style style, int family,
			 int proto, int cut, struct addr *a, uint16_t *port,
			 struct hostport_names *names)
{
	const char *sep;
	size_t hlen;
	int rc;

	memset(names, 0, sizeof *names);
	if (hostport_parse(s, len, style, family, a, port) == 0)
		return 0;
	if (len == 0)
		return -EINVAL;
	if (style == HOSTPORT_COLON && s[0] == '[') {
		/* "[::]:ssh", "[fe80::1]%eth0:ssh": an address in brackets */
		const char *rb = memchr(s, ']', len), *rest;

		if (!rb || parse_host(s + 1, (size_t)(rb - s - 1), family, a) < 0)
			return -EINVAL;
		rest = rb + 1;
		if (rest < s + len && *rest == '%')
			rest = memchr(rest, ':', (size_t)(s + len - rest));
		if (!rest || rest >= s + len || *rest != ':')
			return -EINVAL;
		return parse_port_named(rest + 1, (size_t)(s + len - rest - 1), proto, cut, port,
					&names->port_named);
	}
	sep = memrchr(s, style == HOSTPORT_DOT ? '.' : ':', len);
	if (!sep || sep == s)
		return -EINVAL;
	hlen = (size_t)(sep - s);
	if (parse_host_named(s, hlen, family, a, names) < 0)
		return -EINVAL;
	rc = parse_port_named(sep + 1, len - hlen - 1, proto, cut, port, &names->port_named);
	if (rc < 0)
		memset(names, 0, sizeof *names);
	return rc;
}
