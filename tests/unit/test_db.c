/* Unit tests for analyzer/db (migrations, read-only opening), sqlfn (the SQL
 * functions) and store (how rows land in the tables). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db.h"
#include "store.h"
#include "tcpstate.h"

/* The first column of the first row of sql, as text ("NULL" for NULL). */
static char *scalar(sqlite3 *db, const char *sql)
{
	static char out[256];
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row (%s)", sql, sqlite3_errmsg(db));
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		snprintf(out, sizeof out, "NULL");
	else
		snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void tmp_db(char *path, size_t n)
{
	int fd;

	snprintf(path, n, "/tmp/sst-test-db.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
}

static void rm_db(const char *path)
{
	char p[300];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static void test_migrations(void **state)
{
	char path[64], err[256];
	sqlite3 *db;

	(void)state;
	assert_true(db_schema_version() >= 2);
	tmp_db(path, sizeof path);
	/* a read-only open of a missing database says so */
	assert_int_equal(db_open(path, DB_READONLY, &db, err, sizeof err), -ENOENT);
	assert_null(db);
	assert_non_null(strstr(err, "no such database"));

	/* an "older build": schema 1 only, with data in it */
	assert_int_equal(db_open_at_version(path, 1, &db, err, sizeof err), 0);
	assert_string_equal(scalar(db, "PRAGMA user_version"), "1");
	assert_string_equal(scalar(db, "PRAGMA journal_mode"), "wal");
	assert_int_equal(db_exec(db, "INSERT INTO sources (path, sha256, format, bytes, imported_at)"
				     " VALUES ('old', 'abc', 'netstat', 1, 0)", err, sizeof err), 0);
	assert_string_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'raw'"), "0");
	db_close(db);

	/* read-only commands refuse an old schema instead of migrating */
	assert_int_equal(db_open(path, DB_READONLY, &db, err, sizeof err), -EPROTO);
	assert_non_null(strstr(err, "schema version 1"));

	/* a read-write open migrates and keeps the data */
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), 0);
	assert_int_equal(atoi(scalar(db, "PRAGMA user_version")), db_schema_version());
	assert_string_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'raw'"), "1");
	assert_string_equal(scalar(db, "SELECT path FROM sources"), "old");
	db_close(db);

	/* read-only really is read-only */
	assert_int_equal(db_open(path, DB_READONLY, &db, err, sizeof err), 0);
	assert_int_equal(db_exec(db, "DELETE FROM sources", err, sizeof err), -EIO);
	assert_string_equal(scalar(db, "SELECT count(*) FROM sources"), "1");
	db_close(db);

	/* a database from a newer build is refused, untouched */
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), 0);
	assert_int_equal(db_exec(db, "PRAGMA user_version = 999", err, sizeof err), 0);
	db_close(db);
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), -EPROTO);
	assert_non_null(strstr(err, "newer"));
	rm_db(path);
}

