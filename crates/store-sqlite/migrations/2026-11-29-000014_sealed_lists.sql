-- The blacklist and the unsubscribes hold citizens' numbers too: sealed in `number` like the
-- messages' recipients, found (and kept unique) by the keyed hash in `number_hash`. Rows from
-- before are sealed and hashed at the first open with a key ring (seal_state is still 'plain'
-- then, or set back to it here for a database sealed by the previous version).
ALTER TABLE blacklist ADD COLUMN number_hash BLOB;
CREATE UNIQUE INDEX blacklist_by_hash ON blacklist (number_hash, account_id);
ALTER TABLE unsubscribes ADD COLUMN number_hash BLOB;
CREATE UNIQUE INDEX unsubscribes_by_hash ON unsubscribes (number_hash, account_id);
UPDATE seal_state SET sealed_with = 'plain'
    WHERE EXISTS (SELECT 1 FROM blacklist) OR EXISTS (SELECT 1 FROM unsubscribes);
