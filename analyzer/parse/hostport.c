/* hostport — endpoint spellings of dumps: "addr:port" (Linux, Windows, with
 * or without brackets) and "addr.port" (BSD), wildcards and scopes. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "hostport.h"
#include "num.h"

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
