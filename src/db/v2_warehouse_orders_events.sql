-- Schema v2: warehouse availability cache, sync cursors, the order outbox, shopper events.
CREATE TABLE warehouse_availability (
    gtin              INTEGER PRIMARY KEY REFERENCES variants(gtin) ON DELETE CASCADE,
    quantity          INTEGER NOT NULL CHECK (quantity >= 0),
    delivery_estimate TEXT,             -- ISO date the pair would arrive, if orderable
    fetched_at        TEXT    NOT NULL
);

-- One row per feed ('catalog', 'stock', 'pos_import'): where the last run stopped and when.
CREATE TABLE sync_cursors (
    feed      TEXT PRIMARY KEY,
    cursor    TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);

-- Dropship orders are written here before anything is sent, and retried until confirmed.
CREATE TABLE order_outbox (
    id                 TEXT    PRIMARY KEY,        -- local order number shown to the shopper
    idempotency_key    TEXT    NOT NULL UNIQUE,
    created_at         TEXT    NOT NULL,
    gtin               INTEGER NOT NULL,
    quantity           INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    price_cents        INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    shopper            TEXT,                       -- JSON; NULLed after the retention period
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sending', 'confirmed', 'rejected')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT,
    last_error         TEXT,
    warehouse_order_id TEXT,
    confirmed_at       TEXT
);
CREATE INDEX order_outbox_by_status ON order_outbox (status, next_attempt_at);

-- What shoppers did, for lost-sales analytics. No personal data here.
CREATE TABLE shopper_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    session    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,   -- scan, size_selected, in_store_request, dropship_order, walked_away
    gtin       INTEGER,
    style_code TEXT,
    size_mm    INTEGER,
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX shopper_events_by_time ON shopper_events (at);
