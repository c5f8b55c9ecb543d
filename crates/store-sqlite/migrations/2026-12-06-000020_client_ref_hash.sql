-- A hash of the normalised request kept with its client reference, so a reference reused for
-- a different request is refused (409 client_ref_conflict) instead of answered with the first
-- request's answer. NULL for references recorded before this column: those replay as before.
ALTER TABLE client_requests ADD COLUMN request_hash BLOB;
