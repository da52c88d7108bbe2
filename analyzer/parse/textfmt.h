/* textfmt — the interface every parser of a foreign text dump implements
 * (Linux netstat, ss, /proc/net, BSD/macOS netstat, Windows netstat), the
 * table of those parsers and format detection. Pure: lines in, rows out. */
#ifndef SOCKSCOPE_TEXTFMT_H
#define SOCKSCOPE_TEXTFMT_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "hostport.h"
#include "lines.h"
#include "sockrow.h"
#include "token.h"

/* Longest line a parser is handed: the line reader's bound (lines.h reports
 * longer ones as bad and skips them). The parsers sit above the reader. */
#define TEXTFMT_LINE_MAX LINES_MAX

/* How surely a line belongs to a format (textfmt.probe). */
enum textfmt_probe {
	TEXTFMT_PROBE_NO = 0,     /* this format never writes such a line */
	TEXTFMT_PROBE_MAYBE = 1,  /* a blank-ish, title or row shape others share */
	TEXTFMT_PROBE_SURE = 2,   /* a header or row only this format writes */
};

struct textfmt {
	const char *name;      /* --format name: "netstat", "ss", "proc", "bsd", "windows" */
	const char *summary;   /* one line for --help */
	size_t state_size;     /* bytes of parser state the caller provides,
	                        * suitably aligned (fixed size: no allocation) */
	/* Format detection: how surely `line` (no '\n', no '\r') is this
	 * format's. Stateless. */
	int (*probe)(const char *line, size_t len);
	/* Starts a new dump (a file, or one dump of a cron log). name_hint is
	 * the file name when known (NULL otherwise); the /proc parser uses it
	 * to tell tcp from udp when no header line says. */
	void (*begin)(void *state, const char *name_hint);
	/* One line: UTF-8, no '\n', no '\r', len <= TEXTFMT_LINE_MAX. lineno is
	 * 1-based, for sink->bad. Rows go to sink->row (program borrowed: valid
	 * during the call); malformed lines to sink->bad. Returns 0 or the
	 * negative errno sink->row returned. */
	int (*line)(void *state, const char *line, size_t len, size_t lineno,
		    const struct row_sink *sink);
	/* End of the dump: emits a row still held back (an ss row wrapped
	 * onto the next line, a Windows -b row waiting for its program line).
	 * Returns 0 or sink->row's negative errno. */
	int (*end)(void *state, const struct row_sink *sink);
	/* Optional (NULL: nothing to say). After end(): the header columns this
	 * dump had that the parser does not know and skipped, as one line
	 * ("Flowhash, R-HIWA"), or NULL when none. Valid until begin(). */
	const char *(*skipped)(const void *state);
};

extern const struct textfmt textfmt_netstat;   /* textfmt_netstat.c */
extern const struct textfmt textfmt_ss;        /* textfmt_ss.c */
extern const struct textfmt textfmt_proc;      /* textfmt_proc.c */
extern const struct textfmt textfmt_bsd;       /* textfmt_bsd.c */
extern const struct textfmt textfmt_windows;   /* textfmt_windows.c */

/* All of the above, NULL-terminated, in --help order. */
extern const struct textfmt *const textfmt_all[];

/* The format called `name`, or NULL. */
const struct textfmt *textfmt_find(const char *name);

/* Detects the format of a dump from its first lines: text[0..len) is UTF-8
 * with '\n' line ends (CRs before them are ignored; a last line without
 * '\n' is looked at too). Lines that are `date` output (dateline.h) are skipped. Returns
 * the format with the highest score, or NULL when no format scores a SURE
 * line (or the two best tie). */
const struct textfmt *textfmt_detect(const char *text, size_t len);

/* ---- helpers shared by the parsers (tokens: token.h) ---------------------- */

/* What a parser's row parse decided, sent on: `why` (what was expected) to
 * sink->bad for line lineno, or else r to sink->row. Returns 0 or what
 * sink->row returned. */
int textfmt_emit(const struct row_sink *sink, size_t lineno, const char *why,
		 const struct sock_row *r);
/* textfmt.end of parsers that hold no row back: 0. */
int textfmt_end_nothing(void *state, const struct row_sink *sink);

/* Header columns a parser skipped: their names, each kept once, joined by
 * ", " into a fixed buffer (what does not fit is left out, with "..."). */
#define TEXTFMT_SKIPPED_MAX 160
struct textfmt_skipped {
	char text[TEXTFMT_SKIPPED_MAX];
	size_t len;
};
/* Adds name[0..len) unless it is there already. */
void textfmt_skipped_add(struct textfmt_skipped *sk, const char *name, size_t len);

/* Longest host name a row keeps from a dump saved without -n (DNS names are
 * at most 253 bytes: hostport_parse_names refuses longer ones). */
#define TEXTFMT_HOST_MAX 256
/* What names mode found in one endpoint, kept for the row: the service-name
 * bit added to *named and, for a host name, the name copied into host
 * (TEXTFMT_HOST_MAX bytes, cut to fit) with *hostp pointing at it. */
void textfmt_keep_names(const struct hostport_names *nm, char *host, const char **hostp,
			uint8_t *named);
/* A row's family is its addresses': old net-tools and NetBSD/OpenBSD print
 * "tcp" for IPv6 sockets, as the kernel would not. Then an IPv4 address in
 * the row is v4-mapped, and '*' (found IPv4) the IPv6 wildcard. */
void textfmt_settle_family(struct sock_row *r);

/* Fills r with "unknown" for everything a dump does not say: zeroes, pid 0,
 * program NULL and r->unknown = SOCKROW_UNKNOWN_ALL. Parsers call it first,
 * then fill (and clear the unknown bits of) what the line says. */
void textfmt_row_init(struct sock_row *r);

#endif
