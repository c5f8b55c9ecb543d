-- Long messages of client systems refused as a whole after some parts were acknowledged
-- (too long, a sensitive word, a refused number, …): the parts are dropped, and when the
-- client asked for receipts a 'refused' feed event owes each acknowledged part id a
-- REJECTD receipt. `part_ids` are the ids separated by spaces; `to_number` is sealed.
CREATE TABLE client_refusals (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    protocol   TEXT    NOT NULL,
    part_ids   TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    to_number  TEXT    NOT NULL,
    error      TEXT    NOT NULL,
    accepted_at INTEGER NOT NULL,
    refused_at INTEGER NOT NULL
);
