-- Link quality, one row per channel per minute and process run (issue 15). No personal data:
-- counts and times only, so nothing here is sealed.
CREATE TABLE link_minutes (
    channel TEXT NOT NULL,
    minute INTEGER NOT NULL,          -- start of the minute, UTC ms
    up_ms INTEGER NOT NULL,
    submits INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    throttled INTEGER NOT NULL,
    unanswered INTEGER NOT NULL,
    resends INTEGER NOT NULL,
    drops INTEGER NOT NULL,
    probes INTEGER NOT NULL,
    rtt BLOB NOT NULL,                -- sparse histogram: (bucket u8, count u32 LE)*
    rtt_sum_us INTEGER NOT NULL,
    rtt_max_us INTEGER NOT NULL,
    jitter_sum_us INTEGER NOT NULL,
    jitter_pairs INTEGER NOT NULL,
    in_flight_max INTEGER NOT NULL,
    codes TEXT NOT NULL               -- refusals by result code: "code:count code:count"
);
CREATE INDEX link_minutes_by_channel ON link_minutes (channel, minute);
CREATE INDEX link_minutes_by_minute ON link_minutes (minute);
