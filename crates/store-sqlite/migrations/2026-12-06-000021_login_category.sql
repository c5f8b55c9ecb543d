-- The category an SMPP/CMPP login's submits take when they name none (empty service_type or
-- Service_Id): the category's name; NULL = notification, as before this column.
ALTER TABLE client_logins ADD COLUMN default_category TEXT;
