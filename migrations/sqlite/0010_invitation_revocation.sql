-- The secretariat may withdraw an invitation: its link then answers 410.
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
