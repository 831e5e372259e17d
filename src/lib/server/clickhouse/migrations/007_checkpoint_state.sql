-- A checkpoint stores each open item's state at its instant (owner; a complaint's tier and when it
-- entered it), so that a later state read takes that row instead of reading the item's history:
-- the live state reads stop growing with the tables (measures.ts stateRows).
ALTER TABLE state_checkpoints_v1
	ADD COLUMN IF NOT EXISTS at DateTime64(3, 'UTC') DEFAULT 0,
	ADD COLUMN IF NOT EXISTS site LowCardinality(String) DEFAULT '',
	ADD COLUMN IF NOT EXISTS team LowCardinality(String) DEFAULT '',
	ADD COLUMN IF NOT EXISTS agent String DEFAULT '',
	ADD COLUMN IF NOT EXISTS entered Int64 DEFAULT -1,
	ADD COLUMN IF NOT EXISTS tier UInt8 DEFAULT 0;

-- Every state read after a checkpoint looks for records dated before it but ingested since it was
-- made (late ones): per-granule bounds of ingested_at let it skip all but the newest data.
ALTER TABLE contacts_v1 ADD INDEX IF NOT EXISTS ingested_minmax ingested_at TYPE minmax GRANULARITY 1;
ALTER TABLE contacts_v1 MATERIALIZE INDEX ingested_minmax SETTINGS mutations_sync = 1;
ALTER TABLE complaints_v1 ADD INDEX IF NOT EXISTS ingested_minmax ingested_at TYPE minmax GRANULARITY 1;
ALTER TABLE complaints_v1 MATERIALIZE INDEX ingested_minmax SETTINGS mutations_sync = 1;
