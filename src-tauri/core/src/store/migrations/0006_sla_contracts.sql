-- Each client's SLA contract as JSON (support hours, targets, pauses, availability,
-- compensation); a client without a row has the default contract.
CREATE TABLE sla_contracts (
    client_id INTEGER PRIMARY KEY REFERENCES clients(id),
    contract  TEXT NOT NULL CHECK (json_valid(contract))
);

