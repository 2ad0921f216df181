-- Schema version 2: what produced each stored result (crosswire.runstamp).
-- `producers` keeps each producer stamp once (version, stages, model
-- fingerprints); a result names the producer that extracted it, a run the
-- producer it ran with and its full stamp (with whether each model loaded).
-- `store_state` holds flags that must survive a crash, such as a full
-- resolution owed after re-extraction.

CREATE TABLE IF NOT EXISTS producers (
    id TEXT PRIMARY KEY,
    stamp TEXT,
    first_seen TEXT
);

ALTER TABLE results ADD COLUMN producer TEXT;

ALTER TABLE runs ADD COLUMN producer TEXT;

ALTER TABLE runs ADD COLUMN stamp TEXT;

CREATE TABLE IF NOT EXISTS store_state (
    key TEXT PRIMARY KEY,
    value TEXT
);
