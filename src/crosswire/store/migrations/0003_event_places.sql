-- Schema version 3: each canonical event's place (Event.location, a GeoNames
-- place found by the places stage), for filters by country and bounding box
-- (`Store.events(country=, bbox=)`, `crosswire events --country`, the API's
-- `country`/`bbox`). Derived like `event_participants`: written and replaced
-- with the events. A store from before version 3 has string locations in its
-- stored records (read back as no place) and no rows here until its articles
-- are re-extracted (the places stage changes the producer) and resolved again.

CREATE TABLE IF NOT EXISTS event_places (
    event_id TEXT,
    geonames_id BIGINT,
    country TEXT,
    admin1 TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION
);
