-- Scheduled sending: when the message may first be submitted (NULL = at once). Quiet hours for
-- marketing are applied at accept time and stored here too.
ALTER TABLE messages ADD COLUMN send_at INTEGER;
