-- How many records of the month per stream a frozen version was computed from (JSON object, stream →
-- count; empty for versions frozen before this column): late records are those stored beyond them.
ALTER TABLE scorecard_snapshots_v1 ADD COLUMN IF NOT EXISTS included String DEFAULT '';
