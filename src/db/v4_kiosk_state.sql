-- Schema v4: small pieces of kiosk state that must survive a restart (the manager PIN gate's
-- lockout, so pulling the plug does not reset it). One JSON value per key.
CREATE TABLE kiosk_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
