/* chhttp — ClickHouse's HTTP interface over libcurl: one query (text in the
 * URL's query= parameter, an optional body such as INSERT data), the answer
 * in a buffer, and failures sorted into what a caller can do about them. */
#ifndef SOCKSCOPE_CHHTTP_H
#define SOCKSCOPE_CHHTTP_H

#include <stddef.h>

#include "buf.h"

struct chhttp_conf {
	const char *url;        /* http[s]://host:port[/], no credentials in it */
	const char *user;       /* NULL: the server's default user */
	const char *key;        /* password, sent in X-ClickHouse-Key only */
	long timeout_s;         /* whole request; 0: 300 */
	const char *settings;   /* URL parameters added to each request
	                         * ("insert_distributed_sync=1"), or NULL */
};

struct chhttp;

/*
 * Errors of chhttp_query (err holds one line, never the credentials):
 *   -EAGAIN        the server is unreachable, timed out or answered 5xx for
 *                  a reason that may pass (connection refused, reset): retry
 *   -EACCES        authentication refused (HTTP 401/403, codes 192, 193, 516)
 *   -EINVAL        a bad URL (malformed, unsupported scheme, unknown host)
 *   -EBADMSG       the server refused the query (its exception text in err)
 *   -ENOMEM
 */
int chhttp_new(const struct chhttp_conf *c, struct chhttp **out, char *err, size_t errsz);
void chhttp_free(struct chhttp *h);   /* NULL is a no-op */

/* Runs query with body[0..len) as the POST body (NULL: the query itself is
 * the body). The answer replaces resp's content. 0 or an error above. */
int chhttp_query(struct chhttp *h, const char *query, const char *body, size_t len,
		 struct buf *resp, char *err, size_t errsz);

#endif
