/* html — escaping of recorded text for HTML (termsafe's rule, then the five
 * characters HTML gives meaning to) and the page frame: CSP, inline CSS. */
#include <errno.h>
#include <string.h>

#include "html.h"
#include "termsafe.h"

int html_append(struct buf *b, const char *s, size_t n)
{
	struct buf safe;
	int rc;

	buf_init(&safe);
	/* termsafe first: what it writes is printable ASCII escapes and clean
	 * UTF-8, so the entity step below sees no control or bidi character */
	rc = termsafe_append(&safe, s, n, 0);
	for (size_t i = 0; rc == 0 && i < safe.len; i++) {
		switch (safe.data[i]) {
		case '&': rc = buf_puts(b, "&amp;"); break;
		case '<': rc = buf_puts(b, "&lt;"); break;
		case '>': rc = buf_puts(b, "&gt;"); break;
		case '"': rc = buf_puts(b, "&quot;"); break;
		case '\'': rc = buf_puts(b, "&#39;"); break;
		default: rc = buf_putc(b, safe.data[i]); break;
		}
	}
	buf_fini(&safe);
	return rc;
}

int html_puts(FILE *f, const char *s)
{
	struct buf b;
	int rc;

	if (!s)
		return 0;
	buf_init(&b);
	rc = html_append(&b, s, strlen(s));
	if (rc == 0 && b.len && fwrite(b.data, 1, b.len, f) != b.len)
		rc = -EIO;
	buf_fini(&b);
	return rc;
}

int html_elem(FILE *f, const char *tag, const char *cls, const char *s)
{
	int rc;

	if (cls)
		fprintf(f, "<%s class=\"%s\">", tag, cls);
	else
		fprintf(f, "<%s>", tag);
	rc = html_puts(f, s);
	fprintf(f, "</%s>", tag);
	return rc;
}

/* Wide tables scroll inside their own box and long names wrap anywhere, so
 * the body never becomes wider than a phone's screen. */
static const char style[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d232a;background:#fff}"
	"main{max-width:1200px;margin:0 auto;padding:12px}"
	"h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;"
	"border-bottom:1px solid #ccd}h3{font-size:1em;margin:1em 0 .3em}"
	"p,li,td,th,pre,h1,h2,h3,figcaption{overflow-wrap:anywhere;word-break:break-word}"
	".verdict{background:#fff4e5;border-left:4px solid #d9822b;padding:8px 12px}"
	".tbl{overflow-x:auto;max-width:100%}"
	"table{border-collapse:collapse;width:100%;table-layout:fixed;font-size:.92em}"
	"th,td{border-bottom:1px solid #e3e6ea;padding:2px 6px;text-align:left;vertical-align:top}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"th{background:#f3f5f7}"
	"pre{white-space:pre-wrap;background:#f6f8fa;padding:8px;font-size:.85em;max-width:100%}"
	"svg{display:block;width:100%;height:auto;max-width:100%}"
	"svg text{font:11px sans-serif;fill:#333}"
	".pair{display:flex;flex-wrap:wrap;gap:16px}.pair>*{flex:1 1 340px;min-width:0}"
	".meta{color:#555;font-size:.9em}"
	"figure{margin:0 0 12px}figcaption{font-size:.85em;color:#555}"
	".legend span{display:inline-block;margin-right:12px;font-size:.85em}"
	".legend i{display:inline-block;width:10px;height:10px;margin-right:4px}";

int html_begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"" HTML_CSP "\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
	      f);
	if (html_puts(f, title) < 0)
		return -ENOMEM;
	fprintf(f, "</title>\n<style>%s</style>\n</head><body><main>\n", style);
	return ferror(f) ? -EIO : 0;
}

int html_end(FILE *f)
{
	fputs("</main></body></html>\n", f);
	return fflush(f) != 0 || ferror(f) ? -EIO : 0;
}