static void test_sqlfn(void **state)
{
	char err[256];
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(NULL, DB_MEMORY, &db, err, sizeof err), 0);
	assert_string_equal(scalar(db, "SELECT subnet('198.51.100.77', 24)"), "198.51.100.0/24");
	assert_string_equal(scalar(db, "SELECT subnet('::ffff:198.51.100.77', 24)"), "198.51.100.0/24");
	assert_string_equal(scalar(db, "SELECT subnet('2001:db8:1:2:3::9', 64)"), "2001:db8:1:2::/64");
	assert_string_equal(scalar(db, "SELECT subnet('2001:db8:1:2:3::9', 24, 48)"), "2001:db8:1::/48");
	assert_string_equal(scalar(db, "SELECT subnet('198.51.100.77', 24, 48)"), "198.51.100.0/24");
	assert_string_equal(scalar(db, "SELECT subnet('198.51.100.77', 99)"), "198.51.100.77/32");
	assert_string_equal(scalar(db, "SELECT subnet('not an address', 24)"), "NULL");
	assert_string_equal(scalar(db, "SELECT subnet(NULL, 24)"), "NULL");
	assert_string_equal(scalar(db, "SELECT in_cidr('203.0.113.9', '203.0.113.0/25')"), "1");
	assert_string_equal(scalar(db, "SELECT in_cidr('203.0.113.200', '203.0.113.0/25')"), "0");
	assert_string_equal(scalar(db, "SELECT in_cidr('::ffff:203.0.113.9', '203.0.113.0/24')"), "1");
	assert_string_equal(scalar(db, "SELECT in_cidr('2001:db8::1', '203.0.113.0/24')"), "0");
	assert_string_equal(scalar(db, "SELECT in_cidr('2001:db8::1', 'bogus')"), "NULL");
	assert_string_equal(scalar(db, "SELECT ip_family('::ffff:1.2.3.4')"), "4");
	assert_string_equal(scalar(db, "SELECT ip_family('2001:db8::1')"), "6");
	assert_string_equal(scalar(db, "SELECT ip_family('1.2.3')"), "NULL");
	assert_string_equal(scalar(db, "SELECT utc(1795614840000000)"), "2026-11-25T13:54:00.000000Z");
	assert_string_equal(scalar(db, "SELECT us('2026-11-25T13:54:00Z')"), "1795614840000000");
	assert_string_equal(scalar(db, "SELECT us('yesterday')"), "NULL");
	/* the CIDR parsed once per statement still answers per row */
	assert_string_equal(scalar(db, "WITH a(x) AS (VALUES ('192.0.2.1'), ('192.0.2.200'), ('198.51.100.1'))"
				       " SELECT group_concat(in_cidr(x, '192.0.2.0/25')) FROM a"),
			    "1,0,0");
	db_close(db);
}

static void test_store(void **state)
{
	char err[256];
	sqlite3 *db;
	struct store *s;
	int64_t src, snap, snap2;
	struct sock_row r;

	(void)state;
	assert_int_equal(db_open(NULL, DB_MEMORY, &db, err, sizeof err), 0);
	assert_int_equal(store_new(db, &s, err, sizeof err), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_source_add(s, &(struct store_source){"x", "h1", "ss", 10}, &src), 0);
	assert_int_equal(store_source_find(s, "h1", &snap), 1);
	assert_int_equal(snap, src);
	assert_int_equal(store_source_find(s, "h2", &snap), 0);
	struct store_snapshot ss = {src, "web1", 1795614840000000, "header", 7, "boot", "6.1", "start",
				    10000000, 0, -1};
	assert_int_equal(store_snapshot_add(s, &ss, &snap), 0);
	/* the same recorder snapshot again: recognised, not duplicated */
	assert_int_equal(store_snapshot_add(s, &ss, &snap2), 1);

	/* a dual-stack socket talking to an IPv4 peer, all fields known */
	memset(&r, 0, sizeof r);
	r.proto = IPPROTO_TCP;
	r.family = AF_INET6;
	r.state = ST_NEW_SYN_RECV;
	assert_int_equal(addr_parse("::ffff:192.0.2.1", 16, &r.local), 0);
	assert_int_equal(addr_parse("::ffff:203.0.113.9", 18, &r.remote), 0);
	r.lport = 80;
	r.rport = 40000;
	r.pid = 12;
	r.program = "my app";
	r.timer = 1;
	assert_int_equal(store_socket(s, snap, &r), 0);
	/* unconnected UDP from a dump that says nothing but addresses */
	memset(&r, 0, sizeof r);
	r.unknown = SOCKROW_UNKNOWN_ALL;
	r.proto = IPPROTO_UDP;
	r.family = AF_INET6;
	r.state = ST_CLOSE;
	assert_int_equal(addr_parse("2001:db8::1", 11, &r.local), 0);
	assert_int_equal(addr_parse("2001:db8:0:1::7", 15, &r.remote), 0);
	r.lport = 53;
	assert_int_equal(store_socket(s, snap, &r), 0);
	/* an AF_INET row with an IPv6 address cannot be stored */
	r.family = AF_INET;
	assert_int_equal(store_socket(s, snap, &r), -EINVAL);
	assert_int_equal(store_snapshot_finish(s, snap, 2), 0);
	assert_int_equal(store_source_finish(s, src, "final", 10, 1, 2, 0, NULL), 0);
	assert_int_equal(store_commit(s), 0);

	assert_string_equal(scalar(db, "SELECT laddr || ' ' || raddr || ' ' || family || ' ' || state"
				       " || ' ' || timer || ' ' || program FROM sockets WHERE lport = 80"),
			    "192.0.2.1 203.0.113.9 6 SYN_RECV on my app");
	assert_string_equal(scalar(db, "SELECT rnet FROM sockets WHERE lport = 80"),
			    "3405803785");   /* 203.0.113.9 */
	assert_string_equal(scalar(db, "SELECT state || ' ' || proto || ' ' || coalesce(rxq, 'null') ||"
				       " coalesce(uid, 'null') || coalesce(pid, 'null') || coalesce(timer, 'null')"
				       " FROM sockets WHERE lport = 53"),
			    "UNCONN udp nullnullnullnull");
	assert_string_equal(scalar(db, "SELECT rnet FROM sockets WHERE lport = 53"),
			    "2306139568115548161");   /* 2001:db8:0:1 as 64 bits */
	assert_string_equal(scalar(db, "SELECT sha256 || sockets FROM sources"), "final2");
	/* the first snapshot of its chain (schema 4: spans) */
	assert_string_equal(scalar(db, "SELECT (chain = id) || ' ' || k FROM snapshots"), "1 0");
	assert_string_equal(scalar(db, "SELECT count(*) || ' ' || sum(copies) FROM spans"), "2 2");

	/* another source with the same final hash is refused */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_source_add(s, &(struct store_source){"-", "pending", "ss", 0}, &src), 0);
	assert_int_equal(store_source_finish(s, src, "final", 10, 0, 0, 0, NULL), -EEXIST);
	store_rollback(s);
	assert_string_equal(scalar(db, "SELECT count(*) FROM sources"), "1");
	store_free(s);
	db_close(db);
}

