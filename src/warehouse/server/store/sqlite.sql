-- The reference warehouse's own database (not the kiosk's cache).
CREATE TABLE IF NOT EXISTS change_seq (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO change_seq (id, value) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS styles (
    style_code  TEXT PRIMARY KEY,
    brand       TEXT NOT NULL,
    name        TEXT NOT NULL,
    colour      TEXT NOT NULL,
    gender      TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    image       TEXT NOT NULL,
    description TEXT NOT NULL,
    fit_note    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    translations TEXT NOT NULL DEFAULT '{}',  -- JSON: protocol::StyleTexts by language
    category      TEXT NOT NULL DEFAULT '',
    colour_family TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT ''    -- ';'-separated
);
CREATE INDEX IF NOT EXISTS styles_by_seq ON styles (seq);

CREATE TABLE IF NOT EXISTS variants (
    gtin         INTEGER PRIMARY KEY,
    style_code   TEXT    NOT NULL REFERENCES styles (style_code),
    size_mm      INTEGER NOT NULL,
    width        TEXT    NOT NULL,
    discontinued INTEGER NOT NULL DEFAULT 0,
    seq          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS variants_by_seq ON variants (seq);

-- The distribution centre: what dropship orders take from.
CREATE TABLE IF NOT EXISTS dc_stock (
    gtin     INTEGER PRIMARY KEY REFERENCES variants (gtin),
    quantity INTEGER NOT NULL CHECK (quantity >= 0)
);

-- Each store's stock as the chain knows it; the stock feed pages over `seq`.
CREATE TABLE IF NOT EXISTS store_stock (
    store_id   TEXT    NOT NULL,
    gtin       INTEGER NOT NULL REFERENCES variants (gtin),
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (store_id, gtin)
);
CREATE INDEX IF NOT EXISTS store_stock_by_seq ON store_stock (store_id, seq);

-- The chain's stores as shoppers find them: where a size another store holds can be picked up.
-- Other stores' shelves are in store_stock; a store without a row here is not offered.
CREATE TABLE IF NOT EXISTS stores (
    store_id  TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    address   TEXT NOT NULL,
    latitude  REAL,
    longitude REAL,
    pickup_webhook TEXT   -- told (POST, JSON, no shopper data) when a pair is held there
);
CREATE INDEX IF NOT EXISTS store_stock_by_gtin ON store_stock (gtin) WHERE quantity > 0;

-- Bearer tokens, by their SHA-256 only: the file never holds a usable token.
-- source: 'cli' (kiosk warehouse token add; kept until revoked), 'startup' (--token-file and
-- $KIOSK_WAREHOUSE_TOKEN; replaced as a set at each start), 'embedded' (the kiosk's own
-- in-process server; replaced at each start).
CREATE TABLE IF NOT EXISTS store_tokens (
    id           TEXT PRIMARY KEY,      -- short public name for list/revoke
    token_sha256 BLOB NOT NULL UNIQUE,
    store_id     TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('cli', 'startup', 'embedded')),
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);

CREATE TABLE IF NOT EXISTS orders (
    order_id        TEXT PRIMARY KEY,
    store_id        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_json    TEXT NOT NULL,  -- the request without the shopper's details
    response        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    request_sha256  TEXT,           -- of the whole canonical request (NULL: older file, migrated at open)
    UNIQUE (store_id, idempotency_key)
);

-- The shopper's address and contact, apart so that they can go after their retention while
-- the order stays. request_sha256 (of the whole request) lets a reused Idempotency-Key be
-- compared after that.
CREATE TABLE IF NOT EXISTS order_shoppers (
    order_id   TEXT PRIMARY KEY REFERENCES orders (order_id),
    ship_to    TEXT NOT NULL,
    contact    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id         TEXT    NOT NULL REFERENCES orders (order_id),
    gtin             INTEGER NOT NULL,
    quantity         INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
);

-- Shoppers who asked at the kiosk for their order code by e-mail: the queue the chain's mailer
-- reads (the address is looked up in order_shoppers when it sends, so none is copied here).
CREATE TABLE IF NOT EXISTS code_emails (
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    requested_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS associate_requests (
    request_id TEXT PRIMARY KEY,
    store_id   TEXT NOT NULL,
    gtin       INTEGER NOT NULL,
    size_label TEXT NOT NULL,
    kiosk_id   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    style      TEXT NOT NULL DEFAULT '',
    also       TEXT NOT NULL DEFAULT '[]'  -- JSON: the other sizes to bring
);

-- Orders collected in a store. 'hold': a pair taken off the holding store's shelf (store_stock)
-- for a shopper who reserved it at another store's kiosk; put back when the hold ends
-- uncollected. 'arriving': shipped from the distribution centre to the ordering store.
-- The code is the kiosk's order number, which the shopper shows; no shopper data is here.
CREATE TABLE IF NOT EXISTS pickups (
    order_id       TEXT PRIMARY KEY REFERENCES orders (order_id),
    kind           TEXT NOT NULL CHECK (kind IN ('hold', 'arriving')),
    holding_store  TEXT NOT NULL,
    ordering_store TEXT NOT NULL,
    code           TEXT NOT NULL,
    gtin           INTEGER NOT NULL,
    quantity       INTEGER NOT NULL,
    ordered_at     TEXT NOT NULL,
    expires_at     TEXT,              -- holds only
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'collected', 'expired'))
);
CREATE INDEX IF NOT EXISTS pickups_by_store ON pickups (holding_store, state);
CREATE INDEX IF NOT EXISTS pickups_open_holds ON pickups (expires_at) WHERE state = 'open' AND kind = 'hold';

