-- Text search without reading every ticket: a trigram index (substring matches, any case,
-- Cyrillic included) over the fields the queue search looks at, kept in step by triggers.
-- Fields are separated by char(1) so a match never spans two of them.
CREATE VIRTUAL TABLE tickets_search USING fts5(text, tokenize = 'trigram');

INSERT INTO tickets_search (rowid, text)
SELECT t.id, t.number || char(1) || t.subject || char(1) || t.contact_name || char(1) || coalesce(t.contact_email, '') || char(1) || c.name
FROM tickets t JOIN clients c ON c.id = t.client_id;

CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_search (rowid, text)
    SELECT new.id, new.number || char(1) || new.subject || char(1) || new.contact_name || char(1) || coalesce(new.contact_email, '') || char(1) || c.name
    FROM clients c WHERE c.id = new.client_id;
END;

CREATE TRIGGER tickets_search_update AFTER UPDATE OF number, subject, contact_name, contact_email, client_id ON tickets BEGIN
    DELETE FROM tickets_search WHERE rowid = old.id;
    INSERT INTO tickets_search (rowid, text)
    SELECT new.id, new.number || char(1) || new.subject || char(1) || new.contact_name || char(1) || coalesce(new.contact_email, '') || char(1) || c.name
    FROM clients c WHERE c.id = new.client_id;
END;

CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
    DELETE FROM tickets_search WHERE rowid = old.id;
END;