/* One dump snapshot of src at time `when` (time_from from) with rows whose
 * local ports are ports[0..n); its id. */
static int64_t dump_snap(struct store *s, int64_t src, const char *host, int64_t when,
			 const char *from, const uint16_t *ports, size_t n)
{
	struct store_snapshot ss = {src, host, (usec_t)when, from, -1, NULL, NULL, NULL, -1, -1, 1};
	struct sock_row r;
	int64_t id = 0;

	assert_int_equal(store_savepoint(s), 0);
	assert_int_equal(store_snapshot_add(s, &ss, &id), 0);
	for (size_t i = 0; i < n; i++) {
		memset(&r, 0, sizeof r);
		r.unknown = SOCKROW_UNKNOWN_ALL;
		r.proto = IPPROTO_TCP;
		r.family = AF_INET;
		r.state = ST_ESTABLISHED;
		assert_int_equal(addr_parse("192.0.2.1", 9, &r.local), 0);
		assert_int_equal(addr_parse("198.51.100.7", 12, &r.remote), 0);
		r.lport = ports[i];
		r.rport = 40000;
		assert_int_equal(store_socket(s, id, &r), 0);
	}
	assert_int_equal(store_snapshot_finish(s, id, n), 0);
	return id;
}

/* store_snapshot_match: a dump's snapshot is a copy when host, time and
 * rows (in order) match; a guessed time (mtime, now) matches guessed times
 * by host and rows; other rows at the same host and time say 2. */
