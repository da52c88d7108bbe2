/* tcpstate — TCP state numbers and every spelling of them: kernel enum,
 * /proc hex, net-tools (SYN_RECV), iproute2 ss (SYN-RECV), BSD (SYN_RCVD),
 * Windows (SYN_RECEIVED, LISTENING), the article's grep prefix (SYN_REC). */
#ifndef SOCKSCOPE_TCPSTATE_H
#define SOCKSCOPE_TCPSTATE_H

#include <stddef.h>

/* Kernel numbering (include/net/tcp_states.h). */
enum tcp_st {
	ST_UNKNOWN = 0,
	ST_ESTABLISHED = 1,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_TIME_WAIT,
	ST_CLOSE,
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_LISTEN,
	ST_CLOSING,
	ST_NEW_SYN_RECV,   /* request socket; reported as SYN_RECV everywhere */
	ST_MAX_
};

/* Canonical name, net-tools spelling: "ESTABLISHED", "SYN_RECV", "FIN_WAIT1",
 * ..., "CLOSE"; NEW_SYN_RECV -> "SYN_RECV"; unknown -> "UNKNOWN". */
const char *tcpstate_name(int st);
/* The spelling the database's sockets table stores (docs/SCHEMA.md) and
 * the filters compare with: net-tools names, SYN_RECV for request sockets,
 * UNCONN for unconnected UDP/raw (proto is an IPPROTO_ number). */
const char *tcpstate_db_name(int proto, int state);
/* iproute2 ss spelling: "ESTAB", "SYN-RECV", "FIN-WAIT-1", "UNCONN" (CLOSE),
 * "TIME-WAIT", "LISTEN", ... */
const char *tcpstate_ss_name(int st);
/* Parses any platform's spelling, case-insensitively and with '-' and '_'
 * interchangeable, exactly s[0..len) (no surrounding blanks):
 * net-tools, ss, BSD/macOS (SYN_RCVD, FIN_WAIT_1, CLOSED), Windows
 * (LISTENING, SYN_RECEIVED, DELETE_TCB -> ST_CLOSE, ...), RFC 793
 * (SYN-RECEIVED), UDP "UNCONN" (-> ST_CLOSE), and the prefix "SYN_REC"
 * used by the article.
 * Returns the state (NEW_SYN_RECV normalised to ST_SYN_RECV) or -EINVAL. */
int tcpstate_parse(const char *s, size_t len);
/* Parses the /proc/net/tcp "st" field: exactly two hex digits, either case.
 * Returns 1..12 as is (0C stays ST_NEW_SYN_RECV: callers that count SYN_RECV
 * must fold it) or -EINVAL, also for 00 and values above 0C. */
int tcpstate_from_hex(const char *s, size_t len);

#endif
