-- Raw tables for the four streams of the public contract, and the dead-letter table.
-- Times are stored in UTC; days and months are cut in BUSINESS_TZ at query time.
-- Enum values are append-only; strings are stored exactly as given.

CREATE TABLE IF NOT EXISTS contacts_v1 (
	id String,
	at DateTime64(3, 'UTC'),
	site LowCardinality(String),
	team LowCardinality(String),
	agent String DEFAULT '',
	type Enum8('opened' = 1, 'responded' = 2, 'resolved' = 3, 'reopened' = 4, 'follow_up_due' = 5, 'follow_up_done' = 6),
	contact_id String,
	channel Enum8('phone' = 1, 'chat' = 2, 'email' = 3, 'in_person' = 4, 'field' = 5),
	customer_tier Enum8('standard' = 1, 'key' = 2),
	customer String DEFAULT '',
	response_seconds Nullable(Float64),
	first_contact Nullable(Bool),
	error Bool DEFAULT false,
	ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
	INDEX id_bloom id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site, team, at, id);

CREATE TABLE IF NOT EXISTS surveys_v1 (
	id String,
	at DateTime64(3, 'UTC'),
	site LowCardinality(String),
	team LowCardinality(String),
	agent String DEFAULT '',
	overall UInt8,
	dimensions Map(LowCardinality(String), UInt8),
	contact_id String DEFAULT '',
	channel LowCardinality(String) DEFAULT '',
	ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
	INDEX id_bloom id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site, team, at, id);

CREATE TABLE IF NOT EXISTS mystery_shops_v1 (
	id String,
	at DateTime64(3, 'UTC'),
	site LowCardinality(String),
	team LowCardinality(String),
	agent String DEFAULT '',
	shopper String,
	form LowCardinality(String),
	sections Map(LowCardinality(String), Nullable(Float64)),
	critical_failures Array(String),
	channel Enum8('phone' = 1, 'chat' = 2, 'email' = 3, 'in_person' = 4, 'field' = 5),
	comment String DEFAULT '',
	-- Weighted score after the critical-failure cap, computed at ingest from the form.
	score Float64,
	ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
	INDEX id_bloom id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site, team, at, id);

CREATE TABLE IF NOT EXISTS complaints_v1 (
	id String,
	at DateTime64(3, 'UTC'),
	site LowCardinality(String),
	team LowCardinality(String),
	agent String DEFAULT '',
	complaint_id String,
	type Enum8('received' = 1, 'escalated' = 2, 'resolved' = 3, 'reopened' = 4, 'closed' = 5),
	tier Nullable(UInt8),
	category String DEFAULT '',
	severity LowCardinality(String) DEFAULT '',
	customer_tier LowCardinality(String) DEFAULT '',
	ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
	INDEX id_bloom id TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site, team, at, id);

-- Every rejected record, with the raw text as received and the reasons (JSON array of {field, message}).
CREATE TABLE IF NOT EXISTS dead_letters_v1 (
	received_at DateTime64(3, 'UTC') DEFAULT now64(3),
	stream LowCardinality(String),
	key_id String,
	record_index UInt32,
	record_id String DEFAULT '',
	raw String,
	errors String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (stream, received_at);