static void test_snapshot_match(void **state)
{
	static const uint16_t a[] = {80, 443, 22}, b[] = {80, 443, 23}, c[] = {80, 443};
	char err[256], other[64];
	sqlite3 *db;
	struct store *s;
	int64_t src, src2, first, id, o = 0;

	(void)state;
	assert_int_equal(db_open(NULL, DB_MEMORY, &db, err, sizeof err), 0);
	assert_int_equal(store_new(db, &s, err, sizeof err), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_source_add(s, &(struct store_source){"one.txt", "h1", "netstat", 1},
					  &src),
			 0);
	first = dump_snap(s, src, "web1", 1000, "dateline", a, 3);
	assert_int_equal(store_snapshot_match(s, first, false, &o, other, sizeof other), 0);
	assert_int_equal(store_release(s), 0);
	/* within one source a repeat is what the file says: not compared */
	id = dump_snap(s, src, "web1", 1000, "dateline", a, 3);
	assert_int_equal(store_snapshot_match(s, id, false, &o, other, sizeof other), 0);
	assert_int_equal(store_rollback_savepoint(s), 0);
	assert_int_equal(store_source_add(s, &(struct store_source){"two.txt", "h2", "netstat", 1},
					  &src2),
			 0);
	src = src2;
	/* the same rows at the same host and time: a copy, named */
	id = dump_snap(s, src, "web1", 1000, "at", a, 3);
	assert_int_equal(store_snapshot_match(s, id, false, &o, other, sizeof other), 1);
	assert_int_equal(o, first);
	assert_string_equal(other, "one.txt");
	assert_int_equal(store_rollback_savepoint(s), 0);
	/* one field of one row differs, or a row is missing: kept, said */
	id = dump_snap(s, src, "web1", 1000, "dateline", b, 3);
	assert_int_equal(store_snapshot_match(s, id, false, &o, other, sizeof other), 2);
	assert_int_equal(store_rollback_savepoint(s), 0);
	id = dump_snap(s, src, "web1", 1000, "dateline", c, 2);
	assert_int_equal(store_snapshot_match(s, id, false, &o, other, sizeof other), 2);
	assert_int_equal(store_rollback_savepoint(s), 0);
	/* another host, or another time said: not a copy */
	id = dump_snap(s, src, "web2", 1000, "dateline", a, 3);
	assert_int_equal(store_snapshot_match(s, id, false, &o, other, sizeof other), 0);
	assert_int_equal(store_rollback_savepoint(s), 0);
	id = dump_snap(s, src, "web1", 2000, "dateline", a, 3);
	assert_int_equal(store_snapshot_match(s, id, false, &o, other, sizeof other), 0);
	assert_int_equal(store_release(s), 0);
	/* guessed times: a copy of another guessed time with the same rows */
	first = dump_snap(s, src, "web1", 5000, "mtime", a, 3);
	assert_int_equal(store_snapshot_match(s, first, true, &o, other, sizeof other), 0);
	assert_int_equal(store_release(s), 0);
	assert_int_equal(store_source_add(s, &(struct store_source){"three.txt", "h3", "netstat", 1},
					  &src),
			 0);
	id = dump_snap(s, src, "web1", 9000, "now", a, 3);
	assert_int_equal(store_snapshot_match(s, id, true, &o, other, sizeof other), 1);
	assert_int_equal(o, first);
	assert_int_equal(store_rollback_savepoint(s), 0);
	id = dump_snap(s, src, "web1", 9000, "now", b, 3);
	assert_int_equal(store_snapshot_match(s, id, true, &o, other, sizeof other), 0);
	assert_int_equal(store_rollback_savepoint(s), 0);
	assert_int_equal(store_commit(s), 0);
	/* what was undone left no rows behind */
	assert_string_equal(scalar(db, "SELECT count(*) || ' ' || sum(sockets) FROM snapshots"), "3 9");
	assert_string_equal(scalar(db, "SELECT count(*) FROM sockets"), "9");
	store_free(s);
	db_close(db);
}

/* db_deny_writes: reading works; writing, ATTACH and VACUUM INTO are refused
 * and create no file. */
static void test_deny_writes(void **state)
{
	char path[64], err[256], other[96], sql[160];
	sqlite3 *db;

	(void)state;
	tmp_db(path, sizeof path);
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), 0);
	db_close(db);
	assert_int_equal(db_open(path, DB_READONLY, &db, err, sizeof err), 0);
	db_deny_writes(db);
	assert_string_equal(scalar(db, "SELECT count(*) FROM sockets"), "0");
	snprintf(other, sizeof other, "%s.copy", path);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", other);
	assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS x", other);
	assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(access(other, F_OK), 0);
	assert_int_not_equal(sqlite3_exec(db, "CREATE TEMP TABLE t(a)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM sources", NULL, NULL, NULL), SQLITE_OK);
	db_close(db);
	rm_db(path);
}

/* 003_names: a version-2 database with sockets keeps every row and rowid
 * (snapshots.first_socket points at them); laddr/raddr become nullable and
 * lhost, rhost and sources.names appear */
