-- Version 3: each placed store's nearest placed stores, nearest first (distance in whole
-- metres, then id: the order availability answers use), kept when stores are imported. An
-- availability answer looks at these shelves first instead of every shelf holding a size.
CREATE TABLE store_neighbours (
    store_id   TEXT NOT NULL,
    rank       BIGINT NOT NULL,
    neighbour  TEXT NOT NULL,
    distance_m BIGINT NOT NULL,
    PRIMARY KEY (store_id, rank)
);
