-- Looking back on replies needs an index, for they are few among the events; looking back on
-- reports does not: they are most of the feed, so walking the feed itself newest first finds
-- them at once. The index (kind, seq) was one more B-tree insert for every report stored.
DROP INDEX feed_by_kind;
CREATE INDEX feed_replies ON feed (seq) WHERE kind = 'mo';
