-- Templates with named variables (${code}), per account, approved before use.
CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    name        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    UNIQUE (account_id, name)
);

-- Whether an account may send free text, or only approved templates.
ALTER TABLE accounts ADD COLUMN free_text INTEGER NOT NULL DEFAULT 1;
