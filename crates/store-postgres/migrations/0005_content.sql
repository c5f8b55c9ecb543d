-- What a message may say: signatures, an account's default signature per category,
-- templates, and the reason given with a refusal. Times are milliseconds since the epoch, UTC.

CREATE TABLE signatures (
    id         bigserial PRIMARY KEY,
    account_id bigint    NOT NULL REFERENCES accounts (id),
    text       text      NOT NULL,
    extension  text      NOT NULL DEFAULT '',
    status     text      NOT NULL,
    created_at bigint    NOT NULL,
    decided_at bigint,
    UNIQUE (account_id, text)
);
CREATE INDEX signatures_by_extension ON signatures (extension);

CREATE TABLE default_signatures (
    account_id   bigint NOT NULL,
    category     text   NOT NULL,
    signature_id bigint NOT NULL REFERENCES signatures (id),
    PRIMARY KEY (account_id, category)
);

CREATE TABLE templates (
    id         bigserial PRIMARY KEY,
    account_id bigint    NOT NULL REFERENCES accounts (id),
    name       text      NOT NULL,
    body       text      NOT NULL,
    category   text      NOT NULL,
    status     text      NOT NULL,
    created_at bigint    NOT NULL,
    decided_at bigint,
    UNIQUE (account_id, name)
);

CREATE TABLE review_notes (
    kind       text   NOT NULL,
    item_id    bigint NOT NULL,
    reason     text   NOT NULL,
    decided_at bigint NOT NULL,
    PRIMARY KEY (kind, item_id)
);
