-- The first replica schema. Times are UTC seconds since the epoch.

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    contract_no TEXT NOT NULL UNIQUE,
    time_zone   TEXT NOT NULL
);

-- Contact persons each client authorised to raise tickets.
CREATE TABLE contacts (
    id        INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id),
    name      TEXT NOT NULL,
    email     TEXT NOT NULL COLLATE NOCASE,
    phone     TEXT,
    UNIQUE (client_id, email)
);

CREATE TABLE staff (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('line-1', 'line-2', 'line-3', 'lead', 'deputy')),
    skills    TEXT NOT NULL DEFAULT '',   -- comma-separated skill codes, strongest first
    languages TEXT NOT NULL DEFAULT '',   -- comma-separated ISO 639-1 codes
    office    TEXT NOT NULL,
    time_zone TEXT NOT NULL
);

-- The service-request model: each type's priority and fulfilment time.
CREATE TABLE request_types (
    code             TEXT PRIMARY KEY,
    name_en          TEXT NOT NULL,
    name_ru          TEXT NOT NULL,
    priority         INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    fulfilment_hours INTEGER NOT NULL CHECK (fulfilment_hours > 0)
);

CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL CHECK (kind IN ('incident', 'request')),
    client_id          INTEGER NOT NULL REFERENCES clients(id),
    contact_name       TEXT NOT NULL,
    contact_email      TEXT,
    contact_authorised INTEGER NOT NULL DEFAULT 1 CHECK (contact_authorised IN (0, 1)),
    channel            TEXT NOT NULL CHECK (channel IN ('email', 'portal', 'phone', 'monitoring', 'telegram')),
    service            TEXT NOT NULL,
    request_type       TEXT REFERENCES request_types(code),
    subject            TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    urgency            TEXT NOT NULL CHECK (urgency IN ('very-high', 'high', 'medium', 'low', 'none')),
    impact             TEXT NOT NULL CHECK (impact IN ('very-high', 'high', 'medium', 'low', 'none')),
    priority           INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    status             TEXT NOT NULL CHECK (status IN ('registered', 'assigned', 'in-progress', 'completed',
                                                       'closed', 'rejected-by-user', 'information-needed',
                                                       'external-processing')),
    line               INTEGER NOT NULL CHECK (line IN (1, 2, 3)),
    assignee_id        INTEGER REFERENCES staff(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    first_response_at  INTEGER,
    completed_at       INTEGER,
    closed_at          INTEGER,
    due_at             INTEGER,             -- resolution deadline (SLA), when known
    closure_code       TEXT
);
-- The lead's order: priority, then SLA deadline, then age.
CREATE INDEX tickets_queue_order ON tickets (priority, due_at, created_at);
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX tickets_line ON tickets (line, status);
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id);
CREATE INDEX tickets_client ON tickets (client_id);

-- Every field change: who, when, old -> new, why.
CREATE TABLE ticket_history (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    field     TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason    TEXT
);
CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, at);

-- Additional Comments.
CREATE TABLE comments (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at        INTEGER NOT NULL,
    author    TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Per connector: when the replica last synced with the ITSM.
CREATE TABLE sync_state (
    connector      TEXT PRIMARY KEY,
    last_synced_at INTEGER,
    cursor         TEXT
);
