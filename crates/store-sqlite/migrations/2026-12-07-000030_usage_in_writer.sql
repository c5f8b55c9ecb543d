-- The statements' totals (usage_daily, accepted_minutely) are counted by the writer and
-- written once per commit, in the same transaction as the changes they count
-- (src/usage.rs). The triggers that kept them, several statements per message change, go.
DROP TRIGGER usage_on_accept;
DROP TRIGGER usage_on_segment;
DROP TRIGGER usage_on_move;
