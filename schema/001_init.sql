-- 001_init: sources, snapshots and what each snapshot saw.
-- Documented column by column in docs/SCHEMA.md.

CREATE TABLE sources (
	id            INTEGER PRIMARY KEY,
	path          TEXT NOT NULL,     -- as given to import; '-' for stdin
	sha256        TEXT NOT NULL UNIQUE, -- of the bytes as stored (sha256sum)
	format        TEXT NOT NULL,     -- segment, netstat, ss, proc, bsd, windows
	bytes         INTEGER NOT NULL,  -- size read
	imported_at   INTEGER NOT NULL,  -- µs since the epoch, UTC
	snapshots     INTEGER NOT NULL DEFAULT 0,
	sockets       INTEGER NOT NULL DEFAULT 0,
	bad_lines     INTEGER NOT NULL DEFAULT 0,  -- lines/snapshots skipped as malformed
	first_error   TEXT               -- "file:line: what was expected"
);

CREATE TABLE snapshots (
	id            INTEGER PRIMARY KEY,
	source_id     INTEGER NOT NULL REFERENCES sources(id),
	host          TEXT NOT NULL,
	time          INTEGER NOT NULL,  -- µs since the epoch, UTC
	time_from     TEXT NOT NULL,     -- header dateline dateline-nozone at filename mtime now
	seq           INTEGER,           -- recorder sequence number (segments)
	boot_id       TEXT,
	kernel        TEXT,
	reason        TEXT,
	interval_us   INTEGER,
	offset        INTEGER,           -- byte offset in the decompressed segment
	line          INTEGER,           -- first line in a text dump
	sockets       INTEGER NOT NULL DEFAULT 0,
	first_socket  INTEGER            -- rowid of its first row in sockets: its rows
	                                 -- are rowid first_socket .. first_socket+sockets-1
);
CREATE INDEX snapshots_host_time ON snapshots(host, time);
-- a recorder snapshot is imported once, even from a segment that grew
-- since the last import (the file's hash then differs)
-- (boot-id is optional in the format: NULLs would never collide)
CREATE UNIQUE INDEX snapshots_recorded
	ON snapshots(host, coalesce(boot_id, ''), seq, time) WHERE seq IS NOT NULL;

CREATE TABLE sockets (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id),
	proto         TEXT NOT NULL,     -- tcp, udp, raw
	family        INTEGER NOT NULL,  -- 4 or 6: the socket's family
	state         TEXT NOT NULL,     -- LISTEN, SYN_RECV, ..., UNCONN
	laddr         TEXT NOT NULL,     -- canonical; IPv4-mapped folded
	lport         INTEGER NOT NULL,
	raddr         TEXT NOT NULL,
	rport         INTEGER NOT NULL,
	rnet          INTEGER NOT NULL,  -- remote IPv4 as a 32-bit number, or the
	                                 -- top 64 bits of a remote IPv6 (signed)
	rxq           INTEGER,           -- NULL: the source did not say
	txq           INTEGER,
	uid           INTEGER,
	inode         INTEGER,
	timer         TEXT,
	expires_ms    INTEGER,
	retrans       INTEGER,
	pid           INTEGER,
	program       TEXT
);
-- No index on snapshot_id: a snapshot's rows are consecutive rowids (see
-- snapshots.first_socket), which finds them as fast without the cost of an
-- index on every insert (28% of a segment import).

CREATE TABLE counters (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id),
	name          TEXT NOT NULL,     -- Group.Field: TcpExt.SyncookiesSent
	value         INTEGER NOT NULL,  -- cumulative since boot
	PRIMARY KEY (snapshot_id, name)
) WITHOUT ROWID;

-- processes that owned sockets in the snapshot (from a segment's processes
-- section): one row per pid, not per socket
CREATE TABLE processes (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id),
	pid           INTEGER NOT NULL,
	program       TEXT,              -- as netstat -p names it
	comm          TEXT,              -- /proc/PID/comm
	sockets       INTEGER NOT NULL,  -- socket inodes it held
	PRIMARY KEY (snapshot_id, pid)
) WITHOUT ROWID;
