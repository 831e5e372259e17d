-- Metadata: accounts, sessions, organisation, memberships, screens, ingest keys, security events.
-- Every secret (session, screen token, pairing code, ingest key) is stored only as a SHA-256 hash.

CREATE TABLE IF NOT EXISTS users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'executive', 'manager', 'team_lead')),
	disabled INTEGER NOT NULL DEFAULT 0,
	-- Bumped on every change of role, membership, password or status: open sockets re-check against it.
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
	id TEXT PRIMARY KEY,
	secret_hash TEXT NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);

CREATE TABLE IF NOT EXISTS sites (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	region TEXT NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS teams (
	id TEXT PRIMARY KEY,
	site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	name TEXT NOT NULL
);

-- A manager reads the sites assigned (kind 'site'), a team lead the teams assigned (kind 'team').
CREATE TABLE IF NOT EXISTS memberships (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('site', 'team')),
	ref TEXT NOT NULL,
	PRIMARY KEY (user_id, kind, ref)
);

CREATE TABLE IF NOT EXISTS screens (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	-- JSON array of BoardRef {board, scope}: what the screen shows, and all it may read.
	boards TEXT NOT NULL,
	rotate_seconds INTEGER NOT NULL DEFAULT 30,
	pairing_hash TEXT UNIQUE,
	pairing_expires_at INTEGER,
	token_id TEXT UNIQUE,
	token_hash TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	paired_at INTEGER,
	revoked_at INTEGER,
	last_seen_at INTEGER,
	current_board TEXT
);

CREATE TABLE IF NOT EXISTS ingest_keys (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	secret_hash TEXT NOT NULL,
	-- JSON array of streams, or NULL for every stream.
	streams TEXT,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER,
	last_used_at INTEGER
);

-- Failed sign-ins and pairings, keyed 'account:<email>' or 'address:<ip>', for rate limiting.
CREATE TABLE IF NOT EXISTS auth_failures (
	key TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_failures_key ON auth_failures (key, at);

CREATE TABLE IF NOT EXISTS security_events (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	kind TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS security_events_at ON security_events (at);
