-- Schema v3: per-day summaries of shopper events, so analytics over years read a few rows per
-- day and raw events can be pruned (privacy.event_retention_days) without losing history.
CREATE INDEX shopper_events_by_kind_time ON shopper_events (kind, at);

-- Counts per day and kind. Style and size are kept only for 'size_missing' (lost sales);
-- 'funnel_scanned' / 'funnel_sized' / 'funnel_converted' count sessions by their first day.
CREATE TABLE event_days (
    day        TEXT    NOT NULL,               -- store-local date, YYYY-MM-DD
    kind       TEXT    NOT NULL,
    style_code TEXT    NOT NULL DEFAULT '',
    size_mm    INTEGER NOT NULL DEFAULT 0,
    count      INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (day, kind, style_code, size_mm)
) WITHOUT ROWID;

-- Scans per store-local hour of each day.
CREATE TABLE event_hours (
    day   TEXT    NOT NULL,
    hour  INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    scans INTEGER NOT NULL CHECK (scans >= 0),
    PRIMARY KEY (day, hour)
) WITHOUT ROWID;
