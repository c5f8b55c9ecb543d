-- Large requests written in pieces (`staged.rs`): while a request's rows are being written,
-- in several commits, its mark is here with every id it holds (8 bytes each, little-endian).
-- The commit that writes its last rows removes the mark; a mark found at start-up belongs to
-- a request that never finished, and its rows are taken back.
CREATE TABLE staged_requests (
    stage      INTEGER PRIMARY KEY,  -- the request's first message id
    created_at INTEGER NOT NULL,
    ids        BLOB    NOT NULL
);
