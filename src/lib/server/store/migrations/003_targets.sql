-- Targets and warning thresholds overridden per scope (org, site:<id>, team:<id>) and measure; a part
-- left NULL inherits from the next scope up. Replaces DATA_DIR/targets.json, imported once at start.
CREATE TABLE IF NOT EXISTS targets (
	scope TEXT NOT NULL,
	measure TEXT NOT NULL,
	target REAL,
	warn REAL,
	PRIMARY KEY (scope, measure)
);
