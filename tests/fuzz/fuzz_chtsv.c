/* Fuzz target: analyzer/fleet/chtsv.c, the reader of ClickHouse answers
 * (untrusted bytes from the network): no overrun, every field a C string
 * within the input's size, an escaped field reads back as written. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chtsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chtsv t;
	int rc;
	unsigned rows = 0;

	chtsv_init(&t, (const char *)data, size);
	while ((rc = chtsv_next(&t)) == 1 && rows++ < 100000) {
		for (size_t i = 0; i < t.n; i++) {
			const char *f = chtsv_field(&t, i);
			int64_t v;
			double d;

			if (f && strlen(f) > size)
				abort();
			if (f) {
				/* the escaper's output reads back to the same field */
				struct buf b = BUF_INIT;
				struct chtsv u;

				if (chtsv_put_str(&b, f) == 0 && buf_putc(&b, '\n') == 0) {
					chtsv_init(&u, b.data, b.len);
					if (chtsv_next(&u) != 1 || u.n != 1 || !chtsv_field(&u, 0) ||
					    strcmp(chtsv_field(&u, 0), f))
						abort();
					chtsv_fini(&u);
				}
				buf_fini(&b);
			}
			(void)chtsv_i64(&t, i, &v);
			(void)chtsv_double(&t, i, &d);
		}
	}
	chtsv_fini(&t);
	return 0;
}
