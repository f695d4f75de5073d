-- Tickets registered per UTC hour, kept in step with the tickets by triggers, so load by
-- hour, weekday or day over any period (all time included) reads one row per hour instead
-- of every ticket. `hour` is created_at / 3600.
CREATE TABLE load_hourly (
    hour    INTEGER PRIMARY KEY,
    tickets INTEGER NOT NULL
);
INSERT INTO load_hourly (hour, tickets) SELECT created_at / 3600, count(*) FROM tickets GROUP BY 1;

CREATE TRIGGER load_hourly_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO load_hourly (hour, tickets) VALUES (NEW.created_at / 3600, 1)
        ON CONFLICT (hour) DO UPDATE SET tickets = tickets + 1;
END;
CREATE TRIGGER load_hourly_delete AFTER DELETE ON tickets BEGIN
    UPDATE load_hourly SET tickets = tickets - 1 WHERE hour = OLD.created_at / 3600;
END;
CREATE TRIGGER load_hourly_update AFTER UPDATE OF created_at ON tickets
    WHEN OLD.created_at / 3600 <> NEW.created_at / 3600 BEGIN
    UPDATE load_hourly SET tickets = tickets - 1 WHERE hour = OLD.created_at / 3600;
    INSERT INTO load_hourly (hour, tickets) VALUES (NEW.created_at / 3600, 1)
        ON CONFLICT (hour) DO UPDATE SET tickets = tickets + 1;
END;
