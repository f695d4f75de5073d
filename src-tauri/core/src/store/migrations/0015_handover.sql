-- The shift handover: the outgoing lead's notes for one shift boundary (the instant the
-- incoming shift starts), kept with the replica so the report can be printed again.
CREATE TABLE handovers (
    at         INTEGER PRIMARY KEY,    -- the boundary, UTC seconds
    notes      TEXT NOT NULL DEFAULT '',
    written_by TEXT NOT NULL,
    written_at INTEGER NOT NULL
);
