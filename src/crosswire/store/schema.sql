-- crosswire store schema: one definition for every backend (DuckDB, PostgreSQL).
-- Portable SQL only: TEXT/INTEGER/BIGINT/DOUBLE PRECISION/BOOLEAN, JSON kept as TEXT
-- in `record` columns (the full record, see docs/schema.md); scalar columns
-- beside it exist for filtering and joins. Statements are separated by ';'.
-- This file is schema version 1 and is never edited: a change of the schema is
-- a new numbered file in migrations/ (see Store.init_schema and
-- docs/decisions/store-migrations.md).

CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    path TEXT,
    outlet TEXT,
    title TEXT,
    url TEXT,
    byline TEXT,
    published TEXT,
    published_basis TEXT,
    text TEXT,
    record TEXT,
    ingested_at TEXT
);

CREATE TABLE IF NOT EXISTS article_paths (
    article TEXT,
    path TEXT,
    PRIMARY KEY (article, path)
);

CREATE TABLE IF NOT EXISTS results (
    article TEXT PRIMARY KEY,
    record TEXT
);

CREATE TABLE IF NOT EXISTS sentences (
    article TEXT,
    idx INTEGER,
    start_char INTEGER,
    end_char INTEGER,
    text TEXT,
    PRIMARY KEY (article, idx)
);

CREATE TABLE IF NOT EXISTS timexes (
    id TEXT PRIMARY KEY,
    article TEXT,
    sentence INTEGER,
    start_char INTEGER,
    end_char INTEGER,
    text TEXT,
    type TEXT,
    value TEXT,
    basis TEXT
);

CREATE TABLE IF NOT EXISTS actor_mentions (
    id TEXT PRIMARY KEY,
    article TEXT,
    sentence INTEGER,
    start_char INTEGER,
    end_char INTEGER,
    text TEXT,
    actor_id TEXT,
    name TEXT,
    code TEXT,
    kind TEXT,
    sector TEXT,
    office TEXT
);

CREATE TABLE IF NOT EXISTS event_mentions (
    id TEXT PRIMARY KEY,
    article TEXT,
    sentence INTEGER,
    start_char INTEGER,
    end_char INTEGER,
    event_type TEXT,
    status TEXT,
    date TEXT,
    record TEXT
);

CREATE TABLE IF NOT EXISTS quotes (
    id TEXT PRIMARY KEY,
    article TEXT,
    sentence INTEGER,
    start_char INTEGER,
    end_char INTEGER,
    speaker_name TEXT,
    speaker_code TEXT,
    direct BOOLEAN,
    medium TEXT,
    text TEXT,
    record TEXT
);

CREATE TABLE IF NOT EXISTS attributions (
    id TEXT PRIMARY KEY,
    article TEXT,
    record TEXT
);

CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    event_type TEXT,
    status TEXT,
    date TEXT,
    date_end TEXT,
    story TEXT,
    record TEXT
);

CREATE TABLE IF NOT EXISTS event_participants (
    event_id TEXT,
    role TEXT,
    name TEXT,
    code TEXT
);

CREATE TABLE IF NOT EXISTS event_members (
    event_id TEXT,
    mention_id TEXT,
    article TEXT,
    outlet TEXT
);

CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    title TEXT,
    record TEXT
);

CREATE TABLE IF NOT EXISTS story_articles (
    story_id TEXT,
    article TEXT
);

-- Derived, for incremental resolution (resolve/incremental.py): each resolved
-- event mention's keyed blocking blocks with its day (date, else its article's
-- publication day, as a day ordinal; 0 when neither), and the articles a
-- resolution has covered (a stored article missing here is pending).
CREATE TABLE IF NOT EXISTS mention_blocks (
    block TEXT,
    mention_id TEXT,
    article TEXT,
    day INTEGER
);

CREATE TABLE IF NOT EXISTS resolved_articles (
    article TEXT PRIMARY KEY
);

CREATE INDEX IF NOT EXISTS mention_blocks_block ON mention_blocks (block);
CREATE INDEX IF NOT EXISTS mention_blocks_mention ON mention_blocks (mention_id);
CREATE INDEX IF NOT EXISTS event_members_mention ON event_members (mention_id);
CREATE INDEX IF NOT EXISTS event_members_article ON event_members (article);
CREATE INDEX IF NOT EXISTS story_articles_article ON story_articles (article);

CREATE TABLE IF NOT EXISTS quarantine (
    path TEXT,
    reason TEXT,
    detail TEXT,
    first_seen TEXT,
    last_seen TEXT,
    PRIMARY KEY (path, reason)
);

CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started TEXT,
    finished TEXT,
    status TEXT,
    summary TEXT
);

CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT,
    applied TEXT
);
