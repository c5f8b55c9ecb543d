-- Status reports that arrived before the submit response carrying their message id (a
-- gateway may send both at once, or the response may be re-sent after a reconnect). They
-- are applied when the response is recorded, in the same transaction.
CREATE TABLE early_reports (
    channel        TEXT    NOT NULL,
    carrier_msg_id TEXT    NOT NULL,
    stat           TEXT    NOT NULL,
    done_at        INTEGER,
    received_at    INTEGER NOT NULL,
    raw            TEXT    NOT NULL,
    PRIMARY KEY (channel, carrier_msg_id)
) WITHOUT ROWID;
