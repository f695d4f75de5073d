-- Two-way sync with the ITSM: which remote ticket a replica ticket is, which ITSM login a
-- staff member has, and the conflicts waiting for the user's decision.

ALTER TABLE tickets ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX tickets_external_id ON tickets (external_id) WHERE external_id IS NOT NULL;

ALTER TABLE staff ADD COLUMN itsm_login TEXT;
CREATE UNIQUE INDEX staff_itsm_login ON staff (itsm_login) WHERE itsm_login IS NOT NULL;

-- An operation whose field the ITSM changed since the operation's base: both values kept
-- until the user keeps theirs (re-sent on the new base) or takes the ITSM's (rolled back).
CREATE TABLE sync_conflicts (
    id          INTEGER PRIMARY KEY,
    op_id       TEXT NOT NULL UNIQUE REFERENCES outbox (op_id) ON DELETE CASCADE,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    field       TEXT NOT NULL,
    mine        TEXT NOT NULL,
    theirs      TEXT NOT NULL,
    detected_at INTEGER NOT NULL
);
