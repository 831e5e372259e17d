-- Rollups as aggregate projections (docs/ARCHITECTURE.md, "Rollups and exactly-once"): a projection
-- lives inside the same data part as the rows it sums, so it can never disagree with them, even when
-- an insert is retried or fails half-way (a materialized view can: engine-notes #2).
-- Buckets are UTC 15-minute intervals: every zone's business day and hour is a union of them.

ALTER TABLE contacts_v1 ADD PROJECTION IF NOT EXISTS contacts_15m_v1 (
	SELECT
		site,
		team,
		agent,
		type,
		channel,
		toStartOfFifteenMinutes(at),
		count(),
		sum(response_seconds),
		max(response_seconds),
		countIf(first_contact),
		countIf(error)
	GROUP BY site, team, agent, type, channel, toStartOfFifteenMinutes(at)
);

ALTER TABLE contacts_v1 MATERIALIZE PROJECTION contacts_15m_v1 SETTINGS mutations_sync = 1;

ALTER TABLE surveys_v1 ADD PROJECTION IF NOT EXISTS surveys_15m_v1 (
	SELECT
		site,
		team,
		agent,
		toStartOfFifteenMinutes(at),
		count(),
		countIf(overall >= 4),
		sum(overall)
	GROUP BY site, team, agent, toStartOfFifteenMinutes(at)
);

ALTER TABLE surveys_v1 MATERIALIZE PROJECTION surveys_15m_v1 SETTINGS mutations_sync = 1;
