-- Messages from acceptance to their last report, and the feed their clients read.
--
-- `messages` and `segments` are partitioned by month of the message id (ids are time-ordered:
-- the millisecond shifted left by 20 bits). The store creates each month's partitions ahead
-- of time (`partitions.rs`); an id outside every month made (a wrong clock, a test's small
-- ids) lands in the default partition. Retention drops whole months.
-- Numbers and texts are sealed in Rust (bytea); `to_hash` is the keyed hash a search by
-- recipient goes through.

CREATE TABLE messages (
    id           bigint   NOT NULL,
    account_id   bigint   NOT NULL,
    to_number    bytea    NOT NULL,
    to_hash      bytea    NOT NULL,
    carrier      text     NOT NULL,
    category     text     NOT NULL,
    content      bytea    NOT NULL,
    segments     smallint NOT NULL,
    channel      text     NOT NULL,
    status       text     NOT NULL,
    error        text,
    accepted_at  bigint   NOT NULL,
    submitted_at bigint,
    completed_at bigint,
    source_ext   text     NOT NULL,
    send_at      bigint,
    callback_url text,
    sender       text     NOT NULL,
    interface    text     NOT NULL,
    client_addr  text     NOT NULL,
    client_ref   text,
    template_id  bigint,
    unit_price   bigint,
    -- The node that hands it to a carrier link: the one that accepted it, until that node
    -- dies and another adopts what it left unsent.
    node         text     NOT NULL DEFAULT '',
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE messages_default PARTITION OF messages DEFAULT;
CREATE INDEX messages_by_account ON messages (account_id, id);
CREATE INDEX messages_by_account_status ON messages (account_id, status, id)
    WHERE status NOT IN ('accepted', 'queued', 'submitted', 'delivered');
CREATE INDEX messages_by_client_ref ON messages (client_ref, id) WHERE client_ref IS NOT NULL;
CREATE INDEX messages_by_sender ON messages (sender, id);
CREATE INDEX messages_by_to_hash ON messages (to_hash, account_id, id);
CREATE INDEX messages_pending ON messages (node, id) WHERE status = 'accepted';

CREATE TABLE segments (
    message_id     bigint   NOT NULL,
    number         smallint NOT NULL,
    channel        text     NOT NULL,
    carrier_msg_id text,
    submit_result  integer  NOT NULL,
    submit_error   text,
    submitted_at   bigint   NOT NULL,
    report_stat    text,
    done_at        bigint,
    reported_at    bigint,
    report_raw     bytea,
    PRIMARY KEY (message_id, number)
) PARTITION BY RANGE (message_id);
CREATE TABLE segments_default PARTITION OF segments DEFAULT;
CREATE INDEX segments_by_carrier_id ON segments (channel, carrier_msg_id) WHERE carrier_msg_id IS NOT NULL;
CREATE INDEX segments_unreported ON segments (submitted_at) WHERE report_stat IS NULL AND submit_result = 0;

-- A report that came before the carrier's response named its id; applied with the response.
CREATE TABLE early_reports (
    channel        text   NOT NULL,
    carrier_msg_id text   NOT NULL,
    stat           text   NOT NULL,
    done_at        bigint,
    received_at    bigint NOT NULL,
    raw            bytea  NOT NULL,
    PRIMARY KEY (channel, carrier_msg_id)
);

-- A client reference with the answer it got, for replays.
CREATE TABLE client_requests (
    account_id   bigint NOT NULL,
    client_ref   text   NOT NULL,
    answer       bytea  NOT NULL,
    created_at   bigint NOT NULL,
    request_hash bytea,
    PRIMARY KEY (account_id, client_ref)
);

-- The statements' totals (hongyan_store::totals), per Beijing day and per minute.
CREATE TABLE usage_daily (
    account_id      bigint NOT NULL,
    day             bigint NOT NULL,
    carrier         text   NOT NULL,
    category        text   NOT NULL,
    channel         text   NOT NULL,
    status          text   NOT NULL,
    messages        bigint NOT NULL DEFAULT 0,
    billed_segments bigint NOT NULL DEFAULT 0,
    priced_segments bigint NOT NULL DEFAULT 0,
    amount          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day, carrier, category, channel, status)
);
CREATE INDEX usage_daily_by_day ON usage_daily (day);
CREATE TABLE accepted_minutely (
    account_id bigint NOT NULL,
    minute     bigint NOT NULL,
    messages   bigint NOT NULL,
    PRIMARY KEY (minute, account_id)
);

