-- Who sent each message and how (the principal, the interface, the client's address), its
-- client reference and template: shown in the detail, searched by. Rows stored before this
-- have empty values: they were not recorded then.
ALTER TABLE messages ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN interface TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN client_ref TEXT;
ALTER TABLE messages ADD COLUMN template_id INTEGER;
CREATE INDEX messages_by_sender ON messages (sender, id);
CREATE INDEX messages_by_client_ref ON messages (client_ref) WHERE client_ref IS NOT NULL;
-- A long message from a client system keeps who sent its parts until it is whole.
ALTER TABLE client_parts ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE client_parts ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
-- Searches by recipient across accounts (administrators, operators, auditors): the recipient's
-- hash leads, so one index serves them, a tenant's own search and the frequency limit.
DROP INDEX messages_by_account_to_hash;
CREATE INDEX messages_by_to_hash ON messages (to_hash, account_id, id);
-- An account's messages that ended without delivery ("what failed yesterday"), newest first.
-- Partial: messages on their way or delivered (nearly all of them) are not in it, so the
-- state changes of the message path do not touch it; those states are found by the account.
CREATE INDEX messages_by_account_status ON messages (account_id, status, id)
    WHERE status NOT IN ('accepted', 'queued', 'submitted', 'delivered');
