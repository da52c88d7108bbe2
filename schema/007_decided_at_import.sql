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
