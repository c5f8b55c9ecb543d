-- Field-level encryption at rest (src/seal.rs). Numbers and content are stored sealed in
-- their existing columns (a BLOB in a TEXT column is kept as it is); an exact search by
-- recipient goes through the keyed hash instead, so the index on the number becomes an index
-- on the hash.
ALTER TABLE messages ADD COLUMN to_hash BLOB;
DROP INDEX messages_by_account_to;
CREATE INDEX messages_by_account_to_hash ON messages (account_id, to_hash, id);

-- What every row is sealed with as of the last complete pass ('plain' until the first one):
-- the writer seals rows written before this migration at the first open with a key ring, and
-- `hongyan keys rekey` moves rows to the current key after a rotation.
CREATE TABLE seal_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sealed_with TEXT    NOT NULL
);
INSERT INTO seal_state (id, sealed_with) VALUES (1, 'plain');