static void test_migration_003(void **state)
{
	char path[64], err[256];
	sqlite3 *db;

	(void)state;
	assert_true(db_schema_version() >= 3);
	tmp_db(path, sizeof path);
	assert_int_equal(db_open_at_version(path, 2, &db, err, sizeof err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO sources (id, path, sha256, format, bytes, imported_at)"
				     " VALUES (1, 'old', 'abc', 'netstat', 1, 0);"
				     "INSERT INTO snapshots (id, source_id, host, time, time_from, sockets,"
				     " first_socket) VALUES (1, 1, 'h', 0, 'at', 2, 7);"
				     "INSERT INTO sockets (rowid, snapshot_id, proto, family, state, laddr,"
				     " lport, raddr, rport, rnet, pid, program) VALUES"
				     " (7, 1, 'tcp', 4, 'LISTEN', '0.0.0.0', 22, '0.0.0.0', 0, 0, 1, 'sshd'),"
				     " (8, 1, 'tcp', 4, 'ESTABLISHED', '192.0.2.1', 22, '198.51.100.7',"
				     " 40000, 3325256711, NULL, NULL)",
				 err, sizeof err),
			 0);
	assert_int_equal(db_exec(db, "INSERT INTO sockets (snapshot_id, proto, family, state, laddr,"
				     " lport, raddr, rport, rnet) VALUES (1, 'tcp', 4, 'LISTEN', NULL, 1, "
				     "'0.0.0.0', 0, 0)",
				 err, sizeof err),
			 -EIO);   /* version 2: laddr NOT NULL */
	db_close(db);
	assert_int_equal(db_open_at_version(path, 3, &db, err, sizeof err), 0);
	assert_int_equal(atoi(scalar(db, "PRAGMA user_version")), 3);
	assert_string_equal(scalar(db, "SELECT group_concat(rowid || ':' || raddr || ':' ||"
				       " coalesce(program, '-'), ' ') FROM sockets"),
			    "7:0.0.0.0:sshd 8:198.51.100.7:-");
	assert_string_equal(scalar(db, "SELECT count(*) FROM sockets WHERE lhost IS NULL AND"
				       " rhost IS NULL"),
			    "2");
	assert_string_equal(scalar(db, "SELECT names FROM sources"), "0");
	assert_int_equal(db_exec(db, "INSERT INTO sockets (snapshot_id, proto, family, state, laddr,"
				     " lport, raddr, rport, rnet, lhost, rhost) VALUES (1, 'tcp', 4,"
				     " 'ESTABLISHED', NULL, 22, NULL, 4000, 0, 'builder', 'client')",
				 err, sizeof err),
			 0);
	assert_string_equal(scalar(db, "SELECT rhost FROM sockets WHERE raddr IS NULL"), "client");
	db_close(db);
	unlink(path);
}

/* 004_spans: a database of one row per socket per snapshot cannot be turned
 * into spans by SQL: one that holds snapshots is refused, read-write and
 * read-only, with how to re-import, and left as it was; an empty one is
 * migrated. */
static void test_migration_004(void **state)
{
	char path[64], err[512];
	sqlite3 *db;

	(void)state;
	assert_true(db_schema_version() >= 4);
	tmp_db(path, sizeof path);
	assert_int_equal(db_open_at_version(path, 3, &db, err, sizeof err), 0);
	db_close(db);
	/* empty: migrated */
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), 0);
	assert_int_equal(atoi(scalar(db, "PRAGMA user_version")), db_schema_version());
	assert_string_equal(scalar(db, "SELECT count(*) FROM span_copy"), "1024");
	assert_string_equal(scalar(db, "SELECT type FROM sqlite_master WHERE name = 'sockets'"), "view");
	db_close(db);
	rm_db(path);

	tmp_db(path, sizeof path);
	assert_int_equal(db_open_at_version(path, 3, &db, err, sizeof err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO sources (id, path, sha256, format, bytes, imported_at)"
				     " VALUES (1, 'old', 'abc', 'netstat', 1, 0);"
				     "INSERT INTO snapshots (id, source_id, host, time, time_from, sockets,"
				     " first_socket) VALUES (1, 1, 'h', 0, 'at', 1, 1);"
				     "INSERT INTO sockets (snapshot_id, proto, family, state, laddr, lport,"
				     " raddr, rport, rnet) VALUES (1, 'tcp', 4, 'LISTEN', '0.0.0.0', 22,"
				     " '0.0.0.0', 0, 0)",
				 err, sizeof err),
			 0);
	db_close(db);
	err[0] = '\0';
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), -EPROTO);
	assert_non_null(strstr(err, "schema version 3 stores one row per socket per snapshot"));
	assert_non_null(strstr(err, "import its sources into a new database"));
	err[0] = '\0';
	assert_int_equal(db_open(path, DB_READONLY, &db, err, sizeof err), -EPROTO);
	assert_non_null(strstr(err, "import its sources into a new database"));
	/* untouched */
	assert_int_equal(db_open_at_version(path, 3, &db, err, sizeof err), 0);
	assert_string_equal(scalar(db, "SELECT count(*) FROM sockets"), "1");
	assert_int_equal(atoi(scalar(db, "PRAGMA user_version")), 3);
	db_close(db);
	rm_db(path);
}

