/* peerscan — the quick reading of one line of a Linux net-tools `netstat`
 * dump (-ntu, -na: not -W, -e, -p, -o) for `sockscope top -`: a row's peer,
 * ports, protocol and state, a title or header, or "not sure". Pure. */
#ifndef SOCKSCOPE_PEERSCAN_H
#define SOCKSCOPE_PEERSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Longest line peerscan reads: net-tools' rows are 80 columns, so 200
 * lines fit in the 64 KiB format detection looks at (peercount relies on
 * it to see the lines detection sees). */
#define PEERSCAN_LINE_MAX 256

enum peerscan_kind {
	PEERSCAN_OTHER = 0,    /* not sure: the general path must read the dump */
	PEERSCAN_TITLE,        /* "Active Internet connections (...)" */
	PEERSCAN_HEADER,       /* "Proto Recv-Q Send-Q Local Address Foreign Address State" */
	PEERSCAN_ROW,
};

/* A row as the netstat parser (textfmt_netstat) and the store would give
 * it to a report: the peer folded (an IPv4-mapped peer is IPv4). */
struct peerscan_row {
	struct addr peer;
	uint16_t lport, rport;
	uint8_t proto;         /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t state;         /* enum tcp_st (ST_CLOSE: an unconnected UDP socket) */
};

/* Classifies line[0..len) (no '\n'). A line is only a TITLE, HEADER or ROW
 * when the netstat parser reads it so (a row: five or six plain tokens,
 * numeric endpoints, a state the store accepts), with no complaint, and it
 * is no date line; anything else, and any byte outside printable ASCII and
 * space, is OTHER. r is set for a ROW. */
enum peerscan_kind peerscan_line(const char *line, size_t len, struct peerscan_row *r);

#endif
