-- Signatures (签名) belong to an account and are approved by an administrator before use. Each
-- account has a default signature per category; the platform puts it in front of (or after)
-- the content. A signature may carry an extension code appended to the channel's source
-- number, so replies route back to the account and signature.
CREATE TABLE signatures (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    text        TEXT    NOT NULL,
    extension   TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    UNIQUE (account_id, text)
);

CREATE TABLE default_signatures (
    account_id   INTEGER NOT NULL,
    category     TEXT    NOT NULL,
    signature_id INTEGER NOT NULL REFERENCES signatures(id),
    PRIMARY KEY (account_id, category)
) WITHOUT ROWID;

ALTER TABLE accounts ADD COLUMN signature_suffix INTEGER NOT NULL DEFAULT 0;

-- The extension code the message was sent with (appended to the channel's source number).
ALTER TABLE messages ADD COLUMN source_ext TEXT NOT NULL DEFAULT '';
