-- 005_counters: a kernel counter is stored when it changes, not at every
-- snapshot (68 counters a second were about 1 byte per socket-snapshot on
-- a 2,000-socket server). Within a chain (004: one host, boot and source,
-- no gap) a row says "from snapshot k on, this counter has this value";
-- NULL: from k on it is absent. A chain's first snapshot stores every
-- counter it has, so a reboot, a gap and a new source start afresh, and a
-- reset within a boot is a change like any other. The `counters` view
-- gives the old table's rows, one per counter per snapshot, same values.

-- keyed by name, so that a scan gives names in order (the view's rows
-- come as the old table's primary key ordered them: by snapshot, then
-- name); id is what counter_changes holds (assigned max + 1 by the import)
CREATE TABLE counter_names (
	name          TEXT PRIMARY KEY,  -- Group.Field: TcpExt.SyncookiesSent
	id            INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE counter_changes (
	chain         INTEGER NOT NULL,  -- snapshots.chain
	name_id       INTEGER NOT NULL,  -- counter_names.id
	k             INTEGER NOT NULL,  -- from the chain's snapshot k on ...
	value         INTEGER,           -- ... the value (NULL: absent from k on)
	PRIMARY KEY (chain, name_id, k)
) WITHOUT ROWID;

-- an existing database's counters, converted: for every chain and every
-- counter seen in it, the rows where its value (or its presence) differs
-- from the snapshot before in the chain (lag() is NULL for the first: a
-- counter present there is stored, an absent one is not)
INSERT INTO counter_names (name, id)
	SELECT name, row_number() OVER (ORDER BY name) FROM (SELECT DISTINCT name FROM counters);
INSERT INTO counter_changes (chain, name_id, k, value)
WITH seen AS (
	SELECT DISTINCT s.chain, c.name FROM counters c JOIN snapshots s ON s.id = c.snapshot_id
), grid AS (
	SELECT s.chain, n.id AS name_id, s.k, c.value
	FROM seen JOIN counter_names n ON n.name = seen.name
	JOIN snapshots s ON s.chain = seen.chain
	LEFT JOIN counters c ON c.snapshot_id = s.id AND c.name = seen.name
), d AS (
	SELECT chain, name_id, k, value,
	       lag(value) OVER (PARTITION BY chain, name_id ORDER BY k) AS prev
	FROM grid
)
SELECT chain, name_id, k, value FROM d WHERE value IS NOT prev;
DROP TABLE counters;

-- The rows as before: one per counter per snapshot. For each snapshot and
-- counter name, the chain's last change at or before the snapshot: two
-- index lookups a row (docs/SCHEMA.md §4.4 says what it costs and how to
-- read counter_changes directly). CROSS JOIN fixes the order: a snapshot,
-- a name, then its change (the planner would otherwise read every change
-- of the chain for each snapshot); ORDER BY ... LIMIT 1 is one descent of
-- the key where max() would scan.
CREATE VIEW counters AS
SELECT s.id AS snapshot_id, n.name AS name, c.value AS value
FROM snapshots s
CROSS JOIN counter_names n
CROSS JOIN counter_changes c ON c.chain = s.chain AND c.name_id = n.id
	AND c.k = (SELECT x.k FROM counter_changes x
		   WHERE x.chain = s.chain AND x.name_id = n.id AND x.k <= s.k
		   ORDER BY x.k DESC LIMIT 1)
WHERE c.value IS NOT NULL;
