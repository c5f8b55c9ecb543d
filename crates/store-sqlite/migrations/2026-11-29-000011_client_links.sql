-- Client systems that connect over SMPP or CMPP (our servers for them).

-- A protocol login of an interface account: SMPP system_id + password, CMPP SP_Id + shared
-- secret. The secret is kept as given because CMPP's authenticator is an MD5 over it.
CREATE TABLE client_logins (
    protocol   TEXT    NOT NULL,
    login      TEXT    NOT NULL,
    account_id INTEGER NOT NULL,
    secret     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (protocol, login)
) WITHOUT ROWID;

-- Parts of a long message received (and acknowledged) but not yet accepted as one message.
CREATE TABLE client_parts (
    account_id    INTEGER NOT NULL,
    protocol      TEXT    NOT NULL,
    group_key     TEXT    NOT NULL,
    part          INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    client_msg_id TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    to_number     TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    receipt       INTEGER NOT NULL,
    content       TEXT    NOT NULL,
    received_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, protocol, group_key, part)
) WITHOUT ROWID;
CREATE INDEX client_parts_by_time ON client_parts (received_at);

-- The ids a client was given for a message's parts, and whether it asked for receipts.
CREATE TABLE client_submits (
    message_id    INTEGER NOT NULL,
    part          INTEGER NOT NULL,
    protocol      TEXT    NOT NULL,
    client_msg_id TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    receipt       INTEGER NOT NULL,
    PRIMARY KEY (message_id, part)
) WITHOUT ROWID;
