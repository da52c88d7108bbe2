-- 003_names: dumps saved without -n (netstat -a, ss -a, BSD netstat -a)
-- name their hosts. A host name is kept as the dump wrote it (lhost/rhost)
-- and its address is NULL: nothing is resolved, the analysis machine's
-- resolver is not the recorded machine's. SQLite cannot drop NOT NULL from a
-- column, so sockets is rebuilt; rowids are kept (snapshots.first_socket).

CREATE TABLE sockets_003 (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id),
	proto         TEXT NOT NULL,
	family        INTEGER NOT NULL,
	state         TEXT NOT NULL,
	laddr         TEXT,              -- NULL when lhost names the host
	lport         INTEGER NOT NULL,
	raddr         TEXT,              -- NULL when rhost names the peer
	rport         INTEGER NOT NULL,
	rnet          INTEGER NOT NULL,  -- 0 for a named peer
	rxq           INTEGER,
	txq           INTEGER,
	uid           INTEGER,
	inode         INTEGER,
	timer         TEXT,
	expires_ms    INTEGER,
	retrans       INTEGER,
	pid           INTEGER,
	program       TEXT,
	lhost         TEXT,              -- the local host's name as the dump
	                                 -- wrote it (maybe cut); NULL: laddr says
	rhost         TEXT               -- the peer's name, likewise
);
INSERT INTO sockets_003 (rowid, snapshot_id, proto, family, state, laddr, lport, raddr, rport,
	rnet, rxq, txq, uid, inode, timer, expires_ms, retrans, pid, program)
	SELECT rowid, snapshot_id, proto, family, state, laddr, lport, raddr, rport,
	rnet, rxq, txq, uid, inode, timer, expires_ms, retrans, pid, program FROM sockets;
DROP TABLE sockets;
ALTER TABLE sockets_003 RENAME TO sockets;

-- rows of this source that had a host or service name instead of a number:
-- more than 0 marks a source imported in names mode
ALTER TABLE sources ADD COLUMN names INTEGER NOT NULL DEFAULT 0;
