/* sqlfn — SQL functions registered in every connection, so `sockscope query`
 * users group and filter with the reports' semantics:
 *   subnet(addr, prefix [, prefix6])  canonical CIDR text of the network
 *   in_cidr(addr, cidr)               1 / 0 (NULL for NULL or bad input)
 *   ip_family(addr)                   4 / 6 / NULL
 *   utc(us)                           microsecond time → ISO 8601 UTC text
 *   us(text)                          ISO 8601 text → microseconds
 * IPv4-mapped IPv6 addresses are folded to IPv4 first. */
#ifndef SOCKSCOPE_SQLFN_H
#define SOCKSCOPE_SQLFN_H

#include <sqlite3.h>

/* SQLITE_OK or an SQLite error code. */
int sqlfn_register(sqlite3 *db);

#endif
