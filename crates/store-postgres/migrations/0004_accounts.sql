-- Interface accounts with their settings, keys, signed requests' nonces, rights, and the
-- logins of the SMPP and CMPP servers. Times are milliseconds since the epoch, UTC.

CREATE TABLE accounts (
    id                      bigserial PRIMARY KEY,
    name                    text      NOT NULL UNIQUE,
    enabled                 boolean   NOT NULL DEFAULT true,
    created_at              bigint    NOT NULL,
    expires_at              bigint,
    deleted_at              bigint,
    -- Signatures after the content instead of before it.
    signature_suffix        boolean   NOT NULL DEFAULT false,
    -- Free text allowed, or only approved templates.
    free_text               boolean   NOT NULL DEFAULT true,
    callback_url            text,
    -- Sealed (label 'secret'): it signs what the platform pushes about taxpayers.
    callback_secret         bytea,
    callback_per_request    boolean   NOT NULL DEFAULT false,
    rate_limit              integer,
    daily_quota             bigint,
    monthly_quota           bigint,
    verification_per_minute integer,
    verification_per_hour   integer,
    verification_per_day    integer
);

-- Only a hash of a key's secret is kept.
CREATE TABLE api_keys (
    key_id       text   PRIMARY KEY,
    account_id   bigint NOT NULL REFERENCES accounts (id),
    secret_hash  bytea  NOT NULL,
    created_at   bigint NOT NULL,
    revoked_at   bigint,
    last_used_at bigint
);
CREATE INDEX api_keys_by_account ON api_keys (account_id);

-- A signed request's nonce, seen once per key within the replay window.
CREATE TABLE request_nonces (
    key_id  text   NOT NULL,
    nonce   text   NOT NULL,
    seen_at bigint NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX request_nonces_by_time ON request_nonces (seen_at);

-- What an account may do; a NULL column restricts nothing. Lists are comma-separated; prices
-- one rule a line (`carrier|category|price`).
CREATE TABLE account_rights (
    account_id bigint PRIMARY KEY REFERENCES accounts (id),
    interfaces text,
    operations text,
    categories text,
    ip_allow   text,
    prices     text
);

CREATE TABLE client_logins (
    protocol         text   NOT NULL,
    login            text   NOT NULL,
    account_id       bigint NOT NULL REFERENCES accounts (id),
    -- Sealed (label 'secret'): CMPP's authenticator is an MD5 over it, so it is kept, not hashed.
    secret           bytea  NOT NULL,
    created_at       bigint NOT NULL,
    default_category text,
    PRIMARY KEY (protocol, login)
);
