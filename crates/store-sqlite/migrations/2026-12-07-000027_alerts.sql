-- Alerts (issue 15): raised while a rule's condition holds; no personal data in them.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    last_sent_at INTEGER NOT NULL,
    sends INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX alerts_active ON alerts (rule, subject) WHERE resolved_at IS NULL;
