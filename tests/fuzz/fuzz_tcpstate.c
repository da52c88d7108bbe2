/* Fuzz target for common/tcpstate: any bytes as a state spelling and as the
 * /proc hex field; an accepted state's names must parse back to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	int st = tcpstate_parse(s, size);

	if (st >= 0) {
		const char *n = tcpstate_name(st), *ss = tcpstate_ss_name(st);
		if (st <= ST_UNKNOWN || st >= ST_MAX_ || st == ST_NEW_SYN_RECV)
			abort();   /* parse normalises NEW_SYN_RECV to SYN_RECV */
		if (tcpstate_parse(n, strlen(n)) != st || tcpstate_parse(ss, strlen(ss)) != st)
			abort();
	}
	st = tcpstate_from_hex(s, size);
	if (st >= 0 && (size != 2 || st <= ST_UNKNOWN || st >= ST_MAX_))
		abort();
	return 0;
}
