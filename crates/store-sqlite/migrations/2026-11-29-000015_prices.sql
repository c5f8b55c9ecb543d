-- An account's price table for statements: one rule per line, `carrier|category|price`, with
-- `*` for "any" and the price in 0.0001 yuan. NULL: no prices set.
ALTER TABLE account_rights ADD COLUMN prices TEXT;
