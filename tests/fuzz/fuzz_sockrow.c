/* fuzz_sockrow — sockrow_from_tsv of arbitrary bytes. The encoding is
 * canonical: an accepted line must be exactly what to_tsv writes for the
 * row it decodes to. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf scratch = BUF_INIT, out = BUF_INIT, scratch2 = BUF_INIT, out2 = BUF_INIT;
	struct sock_row r, r2;
	const char *what = NULL;
	size_t len = size;
	int rc;

	rc = sockrow_from_tsv((const char *)data, size, &r, &scratch, &what);
	if (rc < 0 && !what)
		abort();
	if (rc != 0)
		goto out;
	if (sockrow_to_tsv(&r, &out) != 0)
		abort();
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (out.len != len + 1 || memcmp(out.data, data, len) != 0)
		abort();
	if (sockrow_from_tsv(out.data, out.len, &r2, &scratch2, &what) != 0 ||
	    sockrow_to_tsv(&r2, &out2) != 0 || out2.len != out.len ||
	    memcmp(out2.data, out.data, out.len) != 0)
		abort();
out:
	buf_fini(&scratch);
	buf_fini(&scratch2);
	buf_fini(&out);
	buf_fini(&out2);
	return 0;
}
