-- Schema v5: two more outbox states, and when an order's fate was settled.
--   needs_checking  the platform may or may not have the order (a timeout or an unreadable
--                   answer from a platform without idempotency keys): never sent again by
--                   itself; a manager checks the platform, then settles or re-sends it.
--   abandoned       not confirmed within the retention period; its shopper details are gone.
-- finished_at: when the order became confirmed, rejected or abandoned; the shopper details
-- are deleted order_retention_days after it.
CREATE TABLE order_outbox_v5 (
    id                 TEXT    PRIMARY KEY,
    idempotency_key    TEXT    NOT NULL UNIQUE,
    created_at         TEXT    NOT NULL,
    gtin               INTEGER NOT NULL,
    quantity           INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    price_cents        INTEGER NOT NULL,
    currency           TEXT    NOT NULL,
    shopper            TEXT,
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sending', 'confirmed', 'rejected',
                                         'needs_checking', 'abandoned')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT,
    last_error         TEXT,
    warehouse_order_id TEXT,
    confirmed_at       TEXT,
    finished_at        TEXT
);
INSERT INTO order_outbox_v5
    SELECT id, idempotency_key, created_at, gtin, quantity, price_cents, currency, shopper,
           status, attempts, next_attempt_at, last_error, warehouse_order_id, confirmed_at,
           CASE status WHEN 'confirmed' THEN confirmed_at
                       WHEN 'rejected' THEN coalesce(next_attempt_at, created_at) END
      FROM order_outbox;
DROP TABLE order_outbox;
ALTER TABLE order_outbox_v5 RENAME TO order_outbox;
CREATE INDEX order_outbox_by_status ON order_outbox (status, next_attempt_at);
