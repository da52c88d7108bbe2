-- 006_narrow_spans: a span's row in fewer bytes (issue 17: the database at
-- most 1 byte per socket-snapshot; a span was ~104 bytes, docs/SCHEMA.md
-- §4.3). State, protocol and family are one small integer (kind), the
-- timer a number, an IPv4 local address its number, an IPv4 peer's text
-- not stored at all (rnet holds it, signed: 4 bytes in the file). The table is spans_packed; `spans`
-- becomes a view giving the old columns, values and types, and `sockets`
-- expands it as before, so ad-hoc SQL gives the same answers.

-- kind = (state << 3) | (proto << 1) | (family = 6), where state is the
-- kernel's TCP state number (1 ESTABLISHED .. 11 CLOSING), 0 UNKNOWN and
-- 13 UNCONN, and proto 0 tcp, 1 udp, 2 raw: one byte in the file (0 and 1
-- take none). timer: 0 off, 1 on, 2 keepalive, 3 timewait, 4 probe.
CREATE TABLE spans_packed (
	chain         INTEGER NOT NULL,  -- snapshots.chain
	k_first       INTEGER NOT NULL,
	k_last        INTEGER NOT NULL,
	copies        INTEGER NOT NULL DEFAULT 1,
	ord           INTEGER NOT NULL,
	kind          INTEGER NOT NULL,  -- state, proto, family (above)
	lport         INTEGER NOT NULL,
	rport         INTEGER NOT NULL,
	rnet          INTEGER NOT NULL,  -- an IPv4 peer's number signed, as laddr
	                                 -- (4 bytes, not 6); IPv6: as in spans
	laddr,                           -- IPv4: its 32-bit number, signed (a
	                                 -- dotted quad a.b.c.d is a<<24|..., less
	                                 -- 2^32 from 128.0.0.0 on); IPv6: text;
	                                 -- NULL when lhost names the host
	raddr         TEXT,              -- IPv6 peers only; NULL for an IPv4 peer
	                                 -- (rnet is its number) or a named one
	rxq           INTEGER,
	txq           INTEGER,
	uid           INTEGER,
	inode         INTEGER,
	timer         INTEGER,           -- code (above); NULL: not shown
	expires_ms    INTEGER,
	retrans       INTEGER,
	pid           INTEGER,
	program       TEXT,
	max_retrans   INTEGER,
	lhost         TEXT,
	rhost         TEXT
);

-- the old rows, converted; rowids kept (ties of ord fall back to them)
INSERT INTO spans_packed (rowid, chain, k_first, k_last, copies, ord, kind, lport, rport, rnet,
	laddr, raddr, rxq, txq, uid, inode, timer, expires_ms, retrans, pid, program,
	max_retrans, lhost, rhost)
SELECT rowid, chain, k_first, k_last, copies, ord,
	(CASE state WHEN 'ESTABLISHED' THEN 1 WHEN 'SYN_SENT' THEN 2 WHEN 'SYN_RECV' THEN 3
		WHEN 'FIN_WAIT1' THEN 4 WHEN 'FIN_WAIT2' THEN 5 WHEN 'TIME_WAIT' THEN 6
		WHEN 'CLOSE' THEN 7 WHEN 'CLOSE_WAIT' THEN 8 WHEN 'LAST_ACK' THEN 9
		WHEN 'LISTEN' THEN 10 WHEN 'CLOSING' THEN 11 WHEN 'UNCONN' THEN 13 ELSE 0 END << 3)
	| (CASE proto WHEN 'tcp' THEN 0 WHEN 'udp' THEN 1 ELSE 2 END << 1) | (family = 6),
	lport, rport,
	CASE WHEN instr(raddr, ':') = 0 THEN (rnet + 2147483648) % 4294967296 - 2147483648
	     ELSE rnet END,
	CASE WHEN instr(laddr, ':') = 0 THEN
		((CAST(laddr AS INTEGER) << 24) + (CAST(l1 AS INTEGER) << 16)
		 + (CAST(l2 AS INTEGER) << 8) + CAST(l3 AS INTEGER) + 2147483648) % 4294967296
		- 2147483648
	     ELSE laddr END,
	CASE WHEN instr(raddr, ':') > 0 THEN raddr END,
	rxq, txq, uid, inode,
	CASE timer WHEN 'off' THEN 0 WHEN 'on' THEN 1 WHEN 'keepalive' THEN 2
		WHEN 'timewait' THEN 3 WHEN 'probe' THEN 4 END,
	expires_ms, retrans, pid, program, max_retrans, lhost, rhost
