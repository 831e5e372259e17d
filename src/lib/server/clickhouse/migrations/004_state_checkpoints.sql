-- Open items as of an instant (a checkpoint, see measures.ts createStateCheckpoint): the contacts
-- in backlog and the complaints open at that instant. A read of the state at any later instant only
-- follows these and the entities changed since, instead of every contact and complaint ever seen.
-- Each dashboard process writes its own checkpoints (a random id); they expire after two days.
CREATE TABLE IF NOT EXISTS state_checkpoints_v1 (
	checkpoint String,
	stream LowCardinality(String),
	entity String,
	created_at DateTime DEFAULT now()
) ENGINE = MergeTree
ORDER BY (checkpoint, stream, entity)
TTL created_at + INTERVAL 2 DAY;