-- "Tell me when it is back": the address is the request's only shopper data, kept until the
-- mail is handed to the chain's mailer or the request expires, whichever comes first.
CREATE TABLE IF NOT EXISTS stock_alerts (
    alert_id   TEXT PRIMARY KEY,
    store_id   TEXT NOT NULL,
    gtin       INTEGER NOT NULL,
    email      TEXT NOT NULL,
    lang       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    UNIQUE (store_id, gtin, email)
);
CREATE INDEX IF NOT EXISTS stock_alerts_by_gtin ON stock_alerts (gtin);

-- The fleet: each kiosk's last heartbeat (its health facts, no shopper data).
CREATE TABLE IF NOT EXISTS kiosks (
    store_id    TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    heartbeat   TEXT NOT NULL,    -- JSON: protocol::Heartbeat
    PRIMARY KEY (store_id, kiosk_id)
);

-- The chain's analytics: each kiosk's finished days as it summarised them (counts only, no
-- shopper data). A day sent again replaces the kiosk's rows for that day.
CREATE TABLE IF NOT EXISTS kiosk_days (
    store_id    TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    day         TEXT NOT NULL,    -- store-local YYYY-MM-DD
    received_at TEXT NOT NULL,
    PRIMARY KEY (store_id, kiosk_id, day)
);
CREATE TABLE IF NOT EXISTS kiosk_day_counts (
    store_id   TEXT NOT NULL,
    kiosk_id   TEXT NOT NULL,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    style_code TEXT NOT NULL,
    size_mm    INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (store_id, kiosk_id, day, kind, style_code, size_mm)
);
CREATE INDEX IF NOT EXISTS kiosk_day_counts_by_day ON kiosk_day_counts (day, kind);
CREATE TABLE IF NOT EXISTS kiosk_day_hours (
    store_id TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    day      TEXT NOT NULL,
    hour     INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    scans    INTEGER NOT NULL,
    PRIMARY KEY (store_id, kiosk_id, day, hour)
);

-- Each placed store's nearest placed stores, nearest first (whole metres, then id: the order
-- availability answers use), kept when stores are imported. An availability answer looks at
-- these shelves first instead of every shelf holding a size.
CREATE TABLE IF NOT EXISTS store_neighbours (
    store_id   TEXT NOT NULL,
    rank       INTEGER NOT NULL,
    neighbour  TEXT NOT NULL,
    distance_m INTEGER NOT NULL,
    PRIMARY KEY (store_id, rank)
);
