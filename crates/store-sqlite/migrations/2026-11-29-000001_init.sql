-- Accounts (tenants) and their API keys. Secrets are stored only as SHA-256 hashes.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    key_id      TEXT    PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    secret_hash BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- One row per recipient. The id is the engine's time-ordered 64-bit id, so the rowid
-- order is acceptance order and no second id index is needed.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL,
    to_number    TEXT    NOT NULL,
    carrier      TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    segments     INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    error        TEXT,
    accepted_at  INTEGER NOT NULL,
    submitted_at INTEGER,
    completed_at INTEGER
);
CREATE INDEX messages_by_account_to ON messages (account_id, to_number, id);
CREATE INDEX messages_by_account ON messages (account_id, id);
-- The dispatch backlog: small, because rows leave it as soon as they are submitted.
CREATE INDEX messages_pending ON messages (id) WHERE status = 'accepted';

-- One row per segment the carrier answered; reports are matched on (channel, carrier_msg_id).
CREATE TABLE segments (
    message_id     INTEGER NOT NULL,
    number         INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    carrier_msg_id TEXT,
    submit_result  INTEGER NOT NULL,
    submit_error   TEXT,
    submitted_at   INTEGER NOT NULL,
    report_stat    TEXT,
    done_at        INTEGER,
    reported_at    INTEGER,
    report_raw     TEXT,
    PRIMARY KEY (message_id, number)
) WITHOUT ROWID;
CREATE INDEX segments_by_carrier_id ON segments (channel, carrier_msg_id) WHERE carrier_msg_id IS NOT NULL;
