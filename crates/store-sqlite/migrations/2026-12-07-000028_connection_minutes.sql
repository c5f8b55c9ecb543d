-- Link quality per connection too (issue 15): a channel's rows keep link NULL (all its
-- connections together), each connection's carry its index.
ALTER TABLE link_minutes ADD COLUMN link INTEGER;
CREATE INDEX link_minutes_by_link ON link_minutes (channel, link, minute);
