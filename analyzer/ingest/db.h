/* db — the analyzer's SQLite database: open with pragmas, schema migrations
 * (schema/NNN_*.sql embedded at build time, PRAGMA user_version) and the
 * SQL functions every connection gets (sqlfn.h). */
#ifndef SOCKSCOPE_DB_H
#define SOCKSCOPE_DB_H

#include <stddef.h>

#include <sqlite3.h>

struct db_migration {
	int version;        /* user_version after this migration (NNN) */
	const char *name;   /* "001_init" */
	const char *sql;
};

/* schema/embed.sh output: in order, terminated by { 0, NULL, NULL }. */
extern const struct db_migration schema_migrations[];

/* The default database file when neither -d nor SOCKSCOPE_DB says. */
#define DB_DEFAULT_PATH "sockscope.db"

enum db_mode {
	DB_READWRITE,   /* create if missing, migrate, WAL */
	DB_READONLY,    /* must exist and be current; no writes possible;
	                 * read as it is (immutable) when neither the file
	                 * nor its directory is writable (read-only media) */
	DB_MEMORY,      /* private in-memory database, migrated */
};

/* Opens (creating and migrating as the mode says) the database at path and
 * registers the SQL functions. On failure *db is NULL, err holds why, and
 * the return is negative (-ENOENT missing, -EPROTO newer schema than this
 * build knows, -EIO other SQLite errors). Caller closes with db_close. */
int db_open(const char *path, enum db_mode mode, sqlite3 **db, char *err, size_t errsz);
/* Like db_open with DB_READWRITE but applies migrations only up to
 * `version` (tests build "older" databases with it). */
int db_open_at_version(const char *path, int version, sqlite3 **db, char *err, size_t errsz);
void db_close(sqlite3 *db);   /* NULL is a no-op */

/* Another read-only connection to a database db_open opened read-only,
 * opened the same way (immutable on read-only media): filename is
 * sqlite3_db_filename() of that connection. An SQLite result code; *out
 * is closed with sqlite3_close either way. */
int db_open_reader(const char *filename, sqlite3 **out);

/* Makes db refuse, at prepare time, every statement that would write or
 * create a file: ATTACH (a new file), VACUUM (INTO a new file), and any
 * change to the database. For `sockscope query`, whose SQL is the user's. */
void db_deny_writes(sqlite3 *db);

/* Highest version the embedded migrations reach. */
int db_schema_version(void);

/* Runs one statement without results; 0 or -EIO with err set. */
int db_exec(sqlite3 *db, const char *sql, char *err, size_t errsz);

#endif
