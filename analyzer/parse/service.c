/* service — the built-in service-name table and its lookups (binary search
 * over names sorted in strcmp order). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "service.h"

struct service {
	const char *name;
	int tcp, udp;   /* port, or -1 */
};

static const struct service services[] = {
#include "service_table.h"
};
#define NSERVICES (sizeof services / sizeof services[0])

/* strncmp of s[0..len) against a NUL-terminated name, as strcmp orders. */
static int cmp(const char *s, size_t len, const char *name)
{
	size_t nl = strlen(name);
	int c = strncmp(s, name, len < nl ? len : nl);

	if (c != 0)
		return c;
	return len < nl ? -1 : len > nl ? 1 : 0;
}

static int pick(const struct service *sv, int proto, uint16_t *port)
{
	int p = proto == IPPROTO_UDP ? sv->udp : sv->tcp;

	if (p < 0)
		p = proto == IPPROTO_UDP ? sv->tcp : sv->udp;
	if (p < 0)
		return -ENOENT;
	*port = (uint16_t)p;
	return 0;
}

/* Index of the first name >= s[0..len). */
static size_t lower_bound(const char *s, size_t len)
{
	size_t lo = 0, hi = NSERVICES;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(s, len, services[mid].name) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int service_port(const char *s, size_t len, int proto, uint16_t *port)
{
	size_t i;

	if (len == 0 || memchr(s, '\0', len))
		return -ENOENT;
	i = lower_bound(s, len);
	if (i == NSERVICES || cmp(s, len, services[i].name) != 0)
		return -ENOENT;
	return pick(&services[i], proto, port);
}

int service_port_prefix(const char *s, size_t len, int proto, uint16_t *port)
{
	size_t i;

	if (service_port(s, len, proto, port) == 0)
		return 0;
	if (len < 3 || memchr(s, '\0', len))
		return -ENOENT;
	i = lower_bound(s, len);
	if (i == NSERVICES || strncmp(services[i].name, s, len) != 0 ||
	    pick(&services[i], proto, port) < 0)
		return -ENOENT;
	/* names that start alike but mean one port (an alias) are one answer */
	for (size_t k = i + 1; k < NSERVICES && strncmp(services[k].name, s, len) == 0; k++) {
		uint16_t other;

		if (pick(&services[k], proto, &other) < 0 || other != *port)
			return -EEXIST;
	}
	return 0;
}
