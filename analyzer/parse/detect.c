/* detect — the table of foreign-dump parsers and format detection: every
 * parser scores the first lines, the format with the most sure lines wins. */
#include <string.h>

#include "dateline.h"
#include "dump.h"

const struct dump_format *const dump_formats[] = {
	&dump_netstat, &dump_ss, &dump_proc, &dump_bsd, &dump_windows, NULL,
};

const struct dump_format *dump_format_find(const char *name)
{
	for (size_t i = 0; dump_formats[i]; i++)
		if (!strcmp(dump_formats[i]->name, name))
			return dump_formats[i];
	return NULL;
}

/* Lines looked at: enough to get past titles and a cron log's first date
 * line, few enough that detection stays cheap. */
#define DETECT_LINES 200

const struct dump_format *dump_detect(const char *text, size_t len)
{
	enum { N = sizeof dump_formats / sizeof dump_formats[0] - 1 };
	unsigned sure[N] = {0}, maybe[N] = {0};
	size_t pos = 0, best = N, second = N;
	unsigned lines = 0;

	while (pos < len && lines < DETECT_LINES) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end, l;
		usec_t t;

		/* a last line without '\n' counts too: a cut one only adds noise */
		end = nl ? (size_t)(nl - text) : len;
		l = end - pos;
		if (l > 0 && text[end - 1] == '\r')
			l--;
		lines++;
		if (l > 0 && dateline_parse(text + pos, l, &t) != 0) {
			for (size_t i = 0; i < N; i++) {
				int p = dump_formats[i]->probe(text + pos, l);

				sure[i] += p == DUMP_PROBE_SURE;
				maybe[i] += p == DUMP_PROBE_MAYBE;
			}
		}
		pos = end + 1;
	}
	/* rank by sure lines, then by maybe lines */
	for (size_t i = 0; i < N; i++) {
		if (best == N || sure[i] > sure[best] ||
		    (sure[i] == sure[best] && maybe[i] > maybe[best])) {
			second = best;
			best = i;
		} else if (second == N || sure[i] > sure[second] ||
			   (sure[i] == sure[second] && maybe[i] > maybe[second])) {
			second = i;
		}
	}
	if (best == N || sure[best] == 0)
		return NULL;
	if (second != N && sure[second] == sure[best] && maybe[second] == maybe[best])
		return NULL;   /* a tie: refuse to guess */
	return dump_formats[best];
}