-- Client systems on SMPP/CMPP: the part ids a message was accepted under, the parts of long
-- messages still waiting for the rest, and long messages refused for good.
CREATE TABLE client_submits (
    message_id    bigint   NOT NULL,
    part          smallint NOT NULL,
    protocol      text     NOT NULL,
    client_msg_id text     NOT NULL,
    source        text     NOT NULL,
    receipt       boolean  NOT NULL,
    PRIMARY KEY (message_id, part)
);
CREATE TABLE client_parts (
    account_id    bigint   NOT NULL,
    protocol      text     NOT NULL,
    group_key     text     NOT NULL,
    part          smallint NOT NULL,
    total         smallint NOT NULL,
    client_msg_id text     NOT NULL,
    source        text     NOT NULL,
    to_number     bytea    NOT NULL,
    category      text     NOT NULL,
    receipt       boolean  NOT NULL,
    content       bytea    NOT NULL,
    received_at   bigint   NOT NULL,
    sender        text     NOT NULL,
    client_addr   text     NOT NULL,
    PRIMARY KEY (account_id, protocol, group_key, part)
);
CREATE INDEX client_parts_by_time ON client_parts (received_at);
CREATE TABLE client_refusals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL,
    protocol    text   NOT NULL,
    part_ids    text   NOT NULL,
    source      text   NOT NULL,
    to_number   bytea  NOT NULL,
    error       text   NOT NULL,
    accepted_at bigint NOT NULL,
    refused_at  bigint NOT NULL
);

-- Replies (MO).
CREATE TABLE mo_messages (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   bigint,
    channel      text    NOT NULL,
    from_number  bytea   NOT NULL,
    from_hash    bytea   NOT NULL,
    to_number    text    NOT NULL,
    extension    text,
    content      bytea   NOT NULL,
    unsubscribed boolean NOT NULL DEFAULT false,
    received_at  bigint  NOT NULL
);
CREATE INDEX mo_by_account ON mo_messages (account_id, id);
CREATE INDEX mo_by_from_hash ON mo_messages (from_hash, id);

-- Each account's events in order. Appends of one account are serialized (an advisory lock
-- taken at the end of the transaction that appends), so within an account the sequence
-- follows commit order and a reader that acknowledged one event never misses an earlier one.
CREATE TABLE feed (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint   NOT NULL,
    kind       text     NOT NULL,
    ref_id     bigint   NOT NULL,
    segment    smallint NOT NULL DEFAULT 0,
    created_at bigint   NOT NULL,
    push_only  boolean  NOT NULL DEFAULT false,
    stat       text,
    status     text
);
CREATE INDEX feed_by_account_kind ON feed (account_id, kind, seq);
CREATE INDEX feed_by_report ON feed (ref_id) WHERE kind = 'report';
CREATE INDEX feed_replies ON feed (seq) WHERE kind = 'mo';
CREATE TABLE feed_cursors (
    account_id bigint NOT NULL,
    consumer   text   NOT NULL,
    acked      bigint NOT NULL,
    PRIMARY KEY (account_id, consumer)
);

-- Callback pushing: each account's failing series, its attempts, and batches given up on.
CREATE TABLE push_state (
    account_id    bigint  PRIMARY KEY,
    attempts      integer NOT NULL,
    next_at       bigint  NOT NULL,
    failing_since bigint  NOT NULL,
    last_error    text    NOT NULL
);
CREATE TABLE push_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL,
    first_seq  bigint NOT NULL,
    last_seq   bigint NOT NULL,
    url        text   NOT NULL,
    at         bigint NOT NULL,
    error      text
);
CREATE INDEX push_attempts_by_seq ON push_attempts (account_id, first_seq);
CREATE TABLE push_failures (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL,
    first_seq  bigint NOT NULL,
    last_seq   bigint NOT NULL,
    error      text   NOT NULL,
    failed_at  bigint NOT NULL,
    resent_at  bigint
);
CREATE INDEX push_failures_by_account ON push_failures (account_id, id);
