-- Replies found by the handset's number: its keyed hash, as for recipients. Replies stored
-- before this have none and are not found by number.
ALTER TABLE mo_messages ADD COLUMN from_hash BLOB;
CREATE INDEX mo_by_from_hash ON mo_messages (from_hash, id) WHERE from_hash IS NOT NULL;
-- Reports looked back on by time.
CREATE INDEX feed_by_kind ON feed (kind, seq);
-- Every callback POST and how it went, so a message's detail lists the deliveries of its
-- reports. A batch holds at most 1,000 events (callback_batch), which bounds the look-up.
CREATE TABLE push_attempts (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    url        TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    error      TEXT
);
CREATE INDEX push_attempts_by_seq ON push_attempts (account_id, first_seq);
CREATE INDEX feed_by_report ON feed (ref_id) WHERE kind = 'report';
-- Why a signature or template was rejected, for the tenant who applied.
CREATE TABLE review_notes (
    kind       TEXT    NOT NULL,
    item_id    INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;
