-- One deadline, and the ITSM's own history.
--
-- A ticket's `due_at` is the moment its resolution clock reaches the target
-- under the client's contract (support hours, holidays, pauses), as the SLA board counts it,
-- instead of plain hours from registration. While the clock is stopped there is no such
-- moment: `due_at` is NULL and `sla_paused_left` holds the support seconds left.
ALTER TABLE tickets ADD COLUMN sla_paused_left INTEGER;

-- The deadlines stored so far were counted the old way: the replica gives its tickets that
-- are not closed their deadline again when it is next opened (`store::Replica::open`).
INSERT INTO settings (key, value) VALUES ('deadlines-stale', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- The ITSM's own history: each pulled change keeps the ITSM's id for it (RT: the transaction
-- id), so a delta that overlaps what is stored adds nothing twice, and a change this replica
-- pushed is matched with the ITSM's record of it instead of being listed again.
ALTER TABLE ticket_history ADD COLUMN source_id TEXT;
CREATE UNIQUE INDEX ticket_history_source ON ticket_history (ticket_id, source_id) WHERE source_id IS NOT NULL;

-- People from the ITSM: the staff directory and each person's line come from the ITSM's line
-- groups; a person the sync made (or a placeholder for a login) is marked, so tying the login
-- to someone of the lead's own roster merges the two.
ALTER TABLE staff ADD COLUMN from_itsm INTEGER NOT NULL DEFAULT 0;
UPDATE staff SET from_itsm = 1 WHERE itsm_login IS NOT NULL AND name = itsm_login;
