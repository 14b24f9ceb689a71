//! Importing the store's stock export from its POS: CSV with a `gtin,quantity` header and an
//! optional `updated_at` (extra columns are ignored). All or nothing: the file is checked in
//! full first, and any bad row aborts the import with every bad line listed, leaving the
//! previous stock untouched. Unknown GTINs are counted and listed, not fatal.

use std::io::Read;

use rusqlite::Connection;
use serde::Serialize;
use thiserror::Error;

use crate::db::{self, Database, DbError};
use crate::domain::barcode::Gtin;

/// Largest quantity accepted for one size in one store: anything above is a typo.
pub const MAX_QUANTITY: u32 = 100_000;
/// How many unknown GTINs the report lists (all are counted).
pub const UNKNOWN_SAMPLE: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// The file is the store's whole stock: sizes missing from it are removed.
    #[default]
    Replace,
    /// Only the sizes in the file change.
    Merge,
}

#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// Check and count everything, write nothing.
    pub dry_run: bool,
    /// Replace mode: refuse (write nothing) when more than this share of the sizes in stock,
    /// percent, would be removed (`[manager] import_max_removed_percent`).
    pub max_removed_percent: u32,
    /// Import even past `max_removed_percent`.
    pub force: bool,
    /// Keep what the import changes, so [`undo_last_import`] can bring the stock back (a log
    /// of the changed sizes inside the import's transaction).
    pub keep_undo: bool,
    /// Run `PRAGMA quick_check` on the database while the file is parsed, and write nothing
    /// if it finds damage (for a database opened without a check: `kiosk import-stock`).
    pub check_database: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            mode: ImportMode::Replace,
            dry_run: false,
            max_removed_percent: 50,
            force: false,
            keep_undo: true,
            check_database: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone, Error)]
pub enum ImportError {
    #[error("cannot read the stock file: {0}")]
    Io(String),
    #[error("stock file header: {0}")]
    Header(String),
    #[error("{} bad row(s); nothing was imported and the previous stock is intact", .0.len())]
    BadRows(Vec<RowError>),
    #[error(
        "this file would remove {removed} of the {stocked} sizes in stock ({percent} %, more \
         than the {max_percent} % allowed): nothing was imported. If the file really is the \
         whole stock, import it with --force; to update only the sizes it lists, use --merge"
    )]
    TooManyRemoved {
        removed: u64,
        stocked: u64,
        percent: u64,
        max_percent: u32,
    },
    #[error("there is no import to undo (only the last one can be, and only until the next sync)")]
    NothingToUndo,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(e.into())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Rows written to (or, in a dry run, that would be written to) the store's stock.
    pub imported: u64,
    /// Of those, sizes whose count or date changed, or that were not in stock before (the
    /// rest were already as the file says and were not written).
    pub changed: u64,
    /// Rows whose GTIN is not in the catalog.
    pub unknown: u64,
    /// The first [`UNKNOWN_SAMPLE`] unknown GTINs with their line numbers.
    pub unknown_sample: Vec<(u64, String)>,
    /// Sizes that were in stock before and are not in the file (replace mode only).
    pub removed: u64,
    /// Sizes in stock before the import.
    pub stocked_before: u64,
    pub dry_run: bool,
}

/// Receives progress: bytes read while checking, then rows written.
pub trait Progress {
    fn checking(&mut self, _bytes_read: u64) {}
    fn writing(&mut self, _rows_written: u64, _rows_total: u64) {}
}

/// No progress reporting.
impl Progress for () {}

mod write;

use write::Plan;

struct Row {
    line: u64,
    gtin: Gtin,
    quantity: u32,
    /// Index into [`CheckedFile::dates`]; `None`: the file gave no date (the import's time).
    updated_at: Option<u32>,
}

/// A file that passed every check: its rows in GTIN order (the stock table's order, so the
/// import walks both side by side) and each distinct date once.
struct CheckedFile {
    rows: Vec<Row>,
    dates: Vec<String>,
}

impl CheckedFile {
    fn date_of<'a>(&'a self, row: &Row, now: &'a str) -> &'a str {
        row.updated_at.map_or(now, |i| &self.dates[i as usize])
    }
}

struct Columns {
    gtin: usize,
    quantity: usize,
    updated_at: Option<usize>,
}

fn columns(header: &csv::ByteRecord) -> Result<Columns, ImportError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let find = |name: &str| names.iter().position(|n| n == name);
    let missing: Vec<&str> = ["gtin", "quantity"]
        .into_iter()
        .filter(|n| find(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Header(format!(
            "missing column(s) {}; found [{}]. The first line must name the columns, e.g. \
             `gtin,quantity,updated_at`",
            missing.join(", "),
            names.join(", ")
        )));
    }
    Ok(Columns {
        gtin: find("gtin").unwrap_or_default(),
        quantity: find("quantity").unwrap_or_default(),
        updated_at: find("updated_at"),
    })
}

