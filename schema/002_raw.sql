-- 002_raw: verbatim sections (proc/net/*, rendered netstat commands, errors)
-- kept when the user imports with --keep-raw; netstat replay prefers them.

CREATE TABLE raw (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id),
	section       TEXT NOT NULL,     -- "proc/net/tcp", "netstat -na", ...
	text          BLOB NOT NULL,
	PRIMARY KEY (snapshot_id, section)
) WITHOUT ROWID;
