-- 007_recorded_lookup: a recorder snapshot is still stored once, but the
-- check is a lookup through snapshots_host_time (host, time) before the
-- insert, not a unique index of its own. That index held the boot id's 36
-- characters, the host, seq and time once more for every snapshot: 71
-- bytes a snapshot, 3% of a database of spans (6.2 MB of the synthetic
-- day's 204), for a question asked once per snapshot at import. The key is
-- unchanged: (host, coalesce(boot_id, ''), seq, time) for snapshots with a
-- seq (docs/SCHEMA.md §7).
DROP INDEX snapshots_recorded;