fn parse_updated_at(value: &str) -> Result<String, String> {
    if let Ok(ts) = value.parse::<jiff::Timestamp>() {
        return Ok(ts.to_string());
    }
    if let Ok(date) = value.parse::<jiff::civil::Date>() {
        return Ok(format!("{date}T00:00:00Z"));
    }
    Err(format!(
        "updated_at {value:?} is not a date or time; use 2026-11-20 or 2026-11-20T08:00:00Z"
    ))
}

/// The dates of a file, each parsed once: POS exports stamp runs of rows with the same time,
/// so the text of the row before is remembered with its normalised index.
#[derive(Default)]
struct Dates {
    normalised: Vec<String>,
    last_text: String,
    last_index: Option<u32>,
}

impl Dates {
    fn index_of(&mut self, text: &str) -> Result<u32, String> {
        if let Some(index) = self.last_index.filter(|_| self.last_text == text) {
            return Ok(index);
        }
        let normalised = parse_updated_at(text)?;
        let index = match self.normalised.last() {
            Some(last) if *last == normalised => self.normalised.len() - 1,
            _ => {
                self.normalised.push(normalised);
                self.normalised.len() - 1
            }
        };
        let index = u32::try_from(index).map_err(|_| "too many distinct dates".to_string())?;
        self.last_text.clear();
        self.last_text.push_str(text);
        self.last_index = Some(index);
        Ok(index)
    }
}

fn parse_row(
    record: &csv::ByteRecord,
    cols: &Columns,
    line: u64,
    dates: &mut Dates,
) -> Result<Row, String> {
    let field = |i: usize, name: &str| -> Result<&str, String> {
        let raw = record
            .get(i)
            .ok_or_else(|| format!("missing {name} (the row has {} fields)", record.len()))?;
        std::str::from_utf8(raw)
            .map(str::trim)
            .map_err(|_| format!("{name} is not valid UTF-8 text"))
    };
    let gtin_text = field(cols.gtin, "gtin")?;
    let gtin: Gtin = gtin_text
        .parse()
        .map_err(|e| format!("gtin {gtin_text:?}: {e}"))?;
    let qty_text = field(cols.quantity, "quantity")?;
    let quantity = qty_text
        .parse::<u32>()
        .ok()
        .filter(|q| *q <= MAX_QUANTITY)
        .ok_or_else(|| {
            format!("quantity {qty_text:?} must be a whole number from 0 to {MAX_QUANTITY}")
        })?;
    let updated_at = match cols.updated_at {
        Some(i) => {
            let text = field(i, "updated_at")?;
            if text.is_empty() {
                None
            } else {
                Some(dates.index_of(text)?)
            }
        }
        None => None,
    };
    Ok(Row {
        line,
        gtin,
        quantity,
        updated_at,
    })
}

/// Reads and checks every row; returns them all in GTIN order, or every bad line in line order.
fn check_file<R: Read>(reader: R, progress: &mut dyn Progress) -> Result<CheckedFile, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let header = csv
        .byte_headers()
        .map_err(|e| ImportError::Io(e.to_string()))?
        .clone();
    if header.is_empty() {
        return Err(ImportError::Header("the file is empty".into()));
    }
    let cols = columns(&header)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut dates = Dates::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(_) => return Err(ImportError::Io(e.to_string())),
                    _ => {
                        errors.push(RowError {
                            line,
                            message: e.to_string(),
                        });
                        continue;
                    }
                }
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if line.is_multiple_of(4096) {
            progress.checking(record.position().map_or(0, |p| p.byte()));
        }
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue; // blank line
        }
        match parse_row(&record, &cols, line, &mut dates) {
            Ok(row) => rows.push(row),
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    // Duplicates by sorting, not hashing: the write needs GTIN order anyway, and an export
    // already in order (the usual case) sorts in one pass.
    rows.sort_unstable_by_key(|r| (r.gtin, r.line));
    let mut first = 0;
    for i in 1..rows.len() {
        if rows[i].gtin == rows[first].gtin {
            errors.push(RowError {
                line: rows[i].line,
                message: format!(
                    "gtin {} already given on line {}",
                    rows[i].gtin, rows[first].line
                ),
            });
        } else {
            first = i;
        }
    }
    if errors.is_empty() {
        Ok(CheckedFile {
            rows,
            dates: dates.normalised,
        })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(ImportError::BadRows(errors))
    }
}

/// Checks every row of a stock file without a database and returns how many there are (the
/// fuzz target drives this; a bad file is an error, never a panic).
pub fn check_stock_file<R: Read>(reader: R) -> Result<u64, ImportError> {
    Ok(check_file(reader, &mut ())?.rows.len() as u64)
}

/// Imports a POS stock export. `source_name` is recorded as the `pos_import` feed's cursor.
pub fn import_stock<R: Read>(
    db: &mut Database,
    reader: R,
    source_name: &str,
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let database_check = options
        .check_database
        .then(|| db.quick_check_in_background());
    let file = check_file(reader, progress);
    // Damage outranks a bad row: the file can be fixed, the database needs its owner.
    if let Some(check) = database_check {
        check.wait()?;
    }
    let file = file?;
    let now = db::now_rfc3339();
    db.set_bulk_cache(true)?;
    let result = import_checked(db, &file, source_name, options, &now, progress);
    db.set_bulk_cache(false)?;
    result
}

