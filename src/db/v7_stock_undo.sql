-- Schema v7: the store's stock as it was before the last import, so that import can be undone.
-- Emptied when an undo runs and when a sync changes the stock (undoing would then lose the
-- warehouse's newer counts).
CREATE TABLE stock_undo (
    gtin       INTEGER PRIMARY KEY,
    quantity   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE TABLE stock_undo_import (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    source       TEXT    NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('replace', 'merge')),
    imported_at  TEXT    NOT NULL,
    sizes_before INTEGER NOT NULL
);
