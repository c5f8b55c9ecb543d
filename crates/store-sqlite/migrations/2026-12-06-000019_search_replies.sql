-- Replies found by the handset's number: its keyed hash, as for recipients. Replies stored
-- before this have none and are not found by number.
ALTER TABLE mo_messages ADD COLUMN from_hash BLOB;
CREATE INDEX mo_by_from_hash ON mo_messages (from_hash, id) WHERE from_hash IS NOT NULL;
-- Reports looked back on by time.
CREATE INDEX feed_by_kind ON feed (kind, seq);
