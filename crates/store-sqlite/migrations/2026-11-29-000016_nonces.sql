-- Nonces of signed requests seen within the replay window, per key: in the store rather than
-- in memory, so a restart does not reopen the window and processes sharing the store share it.
CREATE TABLE request_nonces (
    key_id  TEXT    NOT NULL,
    nonce   TEXT    NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, nonce)
) WITHOUT ROWID;
CREATE INDEX request_nonces_by_time ON request_nonces (seen_at);
