-- What is known of numbers. Citizens' numbers in the blacklist and the unsubscribes are
-- sealed in `number` and found (and kept unique) by the keyed hash in `number_hash`, as the
-- messages' recipients are. account_id 0 is the global blacklist.

CREATE TABLE blacklist (
    account_id  bigint NOT NULL,
    number      bytea  NOT NULL,
    number_hash bytea  NOT NULL,
    reason      text   NOT NULL,
    created_at  bigint NOT NULL,
    UNIQUE (number_hash, account_id)
);

CREATE TABLE unsubscribes (
    account_id  bigint NOT NULL,
    number      bytea  NOT NULL,
    number_hash bytea  NOT NULL,
    keyword     text   NOT NULL,
    created_at  bigint NOT NULL,
    UNIQUE (number_hash, account_id)
);

-- Where numbers were ported to, as the carriers' portability lists give them.
CREATE TABLE ported_numbers (
    number     text   PRIMARY KEY,
    carrier    text   NOT NULL,
    updated_at bigint NOT NULL
);
