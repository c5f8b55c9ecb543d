-- Incidents (issue 15): opened by the platform (a channel down or failing) or reported by
-- people; the texts are sealed (label 'incident'): a reporter may name a taxpayer's number.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    channel TEXT,
    symptom BLOB NOT NULL,
    opened_at INTEGER NOT NULL,
    opened_by TEXT NOT NULL,
    account_id INTEGER,
    fixed_at INTEGER,
    cause BLOB,
    actions BLOB,
    result BLOB,
    reported_at INTEGER
);
CREATE INDEX incidents_by_time ON incidents (opened_at);
CREATE INDEX incidents_open ON incidents (channel, kind) WHERE fixed_at IS NULL;
