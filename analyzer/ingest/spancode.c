/* spancode — the integer codes of a span's row (schema 6): names to codes
 * for the import, codes back for the readers. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "spancode.h"
#include "tcpstate.h"

int spancode_kind(const char *proto, int family, const char *state)
{
	int p, st;

	if (!strcmp(proto, "tcp"))
		p = 0;
	else if (!strcmp(proto, "udp"))
		p = 1;
	else if (!strcmp(proto, "raw"))
		p = 2;
	else
		return -EINVAL;
	if (!strcmp(state, "UNCONN"))
		st = SPANCODE_UNCONN;
	else if (!strcmp(state, "UNKNOWN"))
		st = 0;
	else if ((st = tcpstate_parse(state, strlen(state))) <= 0 || st >= ST_NEW_SYN_RECV ||
		 strcmp(tcpstate_db_name(IPPROTO_TCP, st), state) != 0)
		return -EINVAL; /* only the names the database stores */
	return st << 3 | p << 1 | (family == 6);
}

int spancode_proto(int64_t kind)
{
	switch ((kind >> 1) & 3) {
	case 0:
		return IPPROTO_TCP;
	case 1:
		return IPPROTO_UDP;
	default:
		return IPPROTO_RAW;
	}
}

int spancode_ipv4(const char *text, size_t len, int64_t *v)
{
	uint32_t x = 0, part = 0;
	unsigned dots = 0, digits = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (c >= '0' && c <= '9' && digits < 3 && !(digits == 1 && part == 0)) {
			/* canonical only: no leading zero, so the text comes back */
			part = part * 10 + (uint32_t)(c - '0');
			digits++;
		} else if (c == '.' && digits && dots < 3 && part <= 255) {
			x = x << 8 | part;
			part = 0;
			digits = 0;
			dots++;
		} else {
			return 0;
		}
	}
	if (dots != 3 || !digits || part > 255)
		return 0;
	x = x << 8 | part;
	*v = (int64_t)(int32_t)x;
	return 1;
}
