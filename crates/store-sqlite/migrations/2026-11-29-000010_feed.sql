-- Telling clients: every segment report and every attributed reply (MO) becomes one row of
-- its account's feed, written in the transaction that records it. Readers of the feed (the
-- pull API, the callback pusher, later the SMPP/CMPP servers) each keep their own position,
-- so a restart or an offline client loses nothing: what is past the position is still owed.

-- Replies from handsets, attributed or not.
CREATE TABLE mo_messages (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER,
    channel      TEXT    NOT NULL,
    from_number  TEXT    NOT NULL,
    to_number    TEXT    NOT NULL,
    extension    TEXT,
    content      TEXT    NOT NULL,
    unsubscribed INTEGER NOT NULL DEFAULT 0,
    received_at  INTEGER NOT NULL
);
CREATE INDEX mo_by_account ON mo_messages (account_id, id);

-- The unknown sweep's look-up: segments the carrier accepted and never reported on.
CREATE INDEX segments_unreported ON segments (submitted_at) WHERE report_stat IS NULL AND submit_result = 0;

-- kind 'report': ref_id = message id, segment = its number; kind 'mo': ref_id = mo_messages.id.
CREATE TABLE feed (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    ref_id     INTEGER NOT NULL,
    segment    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    -- 1 for an event put back for the pusher only (a re-sent failure): pull readers had it.
    push_only  INTEGER NOT NULL DEFAULT 0,
    -- A report as it was when it came (a later report on the same segment is its own event):
    -- the stat and the message's aggregate status then.
    stat       TEXT,
    status     TEXT
);
CREATE INDEX feed_by_account_kind ON feed (account_id, kind, seq);

-- How far each reader has acknowledged an account's feed.
CREATE TABLE feed_cursors (
    account_id INTEGER NOT NULL,
    consumer   TEXT    NOT NULL,
    acked      INTEGER NOT NULL,
    PRIMARY KEY (account_id, consumer)
) WITHOUT ROWID;

-- Callback push: where (set by an administrator) and the key its requests are signed with.
ALTER TABLE accounts ADD COLUMN callback_url TEXT;
ALTER TABLE accounts ADD COLUMN callback_secret TEXT;
-- The right to name a callback URL in a request; that message's reports then go there.
ALTER TABLE accounts ADD COLUMN callback_per_request INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN callback_url TEXT;

-- A push series that is failing: when to try again, and since when it fails.
CREATE TABLE push_state (
    account_id    INTEGER PRIMARY KEY,
    attempts      INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,
    failing_since INTEGER NOT NULL,
    last_error    TEXT    NOT NULL
);

-- Batches given up after the retry period: visible, and re-sendable as new feed rows.
CREATE TABLE push_failures (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    error      TEXT    NOT NULL,
    failed_at  INTEGER NOT NULL,
    resent_at  INTEGER
);
CREATE INDEX push_failures_by_account ON push_failures (account_id, id);
