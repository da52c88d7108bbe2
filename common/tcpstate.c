/* tcpstate — names of the twelve kernel TCP states and the parser for every
 * platform's spelling of them. */
#include "tcpstate.h"

#include "num.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

static const char *const names[ST_MAX_] = {
	[ST_UNKNOWN] = "UNKNOWN",
	[ST_ESTABLISHED] = "ESTABLISHED",
	[ST_SYN_SENT] = "SYN_SENT",
	[ST_SYN_RECV] = "SYN_RECV",
	[ST_FIN_WAIT1] = "FIN_WAIT1",
	[ST_FIN_WAIT2] = "FIN_WAIT2",
	[ST_TIME_WAIT] = "TIME_WAIT",
	[ST_CLOSE] = "CLOSE",
	[ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[ST_LAST_ACK] = "LAST_ACK",
	[ST_LISTEN] = "LISTEN",
	[ST_CLOSING] = "CLOSING",
	[ST_NEW_SYN_RECV] = "SYN_RECV",
};

static const char *const ss_names[ST_MAX_] = {
	[ST_UNKNOWN] = "UNKNOWN",
	[ST_ESTABLISHED] = "ESTAB",
	[ST_SYN_SENT] = "SYN-SENT",
	[ST_SYN_RECV] = "SYN-RECV",
	[ST_FIN_WAIT1] = "FIN-WAIT-1",
	[ST_FIN_WAIT2] = "FIN-WAIT-2",
	[ST_TIME_WAIT] = "TIME-WAIT",
	[ST_CLOSE] = "UNCONN",
	[ST_CLOSE_WAIT] = "CLOSE-WAIT",
	[ST_LAST_ACK] = "LAST-ACK",
	[ST_LISTEN] = "LISTEN",
	[ST_CLOSING] = "CLOSING",
	[ST_NEW_SYN_RECV] = "SYN-RECV",
};

/* Spellings after folding case and '-' to '_' (ss and RFC 793 use hyphens,
 * everyone else underscores). */
static const struct {
	const char *name;
	int st;
} spellings[] = {
	{"ESTABLISHED", ST_ESTABLISHED},   /* net-tools, BSD, Windows */
	{"ESTAB", ST_ESTABLISHED},         /* ss */
	{"SYN_SENT", ST_SYN_SENT},
	{"SYN_RECV", ST_SYN_RECV},         /* net-tools, ss */
	{"SYN_RCVD", ST_SYN_RECV},         /* BSD, macOS */
	{"SYN_RECEIVED", ST_SYN_RECV},     /* Windows, RFC 793 */
	{"SYN_REC", ST_SYN_RECV},          /* the article's grep pattern */
	{"NEW_SYN_RECV", ST_SYN_RECV},     /* kernel name of request sockets */
	{"FIN_WAIT1", ST_FIN_WAIT1},       /* net-tools */
	{"FIN_WAIT_1", ST_FIN_WAIT1},      /* ss, BSD, Windows */
	{"FIN_WAIT2", ST_FIN_WAIT2},
	{"FIN_WAIT_2", ST_FIN_WAIT2},
	{"TIME_WAIT", ST_TIME_WAIT},
	{"CLOSE", ST_CLOSE},               /* net-tools */
	{"CLOSED", ST_CLOSE},              /* BSD, Windows, RFC 793 */
	{"UNCONN", ST_CLOSE},              /* ss, mostly UDP */
	{"DELETE_TCB", ST_CLOSE},          /* Windows, TCB being torn down */
	{"CLOSE_WAIT", ST_CLOSE_WAIT},
	{"LAST_ACK", ST_LAST_ACK},
	{"LISTEN", ST_LISTEN},
	{"LISTENING", ST_LISTEN},          /* Windows */
	{"CLOSING", ST_CLOSING},
};

const char *tcpstate_name(int st)
{
	if (st < 0 || st >= ST_MAX_)
		st = ST_UNKNOWN;
	return names[st];
}

const char *tcpstate_db_name(int proto, int state)
{
	if (state == ST_NEW_SYN_RECV)
		state = ST_SYN_RECV;
	if (proto != IPPROTO_TCP && state == ST_CLOSE)
		return "UNCONN";
	return tcpstate_name(state);
}

const char *tcpstate_ss_name(int st)
{
	if (st < 0 || st >= ST_MAX_)
		st = ST_UNKNOWN;
	return ss_names[st];
}

int tcpstate_parse(const char *s, size_t len)
{
	/* the net-tools names as they are stored and printed, tried by length
	 * and bytes first: this runs once per row of every dump and report */
	static const struct {
		uint8_t len, st;
	} canon[] = {
		{11, ST_ESTABLISHED}, {8, ST_SYN_RECV},   {9, ST_TIME_WAIT}, {6, ST_LISTEN},
		{10, ST_CLOSE_WAIT},  {9, ST_FIN_WAIT1},  {9, ST_FIN_WAIT2}, {8, ST_SYN_SENT},
		{8, ST_LAST_ACK},     {7, ST_CLOSING},    {5, ST_CLOSE},
	};
	char norm[16];

	if (!s || len == 0 || len >= sizeof norm)
		return -EINVAL;
	for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++)
		if (len == canon[i].len && !memcmp(s, names[canon[i].st], len))
			return canon[i].st;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c == '-')
			c = '_';
		norm[i] = c;
	}
	norm[len] = '\0';
	/* An embedded NUL would make strcmp see a shorter word. */
	if (strlen(norm) != len)
		return -EINVAL;
	/* the first letter rules out most spellings without a call: this runs
	 * once per row of every dump */
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		if (spellings[i].name[0] == norm[0] && strcmp(norm, spellings[i].name) == 0)
			return spellings[i].st;
	return -EINVAL;
}

int tcpstate_from_hex(const char *s, size_t len)
{
	int hi, lo, v;

	if (!s || len != 2)
		return -EINVAL;
	hi = num_hexval(s[0]);
	lo = num_hexval(s[1]);
	if (hi < 0 || lo < 0)
		return -EINVAL;
	v = hi << 4 | lo;
	/* 0 and anything past NEW_SYN_RECV are not states the kernel prints. */
	if (v <= ST_UNKNOWN || v >= ST_MAX_)
		return -EINVAL;
	return v;
}
