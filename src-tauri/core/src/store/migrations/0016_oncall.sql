-- The third line on call: the weeks the lead names by hand (skill, the week's Monday, who).
-- The other weeks follow from the rotation (roster::oncall), which every replica works out
-- the same way.
CREATE TABLE oncall_overrides (
    skill    TEXT NOT NULL,
    week     TEXT NOT NULL CHECK (week GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (skill, week)
);
