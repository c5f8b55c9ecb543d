-- Per-account limits. NULL means "the platform default" (for the verification frequency
-- limits) or "no limit" (rate and quotas); 0 for a frequency limit means "no limit".
ALTER TABLE accounts ADD COLUMN rate_limit INTEGER;
ALTER TABLE accounts ADD COLUMN daily_quota INTEGER;
ALTER TABLE accounts ADD COLUMN monthly_quota INTEGER;
ALTER TABLE accounts ADD COLUMN verification_per_minute INTEGER;
ALTER TABLE accounts ADD COLUMN verification_per_hour INTEGER;
ALTER TABLE accounts ADD COLUMN verification_per_day INTEGER;

-- Numbers that must not receive messages: account_id 0 = every account (global).
CREATE TABLE blacklist (
    account_id INTEGER NOT NULL,
    number     TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (number, account_id)
) WITHOUT ROWID;
