/* html — text from the data made safe for an HTML page (the termsafe rule,
 * then & < > " ' as entities), and the page around the report: doctype,
 * the Content-Security-Policy that forbids scripts, the inline style. */
#ifndef SOCKSCOPE_HTML_H
#define SOCKSCOPE_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* The policy of every page: nothing may be fetched or run; inline style
 * and data: images only. */
#define HTML_CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
		 "form-action 'none'; base-uri 'none'"

/* Appends the n bytes at s to b as HTML text (fit for an element's content
 * and a quoted attribute value): control, C1 and bidi characters and
 * ill-formed UTF-8 become visible escapes as in a terminal (common/termsafe:
 * \x1b, \u202e), then & < > " ' become &amp; &lt; &gt; &quot; &#39;.
 * 0 or -ENOMEM. */
int html_append(struct buf *b, const char *s, size_t n);

/* s (NUL-terminated; NULL writes nothing) written to f as html_append
 * makes it. 0, -ENOMEM or -EIO. */
int html_puts(FILE *f, const char *s);

/* Writes s to f made safe, inside <tag class="cls">…</tag> (cls NULL: no
 * class). tag and cls are the caller's constants, not data. */
int html_elem(FILE *f, const char *tag, const char *cls, const char *s);

/* The page's head (title escaped) up to the opening <main>. 0 or -EIO. */
int html_begin(FILE *f, const char *title);
/* Closes what html_begin opened. 0 or -EIO. */
int html_end(FILE *f);

#endif
