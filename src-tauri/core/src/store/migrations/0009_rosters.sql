-- Shift rosters: templates, each person's rotation, staffing and labour rules, public
-- holidays, absences, and each month's plan (a draft, and every published version kept).

-- A shift's shape: starts at `start_time` (HH:MM) for `minutes` of wall-clock time in
-- `time_zone`, or in the person's own zone when NULL; worked hours leave out `break_minutes`. Codes are one capital letter;
-- 'O' and '-' mean a day off in a rotation and cannot name a shift.
CREATE TABLE shift_templates (
    code              TEXT PRIMARY KEY CHECK (length(code) = 1 AND code GLOB '[A-Z]' AND code <> 'O'),
    name_en           TEXT NOT NULL,
    name_ru           TEXT NOT NULL,
    start_time        TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    minutes           INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    break_minutes     INTEGER NOT NULL DEFAULT 0 CHECK (break_minutes >= 0 AND break_minutes < minutes),
    time_zone         TEXT,
    observes_holidays INTEGER NOT NULL DEFAULT 0 CHECK (observes_holidays IN (0, 1))
);

-- Each person's repeating cycle (e.g. 'DDOONNOO', 'WWWWWOO'), aligned on `start_day`.
CREATE TABLE rotations (
    staff_id  INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    cycle     TEXT NOT NULL CHECK (length(cycle) BETWEEN 1 AND 62),
    start_day TEXT NOT NULL CHECK (start_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    crew      TEXT
);

-- Non-working days of the working-time calendar: public holidays (the working day before
-- one is an hour shorter) and days off moved from a weekend (no shorter eve).
CREATE TABLE holidays (
    day  TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'holiday' CHECK (kind IN ('holiday', 'transfer'))
);

CREATE TABLE absences (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('vacation', 'sick', 'training')),
    first_day TEXT NOT NULL,
    last_day  TEXT NOT NULL CHECK (last_day >= first_day),
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX absences_by_person ON absences (staff_id, first_day);

-- A month's plan: generated as a draft, edited, published. Publishing copies the plan into
-- roster_versions; later edits make a new draft and leave the published version as it was.
CREATE TABLE roster_months (
    month             TEXT PRIMARY KEY CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    state             TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    generated_at      INTEGER NOT NULL,
    published_version INTEGER
);

-- One cell per person and day of a generated month: a template code, or '' for a day off.
CREATE TABLE roster_entries (
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day      TEXT NOT NULL,
    month    TEXT NOT NULL REFERENCES roster_months (month) ON DELETE CASCADE,
    code     TEXT NOT NULL,
    manual   INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    PRIMARY KEY (staff_id, day)
) WITHOUT ROWID;
CREATE INDEX roster_entries_by_month ON roster_entries (month, day);

CREATE TABLE roster_versions (
    month        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    entries      TEXT NOT NULL, -- JSON [[staff_id, "YYYY-MM-DD", code], …]
    PRIMARY KEY (month, version)
);

-- Staffing and labour rules as one checked JSON document (see roster::Rules).
INSERT INTO shift_templates (code, name_en, name_ru, start_time, minutes, break_minutes, time_zone, observes_holidays) VALUES
    ('D', 'Day shift', 'Дневная смена', '08:00', 720, 0, 'Europe/Moscow', 0),
    ('N', 'Night shift', 'Ночная смена', '20:00', 720, 0, 'Europe/Moscow', 0),
    ('W', 'Office day', 'Рабочий день в офисе', '09:00', 540, 60, NULL, 1);
