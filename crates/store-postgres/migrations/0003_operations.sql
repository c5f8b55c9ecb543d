-- What operators watch: link quality by the minute, incidents, alerts. Times are milliseconds
-- since the epoch, UTC.

-- One row per channel (link NULL) or connection (its index) per minute and process run.
CREATE TABLE link_minutes (
    channel       text    NOT NULL,
    link          integer,
    minute        bigint  NOT NULL,
    up_ms         integer NOT NULL,
    submits       integer NOT NULL,
    accepted      integer NOT NULL,
    refused       integer NOT NULL,
    throttled     integer NOT NULL,
    unanswered    integer NOT NULL,
    resends       integer NOT NULL,
    drops         integer NOT NULL,
    probes        integer NOT NULL,
    rtt           bytea   NOT NULL,   -- sparse histogram: (bucket u8, count u32 LE)*
    rtt_sum_us    bigint  NOT NULL,
    rtt_max_us    bigint  NOT NULL,
    jitter_sum_us bigint  NOT NULL,
    jitter_pairs  integer NOT NULL,
    in_flight_max integer NOT NULL,
    codes         text    NOT NULL    -- refusals by result code: "code:count code:count"
);
CREATE INDEX link_minutes_by_link ON link_minutes (channel, link, minute);
CREATE INDEX link_minutes_by_minute ON link_minutes (minute);

-- Incident texts are sealed with the data keys, as messages are: staff write numbers and
-- names into them.
CREATE TABLE incidents (
    id          bigserial PRIMARY KEY,
    kind        text      NOT NULL,
    channel     text,
    symptom     bytea     NOT NULL,
    opened_at   bigint    NOT NULL,
    opened_by   text      NOT NULL,
    account_id  bigint,
    fixed_at    bigint,
    cause       bytea,
    actions     bytea,
    result      bytea,
    reported_at bigint
);
CREATE INDEX incidents_by_time ON incidents (opened_at);
CREATE INDEX incidents_open ON incidents (channel, kind) WHERE fixed_at IS NULL;

CREATE TABLE alerts (
    id           bigserial PRIMARY KEY,
    rule         text      NOT NULL,
    subject      text      NOT NULL,
    message      text      NOT NULL,
    started_at   bigint    NOT NULL,
    last_sent_at bigint    NOT NULL,
    sends        integer   NOT NULL,
    resolved_at  bigint
);
CREATE INDEX alerts_active ON alerts (rule, subject) WHERE resolved_at IS NULL;
