-- A scratch table the writer fills and empties to learn whether a full disk has room again.
CREATE TABLE space_probe (pad BLOB NOT NULL);
