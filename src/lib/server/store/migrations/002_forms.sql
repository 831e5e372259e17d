-- Mystery-shop evaluation forms. The default form is seeded by the store at open (from the
-- contract's DEFAULT_FORM, the one definition), so nothing changes for existing integrators.
CREATE TABLE IF NOT EXISTS forms (
	key TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	-- JSON array of {key, weight, label?}, in the order shown.
	sections TEXT NOT NULL,
	cap REAL NOT NULL CHECK (cap >= 0 AND cap <= 100),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	-- Retired: new evaluations on it are refused; stored ones keep the score computed at ingest.
	retired_at INTEGER
);
