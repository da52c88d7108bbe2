-- 007_decided_at_import: two things the schema did for each snapshot at
-- import are done by the import itself, with the same rows as a result.
--
-- A recorder snapshot is still stored once, but the check is a lookup
-- through snapshots_host_time (host, time) before the insert, not a unique
-- index of its own. That index held the boot id's 36 characters, the host,
-- seq and time once more for every snapshot: 71 bytes a snapshot, 3% of a
-- database of spans (6.2 MB of the synthetic day's 204), for a question
-- asked once per snapshot at import. The key is unchanged: (host,
-- coalesce(boot_id, ''), seq, time) for snapshots with a seq
-- (docs/SCHEMA.md §7).
DROP INDEX snapshots_recorded;

-- A process's run in process_spans is built in memory as snapshots come
-- and written once, when it ends (analyzer/ingest/proclog.c), not staged
-- and merged by a trigger at every snapshot (the largest SQL of a
-- snapshot's import). The stage is empty between imports.
DROP TRIGGER process_stage_keep;
DROP TABLE process_stage;

-- A chain's spans are written while its source is imported, so they lie
-- together in spans_packed's rowid order. span_chains keeps each chain's
-- rowid range (filled by the import at each source's commit), and readers
-- read a chain's spans as that range, in table order, instead of through
-- the index spans_packed_chain (chain, k_first): 13% of the synthetic day's
-- database, and a seek into the table for every entry a report read.
CREATE TABLE span_chains (
	chain         INTEGER PRIMARY KEY,  -- snapshots.chain
	lo            INTEGER NOT NULL,     -- its spans are spans_packed rows
	hi            INTEGER NOT NULL      -- lo .. hi with this chain
);
INSERT INTO span_chains (chain, lo, hi)
SELECT chain, min(rowid), max(rowid) FROM spans_packed GROUP BY chain;
DROP INDEX spans_packed_chain;

-- As in 006, one row per socket per snapshot, now through a chain's range:
-- the decoding of the view spans, written out again because a view has no
-- rowid to join on. CROSS JOIN keeps this order, and the + on p.chain
-- keeps it a filter: SQLite would otherwise build an automatic index on
-- spans_packed(chain) at every query instead of reading the range.
DROP VIEW sockets;
CREATE VIEW sockets AS
SELECT s.id AS snapshot_id,
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
	p.expires_ms, p.retrans, p.pid, p.program, p.lhost, p.rhost
FROM snapshots s
CROSS JOIN span_chains r ON r.chain = s.chain
CROSS JOIN spans_packed p ON p.rowid BETWEEN r.lo AND r.hi AND +p.chain = s.chain
	AND s.k BETWEEN p.k_first AND p.k_last
CROSS JOIN span_copy c ON c.i <= p.copies;
