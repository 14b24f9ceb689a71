//! The SQLite cache on disk: one schema with a version (`PRAGMA user_version`), migrations
//! applied in order at open, each in its own transaction; WAL, a busy timeout, foreign keys,
//! and an integrity check that reports a damaged file instead of deleting it.

mod handle;

pub use handle::DbHandle;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use thiserror::Error;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("v1_catalog.sql"),
    include_str!("v2_warehouse_orders_events.sql"),
    include_str!("v3_event_summaries.sql"),
    include_str!("v4_kiosk_state.sql"),
    include_str!("v5_outbox_states.sql"),
    include_str!("v6_style_translations.sql"),
    include_str!("v7_stock_undo.sql"),
    include_str!("v8_stock_undo_log.sql"),
    include_str!("v9_checks_without_temp_tables.sql"),
    include_str!("v10_other_stores_and_pickups.sql"),
    include_str!("v11_style_attributes.sql"),
    include_str!("v12_day_uploads.sql"),
];

/// The page cache while a bulk write runs, KiB: a million-size store's catalog, stock and
/// indexes fit. With SQLite's default 2 MB, a full sync's stock pages took 17 ms each at the
/// start and 73 ms at the end (every lookup re-read its pages); with this, 21 ms throughout.
const BULK_CACHE_KIB: i64 = 256 * 1024;
/// SQLite's default: what lookups and the shopper's screens need.
const EVERYDAY_CACHE_KIB: i64 = 2 * 1024;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, Clone, Error)]
pub enum DbError {
    #[error(
        "the database file {path} is damaged ({detail}). Nothing was deleted. To rebuild it, move \
         the file aside (for example `mv {path} {path}.damaged`) and start the kiosk again: it \
         rebuilds from the demo fixtures or from the next warehouse sync"
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "the database {path} has schema version {found}, newer than this kiosk's {supported}; \
         install the newer kiosk version or point database.path at another file"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("migrating {path} to schema v{version} failed: {detail}")]
    Migration {
        path: PathBuf,
        version: u32,
        detail: String,
    },
    #[error("cannot open database {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error("database error: {0}")]
    Sqlite(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e.to_string())
    }
}

/// How much of the file is read, when it is opened, to prove it undamaged. A full check of a
/// store with a million sizes takes over a second — right at the kiosk's start, wrong before
/// a one-line lookup; SQLite itself reports a damaged page the moment one is read, so a
/// command that only reads loses nothing by finding damage on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `PRAGMA integrity_check`: every page, and every index against its table. The kiosk's
    /// start-up, `kiosk db check`, and any open that migrates the schema.
    Full,
    /// `PRAGMA quick_check`: every page, without cross-checking indexes. Before commands that
    /// write much (sync, orders). `kiosk import-stock` opens with `OnUse` and runs this check
    /// alongside its parsing ([`Database::quick_check_in_background`]).
    Quick,
    /// The header and the schema only; a damaged page is reported when it is read. For
    /// commands that only read.
    OnUse,
}

/// An open cache database. Blocking: async callers run it on `spawn_blocking`.
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish()
    }
}

/// Runs one migration's SQL. One that edits a table definition in place (`writable_schema`)
/// also bumps `schema_version`, so that other connections re-read the schema.
fn apply_migration(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.execute_batch(sql)?;
    if sql.contains("writable_schema") {
        let schema: i64 = conn.pragma_query_value(None, "schema_version", |r| r.get(0))?;
        conn.pragma_update(None, "schema_version", schema + 1)?;
    }
    Ok(())
}

/// A check running on its own thread ([`Database::quick_check_in_background`]).
pub struct BackgroundCheck(std::thread::JoinHandle<Result<(), DbError>>);

impl BackgroundCheck {
    /// Waits for the check: `Err(Damaged)` when it found damage.
    pub fn wait(self) -> Result<(), DbError> {
        self.0.join().unwrap_or_else(|_| {
            Err(DbError::Sqlite(
                "the database check stopped unexpectedly".into(),
            ))
        })
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> DbError {
    if is_corruption(&e) {
        DbError::Damaged {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }
    } else {
        e.into()
    }
}

fn run_check(conn: &Connection, path: &Path, pragma: &str) -> Result<(), DbError> {
    let mut stmt = conn.prepare(pragma).map_err(|e| classify(path, e))?;
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| classify(path, e))?;
    if problems.len() == 1 && problems[0] == "ok" {
        Ok(())
    } else {
        Err(DbError::Damaged {
            path: path.to_path_buf(),
            detail: problems.into_iter().take(5).collect::<Vec<_>>().join("; "),
        })
    }
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

impl Database {
    /// Opens (creating if needed) and migrates the database at `path`, after a full check.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Self::open_with(path, Check::Full)
    }

    /// Opens (creating if needed) and migrates the database at `path`, checking it as `check`
    /// says — fully whenever the schema is to be migrated (a migration writes).
    pub fn open_with(path: &Path, check: Check) -> Result<Self, DbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Open {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| DbError::Open {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let mut db = Self {
            conn,
            path: path.to_path_buf(),
        };
        // Check before configuring: switching to WAL writes to the file, and a damaged file must
        // be left exactly as it was found.
        db.conn
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| db.classify(e))?;
        // Reads the header: a file that is no database is refused here, whatever the check.
        let version: u32 = db
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| db.classify(e))?;
        let migrates = version < SCHEMA_VERSION;
        match check {
            _ if migrates => db.check_integrity()?,
            Check::Full => db.check_integrity()?,
            Check::Quick => db.run_check("PRAGMA quick_check")?,
            Check::OnUse => {}
        }
        db.configure().map_err(|e| db.classify(e))?;
        db.migrate()?;
        Ok(db)
    }

