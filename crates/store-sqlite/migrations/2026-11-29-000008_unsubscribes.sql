-- Numbers that replied "TD" (退订) to an account's marketing: they get no more marketing from
-- it, while verification codes and notices still reach them.
CREATE TABLE unsubscribes (
    account_id INTEGER NOT NULL,
    number     TEXT    NOT NULL,
    keyword    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (number, account_id)
) WITHOUT ROWID;

CREATE INDEX signatures_by_extension ON signatures (extension);
