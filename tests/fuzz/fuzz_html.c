/* Fuzz target for analyzer/report/html.c: any bytes escaped for HTML must
 * hold no markup character (< > " ' unescaped, & only starting one of the
 * five entities), no control, C1 or bidi character, only valid UTF-8; and a
 * bar chart of them must keep its own tags balanced. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "svgchart.h"
#include "termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const char *s, size_t n, const char *what)
{
	int k = 0;

	for (const char *p = memmem(s, n, what, strlen(what)); p;
	     p = memmem(p + 1, n - (size_t)(p + 1 - s), what, strlen(what)))
		k++;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = BUF_INIT;
	char *name, *mem = NULL;
	size_t len = 0;
	FILE *f;

	if (html_append(&b, (const char *)data, size) < 0)
		abort();
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		const char *p = b.data + i;

		if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\'')
			abort();
		if (c == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
		    strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) && strncmp(p, "&#39;", 5))
			abort();
	}
	if (!termsafe_clean(b.data, b.len, 0))
		abort();
	buf_fini(&b);
	/* the bytes as a name in a chart (cut there at 24 bytes) */
	if (!(name = malloc(size + 1)))
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	if ((f = open_memstream(&mem, &len))) {
		const char *names[1] = {name};
		double v = 1;

		if (svgchart_bars(f, name, names, &v, 1) < 0)
			abort();
		fclose(f);
		if (count(mem, len, "<text") != count(mem, len, "</text>") ||
		    count(mem, len, "<svg") != 1 || count(mem, len, "</svg>") != 1 ||
		    count(mem, len, "<rect") != 1)
			abort();
		free(mem);
	}
	free(name);
	return 0;
}