fn import_checked(
    db: &mut Database,
    file: &CheckedFile,
    source_name: &str,
    options: ImportOptions,
    now: &str,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let tx = db.conn_mut().transaction().map_err(DbError::from)?;
    let plan = Plan::new(&tx, file, options.mode, now)?;
    let stocked = plan.stocked_before;
    let removed = plan.removed();
    // A short, empty or wrong file (every GTIN unknown) must not wipe the stock list.
    if options.mode == ImportMode::Replace
        && !options.force
        && !options.dry_run
        && removed * 100 > u64::from(options.max_removed_percent) * stocked
    {
        return Err(ImportError::TooManyRemoved {
            removed,
            stocked,
            percent: (removed * 100).div_ceil(stocked.max(1)),
            max_percent: options.max_removed_percent,
        });
    }
    if options.dry_run {
        let mut report = plan.dry_run(&tx, file)?;
        report.dry_run = true;
        return Ok(report);
    }
    if options.keep_undo {
        start_undo(&tx, source_name, options.mode, now, stocked)?;
    }
    let report = plan.write(&tx, file, now, options.keep_undo, progress)?;
    db::record_feed(
        &tx,
        "pos_import",
        source_name,
        &format!(
            "{} rows, {} imported, {} unknown",
            report.rows, report.imported, report.unknown
        ),
    )?;
    tx.commit().map_err(DbError::from)?;
    Ok(report)
}

/// The import that [`undo_last_import`] would take back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndoableImport {
    /// The file's name as given to the import.
    pub source: String,
    pub mode: ImportMode,
    /// When it ran (RFC 3339, UTC).
    pub imported_at: String,
    /// Sizes in stock before it: what undoing brings back.
    pub sizes_before: u64,
}

impl Serialize for ImportMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Replace => "replace",
            ImportMode::Merge => "merge",
        }
    }
}

/// Starts the undo record of an import: what it changes is logged row by row as it writes
/// (see `write`), so undoing a daily re-import that changed a few sizes keeps a few rows, not a
/// copy of the whole stock.
fn start_undo(
    tx: &Connection,
    source: &str,
    mode: ImportMode,
    now: &str,
    sizes_before: u64,
) -> Result<(), DbError> {
    forget_undo(tx)?;
    tx.execute(
        "INSERT INTO stock_undo_import (id, source, mode, imported_at, sizes_before)
         VALUES (1, ?1, ?2, ?3, ?4)",
        rusqlite::params![source, mode.as_str(), now, sizes_before as i64],
    )?;
    Ok(())
}

/// Drops the kept stock: called when the stock changes by other means than an import (a sync),
/// after which undoing the import would also undo those changes.
pub fn forget_undo(conn: &Connection) -> Result<(), DbError> {
    conn.execute("DELETE FROM stock_undo_import", [])?;
    conn.execute("DELETE FROM stock_undo", [])?;
    Ok(())
}

/// The last import, if it can still be undone.
pub fn undoable_import(conn: &Connection) -> Result<Option<UndoableImport>, DbError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT source, mode, imported_at, sizes_before FROM stock_undo_import WHERE id = 1",
            [],
            |r| {
                Ok(UndoableImport {
                    source: r.get(0)?,
                    mode: if r.get::<_, String>(1)? == "merge" {
                        ImportMode::Merge
                    } else {
                        ImportMode::Replace
                    },
                    imported_at: r.get(2)?,
                    sizes_before: r.get::<_, i64>(3)? as u64,
                })
            },
        )
        .optional()?)
}

/// Puts the store's stock back as it was before the last import, in one transaction.
pub fn undo_last_import(db: &mut Database) -> Result<UndoableImport, ImportError> {
    let tx = db.conn_mut().transaction().map_err(DbError::from)?;
    let Some(undone) = undoable_import(&tx)? else {
        return Err(ImportError::NothingToUndo);
    };
    if undone.sizes_before == 0 {
        // The import started from an empty stock; it logged nothing row by row.
        tx.execute("DELETE FROM store_stock", [])?;
    } else {
        tx.execute(
            "DELETE FROM store_stock
             WHERE gtin IN (SELECT gtin FROM stock_undo WHERE quantity IS NULL)",
            [],
        )?;
        // A size the catalog dropped since has no variant to point at any more.
        tx.execute(
            "INSERT INTO store_stock (gtin, quantity, updated_at)
             SELECT u.gtin, u.quantity, u.updated_at FROM stock_undo u
             WHERE u.quantity IS NOT NULL
               AND EXISTS (SELECT 1 FROM variants v WHERE v.gtin = u.gtin)
             ON CONFLICT (gtin) DO UPDATE SET quantity = excluded.quantity,
                                              updated_at = excluded.updated_at",
            [],
        )?;
    }
    forget_undo(&tx)?;
    db::record_feed(
        &tx,
        "pos_import",
        &undone.source,
        &format!("import of {} undone", undone.source),
    )?;
    tx.commit().map_err(DbError::from)?;
    Ok(undone)
}

#[cfg(test)]
mod tests;
