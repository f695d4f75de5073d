-- Tickets per status and line, kept in step with the tickets by triggers: the queue's count
-- chips (status and line, no other filter) read a few rows instead of every ticket.
CREATE TABLE queue_counts (
    status  TEXT NOT NULL,
    line    INTEGER NOT NULL,
    tickets INTEGER NOT NULL,
    PRIMARY KEY (status, line)
) WITHOUT ROWID;
INSERT INTO queue_counts (status, line, tickets) SELECT status, line, count(*) FROM tickets GROUP BY status, line;

CREATE TRIGGER queue_counts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO queue_counts (status, line, tickets) VALUES (NEW.status, NEW.line, 1)
        ON CONFLICT (status, line) DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER queue_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE queue_counts SET tickets = tickets - 1 WHERE status = OLD.status AND line = OLD.line;
END;
CREATE TRIGGER queue_counts_update AFTER UPDATE OF status, line ON tickets
    WHEN OLD.status <> NEW.status OR OLD.line <> NEW.line BEGIN
    UPDATE queue_counts SET tickets = tickets - 1 WHERE status = OLD.status AND line = OLD.line;
    INSERT INTO queue_counts (status, line, tickets) VALUES (NEW.status, NEW.line, 1)
        ON CONFLICT (status, line) DO UPDATE SET tickets = tickets + 1;
END;