/* All rows of sql, "a|b|c" joined by spaces (NULL as "NULL"). */
static char *rows(sqlite3 *db, const char *sql)
{
	static char out[4096];
	sqlite3_stmt *st;
	size_t o = 0;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);

			o += (size_t)snprintf(out + o, sizeof out - o, "%s%s",
					      i ? "|" : o ? " " : "", t ? t : "NULL");
		}
	sqlite3_finalize(st);
	return out;
}

/* 005_counters: a version-4 database's counters become change rows, and
 * the view gives every row back: a reset, a counter absent from one
 * snapshot, a snapshot without counters, two chains, int64's extremes. */
static void test_migration_005(void **state)
{
	static const char *const all = "SELECT * FROM counters ORDER BY 1, 2";
	char path[64], err[512], before[4096];
	sqlite3 *db;

	(void)state;
	assert_true(db_schema_version() >= 5);
	tmp_db(path, sizeof path);
	assert_int_equal(db_open_at_version(path, 4, &db, err, sizeof err), 0);
	assert_int_equal(
		db_exec(db,
			"INSERT INTO sources (id, path, sha256, format, bytes, imported_at)"
			" VALUES (1, 'seg', 'abc', 'segment', 1, 0);"
			"WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 8)"
			" INSERT INTO snapshots (id, source_id, host, time, time_from, chain, k)"
			" SELECT n, 1, 'h', n, 'header', CASE WHEN n <= 5 THEN 1 ELSE 6 END,"
			"  CASE WHEN n <= 5 THEN n - 1 ELSE n - 6 END FROM i;"
			"INSERT INTO counters VALUES (1, 'A', 10), (2, 'A', 10), (3, 'A', 2),"
			" (4, 'A', 2), (5, 'A', 2), (6, 'A', 2), (7, 'A', 2), (8, 'A', 3),"
			" (1, 'B', -9223372036854775808), (2, 'B', 9223372036854775807),"
			" (4, 'B', 9223372036854775807), (5, 'B', 9223372036854775807),"
			" (2, 'C', 0), (7, 'C', 0), (8, 'C', 0)",
			err, sizeof err),
		0);
	snprintf(before, sizeof before, "%s", rows(db, all));
	db_close(db);
	assert_int_equal(db_open(path, DB_READWRITE, &db, err, sizeof err), 0);
	assert_int_equal(atoi(scalar(db, "PRAGMA user_version")), db_schema_version());
	assert_string_equal(rows(db, all), before);
	/* snapshot 3 (chain 1, k 2) has no B: an absent row, then B again */
	assert_string_equal(rows(db, "SELECT c.chain, n.name, c.k, c.value FROM counter_changes c"
				     " JOIN counter_names n ON n.id = c.name_id ORDER BY 1, 2, 3"),
			    "1|A|0|10 1|A|2|2 1|B|0|-9223372036854775808 1|B|1|9223372036854775807"
			    " 1|B|2|NULL 1|B|3|9223372036854775807 1|C|1|0 1|C|2|NULL"
			    " 6|A|0|2 6|A|2|3 6|C|1|0");
	assert_string_equal(scalar(db, "SELECT type FROM sqlite_master WHERE name = 'counters'"),
			    "view");
	db_close(db);
	rm_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_migration_003),
		cmocka_unit_test(test_migration_004),
		cmocka_unit_test(test_migration_005),
		cmocka_unit_test(test_sqlfn),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_snapshot_match),
		cmocka_unit_test(test_deny_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
