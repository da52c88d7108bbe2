-- 004_spans: what changed is stored, not every socket of every snapshot.
-- A span is a socket's consecutive presence, with the same identity and
-- state, in the snapshots of one chain (one host and boot, no gap: see
-- docs/SCHEMA.md, "Spans"). Rows of an older database cannot be turned into
-- spans here (chains need each snapshot's interval and sequence, decided in
-- C at import): analyzer/ingest/db.c refuses a schema-3 database that holds
-- snapshots, with how to re-import; an empty one is migrated by this file.

DROP TABLE sockets;

-- where a snapshot sits: chain is the id of its chain's first snapshot, k
-- its position there (0 first); digest: its rows, every field in order,
-- hashed (a dump's copy is recognised by it, docs/SCHEMA.md §7)
ALTER TABLE snapshots ADD COLUMN chain INTEGER;
ALTER TABLE snapshots ADD COLUMN k INTEGER;
ALTER TABLE snapshots ADD COLUMN digest INTEGER;
CREATE INDEX snapshots_chain ON snapshots(chain, k);

CREATE TABLE spans (
	chain         INTEGER NOT NULL,  -- snapshots.chain
	k_first       INTEGER NOT NULL,  -- present in the chain's snapshots
	k_last        INTEGER NOT NULL,  -- k_first .. k_last, every one
	copies        INTEGER NOT NULL DEFAULT 1,   -- identical rows in each (dumps)
	ord           INTEGER NOT NULL,  -- its place among a snapshot's rows
	proto         TEXT NOT NULL,
	family        INTEGER NOT NULL,
	state         TEXT NOT NULL,
	laddr         TEXT,
	lport         INTEGER NOT NULL,
	raddr         TEXT,
	rport         INTEGER NOT NULL,
	rnet          INTEGER NOT NULL,
	rxq           INTEGER,           -- identity too: a change of queue
	txq           INTEGER,           -- starts a new span
	uid           INTEGER,
	inode         INTEGER,
	timer         TEXT,              -- timer, expires_ms, retrans: as in
	expires_ms    INTEGER,           -- the span's last snapshot
	retrans       INTEGER,
	pid           INTEGER,
	program       TEXT,
	lhost         TEXT,
	rhost         TEXT,
	max_retrans   INTEGER            -- the most retransmits over the span
);
CREATE INDEX spans_chain ON spans(chain, k_first);

-- 1 .. 1024: the view repeats a span's row `copies` times (a span of more
-- identical rows is stored as several)
CREATE TABLE span_copy (i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1024)
INSERT INTO span_copy SELECT i FROM c;

-- sockets by proto and state per snapshot, counted at import
CREATE TABLE snapshot_states (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id),
	proto         TEXT NOT NULL,
	state         TEXT NOT NULL,
	n             INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, proto, state)
) WITHOUT ROWID;

-- The rows as before: one per socket per snapshot (timer, expires_ms and
-- retrans are the span's last). Every query of the old table runs on it;
-- it costs what it expands (docs/SCHEMA.md, "Asking spans directly").
CREATE VIEW sockets AS
SELECT s.id AS snapshot_id, p.proto, p.family, p.state, p.laddr, p.lport, p.raddr, p.rport,
	p.rnet, p.rxq, p.txq, p.uid, p.inode, p.timer, p.expires_ms, p.retrans, p.pid,
	p.program, p.lhost, p.rhost
FROM snapshots s
JOIN spans p ON p.chain = s.chain AND s.k BETWEEN p.k_first AND p.k_last
JOIN span_copy c ON c.i <= p.copies;