FROM (SELECT *, substr(l2, instr(l2, '.') + 1) AS l3
      FROM (SELECT *, substr(l1, instr(l1, '.') + 1) AS l2
	    FROM (SELECT rowid, *, substr(laddr, instr(laddr, '.') + 1) AS l1 FROM spans)))
ORDER BY rowid;

DROP VIEW sockets;
DROP TABLE spans;
CREATE INDEX spans_packed_chain ON spans_packed(chain, k_first);

-- The old table's columns, in its order, with its values and types.
CREATE VIEW spans AS
SELECT p.chain, p.k_first, p.k_last, p.copies, p.ord,
	CASE (p.kind >> 1) & 3 WHEN 0 THEN 'tcp' WHEN 1 THEN 'udp' ELSE 'raw' END AS proto,
	CASE p.kind & 1 WHEN 0 THEN 4 ELSE 6 END AS family,
	CASE p.kind >> 3 WHEN 1 THEN 'ESTABLISHED' WHEN 2 THEN 'SYN_SENT' WHEN 3 THEN 'SYN_RECV'
		WHEN 4 THEN 'FIN_WAIT1' WHEN 5 THEN 'FIN_WAIT2' WHEN 6 THEN 'TIME_WAIT'
		WHEN 7 THEN 'CLOSE' WHEN 8 THEN 'CLOSE_WAIT' WHEN 9 THEN 'LAST_ACK'
		WHEN 10 THEN 'LISTEN' WHEN 11 THEN 'CLOSING' WHEN 13 THEN 'UNCONN'
		ELSE 'UNKNOWN' END AS state,
	CASE WHEN typeof(p.laddr) = 'integer'
	     THEN printf('%d.%d.%d.%d', (p.laddr >> 24) & 255, (p.laddr >> 16) & 255,
			 (p.laddr >> 8) & 255, p.laddr & 255)
	     ELSE p.laddr END AS laddr,
	p.lport,
	CASE WHEN p.raddr IS NOT NULL THEN p.raddr
	     WHEN p.rhost IS NULL
	     THEN printf('%d.%d.%d.%d', (p.rnet >> 24) & 255, (p.rnet >> 16) & 255,
			 (p.rnet >> 8) & 255, p.rnet & 255) END AS raddr,
	p.rport,
	CASE WHEN p.raddr IS NULL AND p.rhost IS NULL THEN p.rnet & 4294967295
	     ELSE p.rnet END AS rnet,
	p.rxq, p.txq, p.uid, p.inode,
	CASE p.timer WHEN 0 THEN 'off' WHEN 1 THEN 'on' WHEN 2 THEN 'keepalive'
		WHEN 3 THEN 'timewait' WHEN 4 THEN 'probe' END AS timer,
	p.expires_ms, p.retrans, p.pid, p.program, p.lhost, p.rhost, p.max_retrans
FROM spans_packed p;

-- As in 004: one row per socket per snapshot, through the view above.
CREATE VIEW sockets AS
SELECT s.id AS snapshot_id, p.proto, p.family, p.state, p.laddr, p.lport, p.raddr, p.rport,
	p.rnet, p.rxq, p.txq, p.uid, p.inode, p.timer, p.expires_ms, p.retrans, p.pid,
	p.program, p.lhost, p.rhost
FROM snapshots s
JOIN spans p ON p.chain = s.chain AND s.k BETWEEN p.k_first AND p.k_last
JOIN span_copy c ON c.i <= p.copies;

