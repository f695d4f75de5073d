-- The lead's order (hand-placed first, then priority, deadline, age) as indexes, so the
-- first page of the queue is read in order instead of sorting every ticket: one over all
-- tickets, one over the open queue that the window shows by default.
DROP INDEX tickets_queue_order;
CREATE INDEX tickets_lead_order ON tickets
    (lead_rank IS NULL, lead_rank, priority, due_at IS NULL, due_at, created_at, id);
CREATE INDEX tickets_open_lead_order ON tickets
    (lead_rank IS NULL, lead_rank, priority, due_at IS NULL, due_at, created_at, id)
    WHERE status NOT IN ('completed', 'closed');
-- Counting the open queue (per line and status) without visiting closed tickets.
CREATE INDEX tickets_open_line ON tickets (line, status, priority)
    WHERE status NOT IN ('completed', 'closed');
