-- Statements that stay true.
--
-- A message's price per billed segment is fixed when it is accepted (ten-thousandths of a
-- yuan; NULL when the account had no price for it), so a later price change does not rewrite
-- a past statement.
ALTER TABLE messages ADD COLUMN unit_price INTEGER;

-- Daily totals per account, carrier, category, channel and state, kept by the triggers below
-- in the transaction of every change, and never deleted by retention: a statement for a purged
-- period is still exact. `day` is the Beijing day: (UTC ms + 8 h) / 1 day.
CREATE TABLE usage_daily (
    account_id      INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    carrier         TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    messages        INTEGER NOT NULL DEFAULT 0,
    billed_segments INTEGER NOT NULL DEFAULT 0,
    priced_segments INTEGER NOT NULL DEFAULT 0,
    amount          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day, carrier, category, channel, status)
) WITHOUT ROWID;

INSERT INTO usage_daily (account_id, day, carrier, category, channel, status, messages, billed_segments)
SELECT account_id, (accepted_at + 28800000) / 86400000, carrier, category, channel, status, count(*), sum(billed)
FROM (SELECT m.*, (SELECT count(*) FROM segments s WHERE s.message_id = m.id AND s.submit_result = 0) AS billed
      FROM messages m)
GROUP BY 1, 2, 3, 4, 5, 6;

-- Messages accepted per minute and account: the console's sending charts read this, not the
-- messages (an hour at the peak rate is millions of rows). Kept like usage_daily.
CREATE TABLE accepted_minutely (
    account_id INTEGER NOT NULL,
    minute     INTEGER NOT NULL,  -- UTC ms / 60 000
    messages   INTEGER NOT NULL,
    PRIMARY KEY (minute, account_id)
) WITHOUT ROWID;

INSERT INTO accepted_minutely (account_id, minute, messages)
SELECT account_id, accepted_at / 60000, count(*) FROM messages GROUP BY 1, 2;

-- A message accepted.
CREATE TRIGGER usage_on_accept AFTER INSERT ON messages BEGIN
    INSERT INTO usage_daily (account_id, day, carrier, category, channel, status, messages)
    VALUES (NEW.account_id, (NEW.accepted_at + 28800000) / 86400000, NEW.carrier, NEW.category, NEW.channel,
            NEW.status, 1)
    ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET messages = messages + 1;
    INSERT INTO accepted_minutely (account_id, minute, messages) VALUES (NEW.account_id, NEW.accepted_at / 60000, 1)
    ON CONFLICT (minute, account_id) DO UPDATE SET messages = messages + 1;
END;

-- A segment the carrier accepted is billed (once: a row replaced by the same answer adds
-- nothing, a refusal replaced by an acceptance adds one). BEFORE, so the row being replaced is
-- still there to compare with.
CREATE TRIGGER usage_on_segment BEFORE INSERT ON segments BEGIN
    INSERT INTO usage_daily (account_id, day, carrier, category, channel, status,
                             billed_segments, priced_segments, amount)
    SELECT m.account_id, (m.accepted_at + 28800000) / 86400000, m.carrier, m.category, m.channel, m.status,
           d.n, CASE WHEN m.unit_price IS NULL THEN 0 ELSE d.n END, coalesce(m.unit_price, 0) * d.n
    FROM messages m,
         (SELECT (NEW.submit_result = 0)
                 - coalesce((SELECT submit_result = 0 FROM segments
                             WHERE message_id = NEW.message_id AND number = NEW.number), 0) AS n) d
    WHERE m.id = NEW.message_id AND d.n != 0
    ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET
        billed_segments = billed_segments + excluded.billed_segments,
        priced_segments = priced_segments + excluded.priced_segments,
        amount = amount + excluded.amount;
END;

-- A message changing state or channel moves, with its billed segments, to its new line.
CREATE TRIGGER usage_on_move AFTER UPDATE OF status, channel ON messages
WHEN OLD.status IS NOT NEW.status OR OLD.channel IS NOT NEW.channel BEGIN
    UPDATE usage_daily SET
        messages = messages - 1,
        billed_segments = billed_segments - b.n,
        priced_segments = priced_segments - CASE WHEN OLD.unit_price IS NULL THEN 0 ELSE b.n END,
        amount = amount - coalesce(OLD.unit_price, 0) * b.n
    FROM (SELECT count(*) AS n FROM segments WHERE message_id = OLD.id AND submit_result = 0) b
    WHERE account_id = OLD.account_id AND day = (OLD.accepted_at + 28800000) / 86400000 AND carrier = OLD.carrier
      AND category = OLD.category AND channel = OLD.channel AND status = OLD.status;
    INSERT INTO usage_daily (account_id, day, carrier, category, channel, status,
                             messages, billed_segments, priced_segments, amount)
    SELECT NEW.account_id, (NEW.accepted_at + 28800000) / 86400000, NEW.carrier, NEW.category, NEW.channel,
           NEW.status, 1, b.n, CASE WHEN NEW.unit_price IS NULL THEN 0 ELSE b.n END, coalesce(NEW.unit_price, 0) * b.n
    FROM (SELECT count(*) AS n FROM segments WHERE message_id = NEW.id AND submit_result = 0) b
    WHERE true
    ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET
        messages = messages + 1,
        billed_segments = billed_segments + excluded.billed_segments,
        priced_segments = priced_segments + excluded.priced_segments,
        amount = amount + excluded.amount;
END;
