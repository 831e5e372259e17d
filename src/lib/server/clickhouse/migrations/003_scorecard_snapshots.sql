-- Closed months of the executive scorecard. Every table is append-only: a frozen version, a note
-- and a sign-off are never changed, so an older version always reads back the same.

-- One frozen version of a month: the whole scorecard as JSON, computed from the records
-- ingested up to frozen_at (records ingested later for the month are counted as late).
CREATE TABLE IF NOT EXISTS scorecard_snapshots_v1 (
	month String,
	version UInt32,
	frozen_at DateTime64(3, 'UTC'),
	frozen_by String,
	time_zone String,
	data String
) ENGINE = MergeTree
ORDER BY (month, version);

-- Commentary per section of a version; the latest note per section wins until sign-off.
CREATE TABLE IF NOT EXISTS scorecard_notes_v1 (
	month String,
	version UInt32,
	section LowCardinality(String),
	text String,
	author String,
	written_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (month, version, section, written_at);

CREATE TABLE IF NOT EXISTS scorecard_signoffs_v1 (
	month String,
	version UInt32,
	signed_by String,
	signed_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (month, version);
