/* db — opening the analyzer's database: pragmas, migrations in one
 * transaction each, SQL functions. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "sqlfn.h"

/* How long a writer waits for another one's transaction: 10 minutes. */
#define DB_WRITE_WAIT_MS (10 * 60 * 1000)

static void set_err(char *err, size_t errsz, const char *what, sqlite3 *db)
{
	if (err && errsz)
		snprintf(err, errsz, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

int db_exec(sqlite3 *db, const char *sql, char *err, size_t errsz)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err && errsz)
			snprintf(err, errsz, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* db_exec, retried while another connection holds the lock SQLite does not
 * wait for with its busy handler: switching a new file to WAL, or
 * recovering a WAL another process is opening at the same moment.
 * Bounded: about 10 s. */
static int exec_busy(sqlite3 *db, const char *sql, char *err, size_t errsz)
{
	int rc = -EIO;

	for (int i = 0; i < 1000; i++) {
		rc = db_exec(db, sql, err, errsz);
		if (rc == 0 || ((sqlite3_errcode(db) & 0xff) != SQLITE_BUSY &&
				(sqlite3_errcode(db) & 0xff) != SQLITE_LOCKED))
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return rc;
}

int db_schema_version(void)
{
	int v = 0;

	for (const struct db_migration *m = schema_migrations; m->sql; m++)
		v = m->version;
	return v;
}

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*v = sqlite3_column_int(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Schema 4 stores spans, which only an import can build (chains need what
 * C decides from each snapshot's interval and sequence): a database of an
 * older schema that holds snapshots is refused, with how to re-import. */
#define DB_SPANS_VERSION 4

static int refuse_rows(sqlite3 *db, int have, const char *path, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	bool rows;

	if (have < 1 || have >= DB_SPANS_VERSION)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM snapshots)", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;   /* no snapshots table: nothing to lose */
	rows = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!rows)
		return 0;
	snprintf(err, errsz,
		 "%s%sschema version %d stores one row per socket per snapshot; this sockscope"
		 " stores spans (schema %d) and cannot convert it: import its sources into a new"
		 " database (sockscope import -d NEW.db PATH...; sqlite3 OLD.db"
		 " 'SELECT path FROM sources' lists them)",
		 path ? path : "", path ? ": " : "", have, DB_SPANS_VERSION);
	return -EPROTO;
}

/* Applies each migration newer than the database, up to `upto`, each in its
 * own transaction together with its user_version bump, so a failure leaves
 * the database at the last complete version. Another process may be
 * creating or migrating the same file at the same moment (two imports into
 * a new database): BEGIN IMMEDIATE waits for it (busy timeout), and the
 * version is read again inside the transaction, so a migration another
 * process applied meanwhile is not applied twice. */
static int migrate(sqlite3 *db, const char *path, int upto, char *err, size_t errsz)
{
	int have, rc;

	for (;;) {
		const struct db_migration *next = NULL;
		char bump[64];

		rc = exec_busy(db, "BEGIN IMMEDIATE", err, errsz);
		if (rc < 0)
			return rc;
		if (user_version(db, &have) < 0) {
			set_err(err, errsz, "reading the schema version", db);
			rc = -EIO;
			goto fail;
		}
		if (have > db_schema_version()) {
			snprintf(err, errsz,
				 "schema version %d is newer than this sockscope knows (%d): upgrade sockscope",
				 have, db_schema_version());
			rc = -EPROTO;
			goto fail;
		}
		for (const struct db_migration *m = schema_migrations; m->sql && !next; m++)
			if (m->version > have && m->version <= upto)
				next = m;
		if (next && next->version == DB_SPANS_VERSION &&
		    (rc = refuse_rows(db, have, path, err, errsz)) < 0)
			goto fail;
		if (!next)
			return db_exec(db, "COMMIT", err, errsz);
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", next->version);
		rc = db_exec(db, next->sql, err, errsz);
		if (rc == 0)
			rc = db_exec(db, bump, err, errsz);
		if (rc == 0)
			rc = db_exec(db, "COMMIT", err, errsz);
		if (rc < 0) {
			char why[256];

			snprintf(why, sizeof why, "%s", err ? err : "");
			snprintf(err, errsz, "migration %s: %s", next->name, why);
			goto fail;
		}
	}
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Whether path's directory lets this process create files in it (the -shm
 * and -wal files a WAL database needs even to be read). */
static bool dir_writable(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash)
		return access(".", W_OK) == 0;
	if ((size_t)(slash - path) >= sizeof dir)
		return false;
	snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return access(dir, W_OK) == 0;
}

/* "file:PATH?immutable=1" with PATH percent-encoded: SQLite reads the file
 * as it is, taking no locks and creating no -shm or -wal. 0, or -ENAMETOOLONG. */
static int immutable_uri(const char *path, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o;

	/* "file://" then an absolute path: the authority stays empty */
	o = (size_t)snprintf(out, n, "%s", path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (o + 4 >= n)
			return -ENAMETOOLONG;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-", *p)) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (o + sizeof "?immutable=1" > n)
		return -ENAMETOOLONG;
	memcpy(out + o, "?immutable=1", sizeof "?immutable=1");
	return 0;
}

/* How a read-only open reads path: as it is (immutable) on read-only media,
 * where the database is at rest and the -shm/-wal files a WAL database needs
 * cannot be created; normally (sharing the WAL with a running import)
 * everywhere else, and wherever a -wal file still holds transactions (they
 * are part of the database: immutable would not see them). */
static bool read_immutable(const char *path)
{
	char wal[4096];
	struct stat st;

	if (access(path, W_OK) == 0 && dir_writable(path))
		return false;
	if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal)
		return false;
	return stat(wal, &st) != 0 || st.st_size == 0;
}

int db_open_reader(const char *filename, sqlite3 **out)
{
	char uri[8192];
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;

	*out = NULL;
	if (sqlite3_uri_boolean(filename, "immutable", 0)) {
		if (immutable_uri(filename, uri, sizeof uri) < 0)
			return SQLITE_CANTOPEN;
		return sqlite3_open_v2(uri, out, flags | SQLITE_OPEN_URI, NULL);
	}
	return sqlite3_open_v2(filename, out, flags, NULL);
}

static int open_at(const char *path, enum db_mode mode, int upto, sqlite3 **out, char *err,
		   size_t errsz)
{
	sqlite3 *db = NULL;
	const char *open_path = mode == DB_MEMORY ? ":memory:" : path;
	char uri[8192];
	int flags, rc = -EIO, have;

	*out = NULL;
	if (mode == DB_READONLY && access(path, F_OK) != 0) {
		snprintf(err, errsz, "%s: no such database (import something first)", path);
		return -ENOENT;
	}
	flags = mode == DB_READONLY ? SQLITE_OPEN_READONLY
				    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOFOLLOW * (mode != DB_MEMORY);
	/* one connection, one thread: SQLite's own mutexes are pure cost */
	flags |= SQLITE_OPEN_NOMUTEX;
	if (mode == DB_READONLY && read_immutable(path)) {
		if (immutable_uri(path, uri, sizeof uri) < 0) {
			snprintf(err, errsz, "%s: path too long", path);
			return -ENAMETOOLONG;
		}
		open_path = uri;
		flags |= SQLITE_OPEN_URI;
	}
	if (sqlite3_open_v2(open_path, &db, flags, NULL) != SQLITE_OK) {
		set_err(err, errsz, path, db);
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	/* An import holds the write lock for one whole source (minutes for a
	 * big segment): another import, e.g. the next cron run, waits for it
	 * rather than failing. Readers of a WAL database are not blocked. */
	sqlite3_busy_timeout(db, mode == DB_READWRITE ? DB_WRITE_WAIT_MS : 10000);
	if (sqlfn_register(db) != SQLITE_OK) {
		set_err(err, errsz, "registering SQL functions", db);
		goto out;
	}
	if (mode == DB_READONLY) {
		if (user_version(db, &have) < 0) {
			set_err(err, errsz, path, db);
			goto out;
		}
		if (have > db_schema_version()) {
			snprintf(err, errsz,
				 "%s: schema version %d is newer than this sockscope knows (%d): upgrade sockscope",
				 path, have, db_schema_version());
			rc = -EPROTO;
			goto out;
		}
		if ((rc = refuse_rows(db, have, path, err, errsz)) < 0)
			goto out;
		if (have != db_schema_version()) {
			snprintf(err, errsz,
				 "%s: schema version %d, this sockscope needs %d: run an import to migrate it",
				 path, have, db_schema_version());
			rc = -EPROTO;
			goto out;
		}
		rc = db_exec(db, "PRAGMA query_only = 1", err, errsz);
		goto out;
	}
	/* WAL: readers (reports) never block an import; NORMAL is durable at
	 * checkpoints, and an import is one transaction per source anyway. */
	rc = db_exec(db,
		     "PRAGMA page_size = 16384; PRAGMA synchronous = NORMAL;"
		     "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -1024;"
		     "PRAGMA temp_store = MEMORY",
		     err, errsz);
	if (rc == 0 && mode != DB_MEMORY)
		rc = exec_busy(db, "PRAGMA journal_mode = WAL", err, errsz);
	if (rc == 0)
		rc = migrate(db, mode == DB_MEMORY ? NULL : path, upto, err, errsz);
out:
	if (rc < 0) {
		sqlite3_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

int db_open(const char *path, enum db_mode mode, sqlite3 **db, char *err, size_t errsz)
{
	return open_at(path, mode, db_schema_version(), db, err, errsz);
}

int db_open_at_version(const char *path, int version, sqlite3 **db, char *err, size_t errsz)
{
	return open_at(path, DB_READWRITE, version, db, err, errsz);
}

void db_close(sqlite3 *db)
{
	if (db)
		sqlite3_close(db);
}

/* Everything a query may do is read: a write, a new file (ATTACH, VACUUM
 * INTO, which attaches its target) or a schema change is denied before
 * the statement runs, so nothing is created even when it would fail. */
static int deny_writes(void *ctx, int action, const char *a, const char *b, const char *dbname,
		       const char *trigger)
{
	(void)ctx;
	(void)a;
	(void)b;
	(void)dbname;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
	case SQLITE_PRAGMA:        /* query_only holds the pragmas that write */
	case SQLITE_TRANSACTION:   /* a read transaction over several statements */
	case SQLITE_SAVEPOINT:
		return SQLITE_OK;
	default:
		return SQLITE_DENY;
	}
}

void db_deny_writes(sqlite3 *db)
{
	sqlite3_set_authorizer(db, deny_writes, NULL);
}
