-- The lead's actions: their own order of the queue, the ITSM version each ticket was last
-- seen at, and the outbox of changes waiting to reach the ITSM.

-- The lead's manual order: tickets with a rank come first, lowest rank first (pinned = ranked).
ALTER TABLE tickets ADD COLUMN lead_rank REAL;
-- The ITSM's version of the ticket (ETag, sys_updated_at) when the replica last pulled it.
ALTER TABLE tickets ADD COLUMN server_version TEXT;
CREATE INDEX tickets_lead_rank ON tickets (lead_rank) WHERE lead_rank IS NOT NULL;

-- Which outbox operation made a history entry (none for entries pulled from the ITSM).
ALTER TABLE ticket_history ADD COLUMN op_id TEXT;
CREATE INDEX ticket_history_op ON ticket_history (op_id) WHERE op_id IS NOT NULL;

-- Changes made here and not yet accepted by the ITSM, in the order they were made.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    op_id        TEXT NOT NULL UNIQUE,          -- idempotency key for the ITSM
    ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,                 -- the action, JSON
    undo         TEXT NOT NULL,                 -- what the ticket was before, JSON (for discard)
    base_version TEXT,                          -- tickets.server_version the change was based on
    created_at   INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'failed', 'conflict')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX outbox_ticket ON outbox (ticket_id);
