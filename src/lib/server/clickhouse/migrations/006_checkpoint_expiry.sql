-- Checkpoints are also chained through the day (each made from the one before, so a state read
-- follows only the last minute's rows and the open items): those are needed for minutes, not days,
-- and say how long to keep them.
ALTER TABLE state_checkpoints_v1 ADD COLUMN IF NOT EXISTS keep_hours UInt16 DEFAULT 48;

ALTER TABLE state_checkpoints_v1 MODIFY TTL created_at + toIntervalHour(keep_hours);
