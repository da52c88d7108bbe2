/* fuzz_import — any file through the whole import (codec sniffing, UTF-16,
 * line splitting, format detection, every parser, segment reader, store)
 * into an in-memory database: the import never fails the database, and what
 * `sources` says matches what the tables hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzdb.h"
#include "db.h"
#include "import.h"
#include "textfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static FILE *devnull;
	struct import_opts o = {.show_errors = 3, .quiet = true, .have_at = true, .at = 0};
	struct importer *im;
	sqlite3 *db;
	char err[256];
	FILE *f;
	int rc;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		snprintf(path, sizeof path, "/dev/shm/sst-fuzz-import.%d", (int)getpid());
	}
	if (size > 1 && data[0] == 'F') {
		/* steer the format now and then: "Fss\n..." */
		static char fmt[16];
		const uint8_t *nl = memchr(data, '\n', size < 16 ? size : 16);

		if (nl) {
			memcpy(fmt, data + 1, (size_t)(nl - data - 1));
			fmt[nl - data - 1] = '\0';
			if (!strcmp(fmt, "segment") || textfmt_find(fmt))
				o.format = fmt;
		}
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (db_open(NULL, DB_MEMORY, &db, err, sizeof err) != 0)
		abort();
	if (importer_new(db, &o, devnull, &im, err, sizeof err) != 0)
		abort();
	rc = importer_path(im, path);
	if (rc < 0)
		abort();   /* a database failure: never from input alone */
	if (fuzz_scalar(db, "SELECT count(*) FROM sockets") !=
	    fuzz_scalar(db, "SELECT coalesce(sum(sockets), 0) FROM sources"))
		abort();
	if (fuzz_scalar(db, "SELECT count(*) FROM snapshots") !=
	    fuzz_scalar(db, "SELECT coalesce(sum(snapshots), 0) FROM sources"))
		abort();
	if (fuzz_scalar(db, "SELECT count(*) FROM snapshots s WHERE sockets !="
		       " (SELECT count(*) FROM sockets WHERE snapshot_id = s.id)") != 0)
		abort();
	importer_free(im);
	db_close(db);
	unlink(path);
	return 0;
}
