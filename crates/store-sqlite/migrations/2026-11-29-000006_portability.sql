-- Number portability (携号转网): the carrier a number moved to, overriding its segment.
CREATE TABLE ported_numbers (
    number     TEXT    PRIMARY KEY,
    carrier    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
