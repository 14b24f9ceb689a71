-- Schema v8: the undo of the last import keeps what the import changed, not a copy of the
-- whole stock: a size's count and date as they were before, or, for a size the import added,
-- a row without them (undoing removes it). An import into an empty stock logs nothing: its
-- undo empties the stock (`stock_undo_import.sizes_before` = 0).
CREATE TABLE stock_undo_log (
    gtin       INTEGER PRIMARY KEY,
    quantity   INTEGER CHECK (quantity >= 0),
    updated_at TEXT,
    CHECK ((quantity IS NULL) = (updated_at IS NULL))
);
-- A pending v7 undo is a copy of the stock before the import: as a log, that is every copied
-- size plus every size in stock now that the copy does not have.
INSERT INTO stock_undo_log (gtin, quantity, updated_at)
    SELECT gtin, quantity, updated_at FROM stock_undo;
INSERT INTO stock_undo_log (gtin)
    SELECT s.gtin FROM store_stock s
    WHERE EXISTS (SELECT 1 FROM stock_undo_import WHERE sizes_before > 0)
      AND NOT EXISTS (SELECT 1 FROM stock_undo u WHERE u.gtin = s.gtin);
DROP TABLE stock_undo;
ALTER TABLE stock_undo_log RENAME TO stock_undo;
