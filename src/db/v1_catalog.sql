-- Schema v1: the catalog and this store's stock.
CREATE TABLE styles (
    id          INTEGER PRIMARY KEY,
    style_code  TEXT    NOT NULL UNIQUE,
    brand       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    colour      TEXT    NOT NULL,
    gender      TEXT    NOT NULL CHECK (gender IN ('men', 'women', 'unisex')),
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    currency    TEXT    NOT NULL,
    image       TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    fit_note    TEXT    NOT NULL DEFAULT '',
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- The GTIN-14 is the row id: a scan is one primary-key probe.
CREATE TABLE variants (
    gtin     INTEGER PRIMARY KEY,
    style_id INTEGER NOT NULL REFERENCES styles(id) ON DELETE CASCADE,
    size_mm  INTEGER NOT NULL CHECK (size_mm BETWEEN 100 AND 400),
    width    TEXT    NOT NULL DEFAULT 'M' CHECK (width IN ('N', 'M', 'W', 'XW'))
);
CREATE INDEX variants_by_style ON variants (style_id, size_mm, width);

-- Absent row = this store never stocked it; quantity 0 = stocked, sold out.
CREATE TABLE store_stock (
    gtin       INTEGER PRIMARY KEY REFERENCES variants(gtin) ON DELETE CASCADE,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    updated_at TEXT    NOT NULL
);
