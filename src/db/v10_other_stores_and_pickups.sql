-- Schema v10: the chain's other stores and which sizes they have on the shelf, as the
-- warehouse last said with its availability (so a size this store lacks can be offered for
-- pick-up nearby, and still is, with its age, while the warehouse is away).
CREATE TABLE store_locations (
    store_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    address    TEXT NOT NULL,
    latitude   REAL,
    longitude  REAL,
    fetched_at TEXT NOT NULL
);

CREATE TABLE other_store_stock (
    gtin       INTEGER NOT NULL REFERENCES variants(gtin) ON DELETE CASCADE,
    store_id   TEXT    NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    distance_m INTEGER,                 -- from this store, by the warehouse's record of both
    fetched_at TEXT    NOT NULL,
    PRIMARY KEY (gtin, store_id)
) WITHOUT ROWID;

-- A pair reserved for pick-up at another store is held there until this time (the
-- warehouse's answer), shown to the shopper on the done screen and to the manager.
ALTER TABLE order_outbox ADD COLUMN held_until TEXT;
