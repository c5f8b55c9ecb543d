-- Idempotency: the first answer to a request with a client reference, per account. Stored in
-- the same transaction as the request's messages, so a repeat finds either both or neither.
CREATE TABLE client_requests (
    account_id INTEGER NOT NULL,
    client_ref TEXT    NOT NULL,
    answer     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, client_ref)
) WITHOUT ROWID;
