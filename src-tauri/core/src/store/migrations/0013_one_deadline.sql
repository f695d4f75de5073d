-- One deadline: a ticket's `due_at` is the moment its resolution clock reaches the target
-- under the client's contract (support hours, holidays, pauses), as the SLA board counts it,
-- instead of plain hours from registration. While the clock is stopped there is no such
-- moment: `due_at` is NULL and `sla_paused_left` holds the support seconds left.
ALTER TABLE tickets ADD COLUMN sla_paused_left INTEGER;

-- The deadlines stored so far were counted the old way: the replica gives its tickets that
-- are not closed their deadline again when it is next opened (`store::Replica::open`).
INSERT INTO settings (key, value) VALUES ('deadlines-stale', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
