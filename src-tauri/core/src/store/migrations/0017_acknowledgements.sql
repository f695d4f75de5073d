-- Escalations that are acknowledged: each time the lead raises a ticket nobody took into
-- work to the next level of the chain (1: the backup specialist, 2: the deputy, 3: the lead),
-- when, and to whom. The wait for a pickup starts again from the raise.
CREATE TABLE ack_raises (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    level     INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    at        INTEGER NOT NULL,
    staff_id  INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (ticket_id, level)
);
