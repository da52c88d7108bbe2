/* db — opening the analyzer's database: pragmas, migrations in one
 * transaction each, SQL functions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "sqlfn.h"

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

/* Applies each migration newer than the database, up to `upto`, each in its
 * own transaction together with its user_version bump, so a failure leaves
 * the database at the last complete version. */
static int migrate(sqlite3 *db, int upto, char *err, size_t errsz)
{
	int have, rc;

	if (user_version(db, &have) < 0) {
		set_err(err, errsz, "reading the schema version", db);
		return -EIO;
	}
	if (have > db_schema_version()) {
		snprintf(err, errsz,
			 "schema version %d is newer than this sockscope knows (%d): upgrade sockscope",
			 have, db_schema_version());
		return -EPROTO;
	}
	for (const struct db_migration *m = schema_migrations; m->sql; m++) {
		char bump[64];

		if (m->version <= have || m->version > upto)
			continue;
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", m->version);
		rc = db_exec(db, "BEGIN IMMEDIATE", err, errsz);
		if (rc == 0)
			rc = db_exec(db, m->sql, err, errsz);
		if (rc == 0)
			rc = db_exec(db, bump, err, errsz);
		if (rc == 0)
			rc = db_exec(db, "COMMIT", err, errsz);
		if (rc < 0) {
			char why[256];

			snprintf(why, sizeof why, "%s", err ? err : "");
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(err, errsz, "migration %s: %s", m->name, why);
			return rc;
		}
	}
	return 0;
}

static int open_at(const char *path, enum db_mode mode, int upto, sqlite3 **out, char *err,
		   size_t errsz)
{
	sqlite3 *db = NULL;
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
	if (sqlite3_open_v2(mode == DB_MEMORY ? ":memory:" : path, &db, flags, NULL) != SQLITE_OK) {
		set_err(err, errsz, path, db);
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 10000);
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
		     "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384;"
		     "PRAGMA temp_store = MEMORY",
		     err, errsz);
	if (rc == 0)
		rc = migrate(db, upto, err, errsz);
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
