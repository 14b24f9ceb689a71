-- The reference warehouse on PostgreSQL, version 1: the same data as sqlite.sql. Timestamps
-- are RFC 3339 text in UTC, as there (they compare as text; both back-ends share the code
-- that writes them). Numbers are BIGINT throughout.

-- Every change to the catalog and to stores' stock gets a sequence number and the id of the
-- transaction that wrote it, set by a trigger so that no writer can forget (an integrator's
-- own loader included). The feeds page over (txid, seq): see postgres.rs for why.
CREATE SEQUENCE change_seq;

CREATE FUNCTION mark_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.seq := nextval('change_seq');
    NEW.txid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$;

-- The feeds' horizon: changes written by transactions below it are all committed or rolled
-- back, so a page may hand them out. It is the reading statement's snapshot: the oldest
-- transaction still running then, or the next transaction id when none was. Transactions of
-- other databases of the cluster cannot write here and are left out (known by
-- pg_stat_activity; one it does not show keeps the horizon back, which only delays). Call it
-- as `(SELECT feed_horizon())`, once per statement.
CREATE FUNCTION feed_horizon() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT least(
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
          WHERE x::text::bigint % 4294967296 NOT IN (
                SELECT backend_xid::text::bigint FROM pg_stat_activity
                 WHERE backend_xid IS NOT NULL
                   AND datname IS DISTINCT FROM current_database())))
$$;

CREATE TABLE styles (
    style_code    TEXT PRIMARY KEY,
    brand         TEXT NOT NULL,
    name          TEXT NOT NULL,
    colour        TEXT NOT NULL,
    gender        TEXT NOT NULL,
    price_cents   BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    image         TEXT NOT NULL,
    description   TEXT NOT NULL,
    fit_note      TEXT NOT NULL,
    translations  TEXT NOT NULL DEFAULT '{}',  -- JSON: protocol::StyleTexts by language
    category      TEXT NOT NULL DEFAULT '',
    colour_family TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '',    -- ';'-separated
    seq           BIGINT NOT NULL DEFAULT 0,
    txid          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX styles_by_change ON styles (txid, seq);
CREATE TRIGGER styles_change BEFORE INSERT OR UPDATE ON styles
    FOR EACH ROW EXECUTE FUNCTION mark_change();

CREATE TABLE variants (
    gtin         BIGINT PRIMARY KEY,
    style_code   TEXT NOT NULL REFERENCES styles (style_code),
    size_mm      BIGINT NOT NULL,
    width        TEXT NOT NULL,
    discontinued BOOLEAN NOT NULL DEFAULT false,
    seq          BIGINT NOT NULL DEFAULT 0,
    txid         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX variants_by_change ON variants (txid, seq);
CREATE TRIGGER variants_change BEFORE INSERT OR UPDATE ON variants
    FOR EACH ROW EXECUTE FUNCTION mark_change();

-- The distribution centre: what dropship orders take from.
CREATE TABLE dc_stock (
    gtin     BIGINT PRIMARY KEY REFERENCES variants (gtin),
    quantity BIGINT NOT NULL CHECK (quantity >= 0)
);

-- Each store's stock as the chain knows it.
CREATE TABLE store_stock (
    store_id   TEXT NOT NULL,
    gtin       BIGINT NOT NULL REFERENCES variants (gtin),
    quantity   BIGINT NOT NULL CHECK (quantity >= 0),
    updated_at TEXT NOT NULL,
    seq        BIGINT NOT NULL DEFAULT 0,
    txid       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, gtin)
);
CREATE INDEX store_stock_by_change ON store_stock (store_id, txid, seq);
CREATE INDEX store_stock_in_stock ON store_stock (gtin) WHERE quantity > 0;
CREATE TRIGGER store_stock_change BEFORE INSERT OR UPDATE ON store_stock
    FOR EACH ROW EXECUTE FUNCTION mark_change();

CREATE TABLE stores (
    store_id       TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    address        TEXT NOT NULL,
    latitude       DOUBLE PRECISION,
    longitude      DOUBLE PRECISION,
    pickup_webhook TEXT
);

-- Bearer tokens, by their SHA-256 only (see sqlite.sql for the sources).
CREATE TABLE store_tokens (
    id           TEXT PRIMARY KEY,
    token_sha256 BYTEA NOT NULL UNIQUE,
    store_id     TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('cli', 'startup', 'embedded')),
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);

CREATE TABLE orders (
    order_id        TEXT PRIMARY KEY,
    store_id        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_json    TEXT NOT NULL,  -- the request without the shopper's details
    response        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,  -- of the whole canonical request
    UNIQUE (store_id, idempotency_key)
);

-- The shopper's address and contact, apart so that they can go after their retention.
CREATE TABLE order_shoppers (
    order_id   TEXT PRIMARY KEY REFERENCES orders (order_id),
    ship_to    TEXT NOT NULL,
    contact    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (order_id),
    gtin             BIGINT NOT NULL,
    quantity         BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL
);
CREATE INDEX order_lines_by_order ON order_lines (order_id);

CREATE TABLE code_emails (
    order_id     TEXT NOT NULL REFERENCES orders (order_id),
    requested_at TEXT NOT NULL
);
CREATE INDEX code_emails_by_order ON code_emails (order_id);

CREATE TABLE associate_requests (
    n          BIGINT GENERATED ALWAYS AS IDENTITY,  -- arrival order
    request_id TEXT PRIMARY KEY,
    store_id   TEXT NOT NULL,
    gtin       BIGINT NOT NULL,
    size_label TEXT NOT NULL,
    kiosk_id   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    style      TEXT NOT NULL DEFAULT '',
    also       TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE pickups (
    order_id       TEXT PRIMARY KEY REFERENCES orders (order_id),
    kind           TEXT NOT NULL CHECK (kind IN ('hold', 'arriving')),
    holding_store  TEXT NOT NULL,
    ordering_store TEXT NOT NULL,
    code           TEXT NOT NULL,
    gtin           BIGINT NOT NULL,
    quantity       BIGINT NOT NULL,
    ordered_at     TEXT NOT NULL,
    expires_at     TEXT,
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'collected', 'expired'))
);
CREATE INDEX pickups_by_store ON pickups (holding_store, state);
CREATE INDEX pickups_open_holds ON pickups (expires_at) WHERE state = 'open' AND kind = 'hold';

-- claimed_until: a server handing the mail to the mailer owns the request until then, so that
-- two servers never send one request twice (a server that died mid-way is replaced after it).
CREATE TABLE stock_alerts (
    alert_id      TEXT PRIMARY KEY,
    store_id      TEXT NOT NULL,
    gtin          BIGINT NOT NULL,
    email         TEXT NOT NULL,
    lang          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    claimed_until TEXT,
    UNIQUE (store_id, gtin, email)
);
CREATE INDEX stock_alerts_by_gtin ON stock_alerts (gtin);

CREATE TABLE kiosks (
    store_id    TEXT NOT NULL,
    kiosk_id    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    heartbeat   TEXT NOT NULL,    -- JSON: protocol::Heartbeat
    PRIMARY KEY (store_id, kiosk_id)
);
