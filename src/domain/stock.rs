//! Importing the store's stock export from its POS: CSV with a `gtin,quantity` header and an
//! optional `updated_at` (extra columns are ignored). All or nothing: the file is checked in
//! full first, and any bad row aborts the import with every bad line listed, leaving the
//! previous stock untouched. Unknown GTINs are counted and listed, not fatal.

use std::collections::HashMap;
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
    /// Keep the stock as it was, so [`undo_last_import`] can bring it back (a copy of the
    /// stock table inside the import's transaction).
    pub keep_undo: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            mode: ImportMode::Replace,
            dry_run: false,
            max_removed_percent: 50,
            force: false,
            keep_undo: true,
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

struct Row {
    line: u64,
    gtin: Gtin,
    quantity: u32,
    updated_at: Option<String>,
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

fn parse_row(record: &csv::ByteRecord, cols: &Columns, line: u64) -> Result<Row, String> {
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
                Some(parse_updated_at(text)?)
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

/// Reads and checks every row; returns them all, or every bad line.
fn check_file<R: Read>(reader: R, progress: &mut dyn Progress) -> Result<Vec<Row>, ImportError> {
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
    let mut first_seen: HashMap<Gtin, u64> = HashMap::new();
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
        match parse_row(&record, &cols, line) {
            Ok(row) => {
                if let Some(first) = first_seen.insert(row.gtin, line) {
                    errors.push(RowError {
                        line,
                        message: format!("gtin {} already given on line {first}", row.gtin),
                    });
                } else {
                    rows.push(row);
                }
            }
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError::BadRows(errors))
    }
}

fn write_rows(
    conn: &Connection,
    rows: &[Row],
    mode: ImportMode,
    now: &str,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        rows: rows.len() as u64,
        ..ImportReport::default()
    };
    // Replace mode: what was stocked and is not in the file is deleted at the end. Updating
    // rows in place is cheaper than deleting the table and inserting everything again.
    let mut not_in_file: std::collections::HashSet<i64> = if mode == ImportMode::Replace {
        let mut stmt = conn.prepare("SELECT gtin FROM store_stock")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    } else {
        Default::default()
    };
    report.stocked_before = if mode == ImportMode::Replace {
        not_in_file.len() as u64
    } else {
        conn.query_row("SELECT count(*) FROM store_stock", [], |r| r.get(0))?
    };
    // One statement does the catalog check and the write: no row = unknown GTIN.
    let mut upsert = conn.prepare_cached(
        "INSERT INTO store_stock (gtin, quantity, updated_at)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)
         ON CONFLICT (gtin) DO UPDATE SET quantity = excluded.quantity,
                                          updated_at = excluded.updated_at",
    )?;
    for (i, row) in rows.iter().enumerate() {
        let changed = upsert.execute((
            row.gtin.as_i64(),
            row.quantity,
            row.updated_at.as_deref().unwrap_or(now),
        ))?;
        if changed == 0 {
            report.unknown += 1;
            if report.unknown_sample.len() < UNKNOWN_SAMPLE {
                report.unknown_sample.push((row.line, row.gtin.to_string()));
            }
        } else {
            report.imported += 1;
            not_in_file.remove(&row.gtin.as_i64());
        }
        if i % 16_384 == 0 {
            progress.writing(i as u64, rows.len() as u64);
        }
    }
    // Unknown GTINs never reach the table, so whatever is left was stocked and is not listed.
    let mut delete = conn.prepare_cached("DELETE FROM store_stock WHERE gtin = ?1")?;
    for gtin in &not_in_file {
        delete.execute([gtin])?;
    }
    report.removed = not_in_file.len() as u64;
    progress.writing(rows.len() as u64, rows.len() as u64);
    Ok(report)
}

/// Checks every row of a stock file without a database and returns how many there are (the
/// fuzz target drives this; a bad file is an error, never a panic).
pub fn check_stock_file<R: Read>(reader: R) -> Result<u64, ImportError> {
    Ok(check_file(reader, &mut ())?.len() as u64)
}

/// Imports a POS stock export. `source_name` is recorded as the `pos_import` feed's cursor.
pub fn import_stock<R: Read>(
    db: &mut Database,
    reader: R,
    source_name: &str,
    options: ImportOptions,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let rows = check_file(reader, progress)?;
    let now = db::now_rfc3339();
    let tx = db.conn_mut().transaction().map_err(DbError::from)?;
    if options.keep_undo && !options.dry_run {
        keep_for_undo(&tx, source_name, options.mode, &now)?;
    }
    let mut report = write_rows(&tx, &rows, options.mode, &now, progress)?;
    report.dry_run = options.dry_run;
    // A short, empty or wrong file (every GTIN unknown) must not wipe the stock list.
    let stocked = report.stocked_before;
    if options.mode == ImportMode::Replace
        && !options.force
        && !options.dry_run
        && report.removed * 100 > u64::from(options.max_removed_percent) * stocked
    {
        tx.rollback().map_err(DbError::from)?;
        return Err(ImportError::TooManyRemoved {
            removed: report.removed,
            stocked,
            percent: (report.removed * 100).div_ceil(stocked.max(1)),
            max_percent: options.max_removed_percent,
        });
    }
    if options.dry_run {
        tx.rollback().map_err(DbError::from)?;
    } else {
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
    }
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

fn keep_for_undo(
    tx: &Connection,
    source: &str,
    mode: ImportMode,
    now: &str,
) -> Result<(), DbError> {
    forget_undo(tx)?;
    let sizes = tx.execute(
        "INSERT INTO stock_undo (gtin, quantity, updated_at)
         SELECT gtin, quantity, updated_at FROM store_stock",
        [],
    )?;
    tx.execute(
        "INSERT INTO stock_undo_import (id, source, mode, imported_at, sizes_before)
         VALUES (1, ?1, ?2, ?3, ?4)",
        rusqlite::params![source, mode.as_str(), now, sizes as i64],
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
    tx.execute("DELETE FROM store_stock", [])?;
    // A size the catalog dropped since has no variant to point at any more.
    tx.execute(
        "INSERT INTO store_stock (gtin, quantity, updated_at)
         SELECT u.gtin, u.quantity, u.updated_at FROM stock_undo u
         WHERE EXISTS (SELECT 1 FROM variants v WHERE v.gtin = u.gtin)",
        [],
    )?;
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
