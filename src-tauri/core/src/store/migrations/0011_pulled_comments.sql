-- Comments written in the ITSM by others, pulled into the replica: the ITSM's id for each,
-- so a comment read twice is stored once.
ALTER TABLE comments ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX comments_external_id ON comments (external_id) WHERE external_id IS NOT NULL;