-- Processes, stored like spans: a process (pid, program, comm, sockets
-- the same) present in the chain's snapshots k_first .. k_last is one row,
-- not one per snapshot (8 processes a second were 0.12 bytes per
-- socket-snapshot of a 2,000-socket server). The import writes a
-- snapshot's processes to process_stage as they come (INSERT OR REPLACE:
-- a pid said twice keeps the last); when the snapshot is finished and gets
-- its place in its chain (snapshots.chain, k), the trigger below continues
-- each process's row that ended in the snapshot before, or starts one, and
-- empties the stage. A torn snapshot's savepoint takes all of it back.
CREATE TABLE process_spans (
	chain         INTEGER NOT NULL,  -- snapshots.chain
	pid           INTEGER NOT NULL,
	k_first       INTEGER NOT NULL,  -- present in the chain's snapshots
	k_last        INTEGER NOT NULL,  -- k_first .. k_last, every one
	program       TEXT,
	comm          TEXT,
	sockets       INTEGER NOT NULL,
	PRIMARY KEY (chain, pid, k_first)
) WITHOUT ROWID;

CREATE TABLE process_stage (
	snapshot_id   INTEGER NOT NULL,
	pid           INTEGER NOT NULL,
	program       TEXT,
	comm          TEXT,
	sockets       INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, pid)
) WITHOUT ROWID;

-- the old rows, converted: runs of consecutive k with the same values
-- (k - row_number() is constant along a run)
INSERT INTO process_spans (chain, pid, k_first, k_last, program, comm, sockets)
WITH r AS (
	SELECT s.chain, s.k, p.pid, p.program, p.comm, p.sockets,
	       s.k - row_number() OVER (PARTITION BY s.chain, p.pid, p.program, p.comm, p.sockets
					ORDER BY s.k) AS run
	FROM processes p JOIN snapshots s ON s.id = p.snapshot_id
	WHERE s.chain IS NOT NULL
)
SELECT chain, pid, min(k), max(k), program, comm, sockets
FROM r GROUP BY chain, pid, program, comm, sockets, run;
DROP TABLE processes;

-- a finished snapshot's staged processes into process_spans: each one's
-- last row in the chain (one descent of the key), continued when it ended
-- in the snapshot before with the same values, else a new row
CREATE TRIGGER process_stage_keep AFTER UPDATE OF chain ON snapshots
WHEN NEW.chain IS NOT NULL AND NEW.k IS NOT NULL
BEGIN
	UPDATE process_spans SET k_last = NEW.k
	WHERE chain = NEW.chain AND k_last = NEW.k - 1
	  AND (pid, k_first) IN (
		SELECT x.pid, (SELECT l.k_first FROM process_spans l
			       WHERE l.chain = NEW.chain AND l.pid = x.pid
			       ORDER BY l.k_first DESC LIMIT 1)
		FROM process_stage x WHERE x.snapshot_id = NEW.id)
	  AND EXISTS (SELECT 1 FROM process_stage x
		      WHERE x.snapshot_id = NEW.id AND x.pid = process_spans.pid
			AND x.program IS process_spans.program AND x.comm IS process_spans.comm
			AND x.sockets = process_spans.sockets);
	INSERT INTO process_spans (chain, pid, k_first, k_last, program, comm, sockets)
	SELECT NEW.chain, x.pid, NEW.k, NEW.k, x.program, x.comm, x.sockets
	FROM process_stage x
	WHERE x.snapshot_id = NEW.id
	  AND NOT EXISTS (SELECT 1 FROM process_spans l
			  WHERE l.chain = NEW.chain AND l.pid = x.pid AND l.k_last = NEW.k
			    AND l.k_first = (SELECT m.k_first FROM process_spans m
					     WHERE m.chain = NEW.chain AND m.pid = x.pid
					     ORDER BY m.k_first DESC LIMIT 1));
	DELETE FROM process_stage WHERE snapshot_id = NEW.id;
END;

-- The rows as before: one per process per snapshot, by snapshot then pid.
CREATE VIEW processes AS
SELECT s.id AS snapshot_id, p.pid, p.program, p.comm, p.sockets
FROM snapshots s
CROSS JOIN process_spans p ON p.chain = s.chain AND s.k BETWEEN p.k_first AND p.k_last;
