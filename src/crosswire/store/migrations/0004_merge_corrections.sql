-- Schema version 4 (issue 23): an event's confidence (the highest of its
-- mentions', for `crosswire events --min-confidence` and the API's
-- `min_confidence`), and the corrections a person made to merges.
-- `event_corrections` keeps each split or join as mention ids, so that every
-- later resolution, incremental or full, applies it (resolve/corrections.py):
-- kind `split`: the mentions of `mentions` never share an event with those of
-- `others`; kind `join`: the mentions of `mentions` are always one event.
-- Corrections are primary data: they are never deleted with the derived tables.

ALTER TABLE events ADD COLUMN confidence DOUBLE PRECISION;

CREATE TABLE IF NOT EXISTS event_corrections (
    id TEXT PRIMARY KEY,
    kind TEXT,
    mentions TEXT,
    others TEXT,
    event_id TEXT,
    note TEXT,
    created TEXT
);
