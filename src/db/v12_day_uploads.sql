-- Schema v12: which finished days the chain's warehouse has (the kiosk sends each day's
-- summary once it is folded; a day not in here is sent at the next round, however long the
-- warehouse was away). Counts only: the summaries hold no shopper data.
CREATE TABLE day_uploads (
    day     TEXT PRIMARY KEY,   -- store-local YYYY-MM-DD
    sent_at TEXT NOT NULL
) WITHOUT ROWID;