    /// Opens a database with only the first `version` migrations applied (tests of upgrades).
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: u32) -> Result<(), DbError> {
        let conn = Connection::open(path)?;
        for (i, sql) in MIGRATIONS.iter().take(version as usize).enumerate() {
            apply_migration(&conn, sql)?;
            conn.pragma_update(None, "user_version", i + 1)?;
        }
        Ok(())
    }

    fn configure(&self) -> rusqlite::Result<()> {
        // WAL: readers never block the writer (the GUI reads while a sync writes).
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode");
        }
        // FULL: a committed order survives power loss, not just a crash.
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", true)?;
        // Deleted shopper details are overwritten, not left as free bytes in the file.
        self.conn.pragma_update(None, "secure_delete", true)?;
        self.conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    fn classify(&self, e: rusqlite::Error) -> DbError {
        classify(&self.path, e)
    }

    /// Bulk mode for an import or a sync: a page cache that holds the whole working set
    /// ([`BULK_CACHE_KIB`]). Pages are allocated as they are read, and turning it off frees
    /// them, so an idle kiosk keeps its small cache.
    pub fn set_bulk_cache(&self, on: bool) -> Result<(), DbError> {
        let kib = if on {
            BULK_CACHE_KIB
        } else {
            EVERYDAY_CACHE_KIB
        };
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// `PRAGMA integrity_check`; a damaged file is reported, never deleted.
    pub fn check_integrity(&self) -> Result<(), DbError> {
        self.run_check("PRAGMA integrity_check")
    }

    fn run_check(&self, pragma: &str) -> Result<(), DbError> {
        run_check(&self.conn, &self.path, pragma)
    }

    /// Starts `PRAGMA quick_check` on a read-only connection of its own, so the caller can do
    /// other work meanwhile: an import parses its file while the database is checked, and
    /// waits for the check before its first write.
    pub fn quick_check_in_background(&self) -> BackgroundCheck {
        let path = self.path.clone();
        BackgroundCheck(std::thread::spawn(move || {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| DbError::Open {
                path: path.clone(),
                detail: e.to_string(),
            })?;
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(|e| classify(&path, e))?;
            run_check(&conn, &path, "PRAGMA quick_check")
        }))
    }

    pub fn schema_version(&self) -> Result<u32, DbError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), DbError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(DbError::TooNew {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = index as u32 + 1;
            let fail = |e: rusqlite::Error| DbError::Migration {
                path: self.path.clone(),
                version,
                detail: e.to_string(),
            };
            let tx = self.conn.transaction().map_err(fail)?;
            apply_migration(&tx, sql).map_err(fail)?;
            tx.pragma_update(None, "user_version", version)
                .map_err(fail)?;
            tx.commit().map_err(fail)?;
            tracing::info!(version, path = %self.path.display(), "database migrated");
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Row counts and sync state, for `kiosk db check` and the manager screen.
    pub fn stats(&self) -> Result<DbStats, DbError> {
        let count = |table: &str| -> Result<u64, DbError> {
            Ok(self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        let mut stmt = self
            .conn
            .prepare("SELECT feed, cursor, synced_at, detail FROM sync_cursors ORDER BY feed")?;
        let feeds = stmt
            .query_map([], |r| {
                Ok(FeedState {
                    feed: r.get(0)?,
                    cursor: r.get(1)?,
                    synced_at: r.get(2)?,
                    detail: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DbStats {
            schema_version: self.schema_version()?,
            styles: count("styles")?,
            variants: count("variants")?,
            store_stock: count("store_stock")?,
            warehouse_availability: count("warehouse_availability")?,
            pending_orders: self.pending_orders()?,
            shopper_events: count("shopper_events")?,
            feeds,
        })
    }

    /// Dropship orders still to be sent (pending or being sent).
    pub fn pending_orders(&self) -> Result<u64, DbError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM order_outbox WHERE status IN ('pending', 'sending')",
            [],
            |r| r.get(0),
        )?)
    }

    /// A piece of kiosk state kept across restarts (JSON), if set.
    pub fn state(&self, key: &str) -> Result<Option<String>, DbError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM kiosk_state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_state(&self, key: &str, value: &str) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO kiosk_state (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                                             updated_at = excluded.updated_at",
            rusqlite::params![key, value, now_rfc3339()],
        )?;
        Ok(())
    }

    pub fn record_feed(&self, feed: &str, cursor: &str, detail: &str) -> Result<(), DbError> {
        record_feed(&self.conn, feed, cursor, detail)
    }

    pub fn feed(&self, feed: &str) -> Result<Option<FeedState>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT feed, cursor, synced_at, detail FROM sync_cursors WHERE feed = ?1",
                [feed],
                |r| {
                    Ok(FeedState {
                        feed: r.get(0)?,
                        cursor: r.get(1)?,
                        synced_at: r.get(2)?,
                        detail: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}

pub(crate) fn record_feed(
    conn: &Connection,
    feed: &str,
    cursor: &str,
    detail: &str,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO sync_cursors (feed, cursor, synced_at, detail) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (feed) DO UPDATE SET cursor = ?2, synced_at = ?3, detail = ?4",
        (feed, cursor, now_rfc3339(), detail),
    )?;
    Ok(())
}

/// Now, to the second (truncated, never in the future), as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .map_or_else(|_| now.to_string(), |t| t.to_string())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedState {
    pub feed: String,
    pub cursor: String,
    pub synced_at: String,
    pub detail: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DbStats {
    pub schema_version: u32,
    pub styles: u64,
    pub variants: u64,
    pub store_stock: u64,
    pub warehouse_availability: u64,
    pub pending_orders: u64,
    pub shopper_events: u64,
    pub feeds: Vec<FeedState>,
}

#[cfg(test)]
mod tests;
