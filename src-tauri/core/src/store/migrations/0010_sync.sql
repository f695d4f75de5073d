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

-- Tickets to read again from the ITSM at the next sync (after the user took the ITSM's value).
CREATE TABLE sync_refetch (
    external_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- One sync at a time per replica (the window's worker and the CLI): a lease, renewed while
-- the sync runs, that a crashed sync leaves to expire.
CREATE TABLE sync_lease (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    until  INTEGER NOT NULL
);
