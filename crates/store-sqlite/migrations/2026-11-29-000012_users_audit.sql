-- Console users, their sessions, the audit log, and the life of interface accounts and keys.

-- Platform administrators, operators, auditors, and users of one tenant account (account_id).
-- Passwords are argon2id PHC strings.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    account_id    INTEGER,
    password_hash TEXT    NOT NULL,
    must_change   INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Only a hash of the session id is kept: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    address    TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Who did what, from where, when, and the state before and after. Append-only: the triggers
-- refuse every UPDATE and DELETE, whoever asks.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    address TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    before  TEXT,
    after   TEXT,
    outcome TEXT    NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (at);
CREATE INDEX audit_by_actor ON audit_log (actor, at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Interface accounts expire and are deleted softly (their records stay); keys are revoked,
-- and when they were last used is shown.
ALTER TABLE accounts ADD COLUMN expires_at INTEGER;
ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;
ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;

-- What an interface account may do beyond its limits; a NULL column restricts nothing.
-- Lists are comma-separated: interfaces (http, smpp, cmpp), operations (send, query, reports,
-- templates), category names, CIDR ranges.
CREATE TABLE account_rights (
    account_id INTEGER PRIMARY KEY,
    interfaces TEXT,
    operations TEXT,
    categories TEXT,
    ip_allow   TEXT
);
