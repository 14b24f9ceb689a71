-- Version 2: the chain's analytics, each kiosk's finished days as it summarised them (counts
-- only, no shopper data). A day sent again replaces the kiosk's rows for that day.
CREATE TABLE kiosk_days (
    store_id    TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    day         TEXT NOT NULL,    -- store-local YYYY-MM-DD
    received_at TEXT NOT NULL,
    PRIMARY KEY (store_id, kiosk_id, day)
);
CREATE TABLE kiosk_day_counts (
    store_id   TEXT NOT NULL,
    kiosk_id   TEXT NOT NULL,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    style_code TEXT NOT NULL,
    size_mm    BIGINT NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (store_id, kiosk_id, day, kind, style_code, size_mm)
);
CREATE INDEX kiosk_day_counts_by_day ON kiosk_day_counts (day, kind);
CREATE TABLE kiosk_day_hours (
    store_id TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    day      TEXT NOT NULL,
    hour     BIGINT NOT NULL CHECK (hour BETWEEN 0 AND 23),
    scans    BIGINT NOT NULL,
    PRIMARY KEY (store_id, kiosk_id, day, hour)
);
