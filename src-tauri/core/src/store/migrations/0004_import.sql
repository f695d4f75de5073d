-- Tickets imported from another ITSM keep what that ITSM said.
ALTER TABLE tickets ADD COLUMN source TEXT;                  -- 'servicenow', …; NULL for the desk's own
ALTER TABLE tickets ADD COLUMN source_priority TEXT;         -- the priority as the source gave it
ALTER TABLE tickets ADD COLUMN priority_mismatch INTEGER NOT NULL DEFAULT 0 CHECK (priority_mismatch IN (0, 1));
ALTER TABLE tickets ADD COLUMN location TEXT;
ALTER TABLE tickets ADD COLUMN category TEXT;
ALTER TABLE tickets ADD COLUMN assignment_group TEXT;
