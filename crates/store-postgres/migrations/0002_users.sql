-- Console users, their sessions and the audit log. Times are milliseconds since the epoch,
-- UTC, as in every Hongyan store.

-- Platform administrators, operators, auditors, and users of one tenant account
-- (account_id). Passwords are argon2id PHC strings.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text      NOT NULL UNIQUE,
    role          text      NOT NULL,
    account_id    bigint,
    password_hash text      NOT NULL,
    must_change   boolean   NOT NULL DEFAULT false,
    failed_logins integer   NOT NULL DEFAULT 0,
    locked_until  bigint,
    disabled      boolean   NOT NULL DEFAULT false,
    created_at    bigint    NOT NULL
);

-- Only a hash of the session id is kept: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash bytea  PRIMARY KEY,
    user_id    bigint NOT NULL,
    created_at bigint NOT NULL,
    last_seen  bigint NOT NULL,
    address    text   NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Who did what, from where, when, and the state before and after. Append-only: the triggers
-- refuse every UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      bigint    NOT NULL,
    actor   text      NOT NULL,
    address text      NOT NULL,
    action  text      NOT NULL,
    target  text      NOT NULL,
    before  text,
    after   text,
    outcome text      NOT NULL
);
CREATE INDEX audit_by_time ON audit_log (at);
CREATE INDEX audit_by_actor ON audit_log (actor, at);
CREATE FUNCTION hongyan_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION hongyan_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION hongyan_append_only();
