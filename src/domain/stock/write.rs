//! What an import changes and the writing of it. The checked file (in GTIN order) and the
//! stock table (its primary key is the GTIN, so it reads in that order too) are walked side by
//! side once, before anything is written: a size whose count and date are the same is not
//! touched, so the daily re-import of the same export writes only what changed, and a refusal
//! (too many sizes removed) is known before the first write.

use rusqlite::Connection;
use rusqlite::types::Type;

use super::{CheckedFile, ImportError, ImportMode, ImportReport, Progress, UNKNOWN_SAMPLE};

/// A stocked size as it was before the import: kept for the undo log.
pub(super) struct Stocked {
    gtin: i64,
    quantity: i64,
    updated_at: String,
}

pub(super) struct Plan {
    /// Sizes in stock before the import.
    pub stocked_before: u64,
    /// Rows of the file whose size is in stock with the same count and date.
    unchanged: u64,
    /// Rows (indexes into the file) whose size is not in stock: new, or not in the catalog.
    new: Vec<usize>,
    /// Rows whose size is in stock with another count or date, and what it was.
    changed: Vec<(usize, Stocked)>,
    /// Stocked sizes the file does not list (replace mode): removed.
    unlisted: Vec<Stocked>,
}

impl Plan {
    pub fn new(
        conn: &Connection,
        file: &CheckedFile,
        mode: ImportMode,
        now: &str,
    ) -> Result<Self, ImportError> {
        let rows = &file.rows;
        let mut plan = Plan {
            stocked_before: 0,
            unchanged: 0,
            new: Vec::new(),
            changed: Vec::new(),
            unlisted: Vec::new(),
        };
        let mut stmt =
            conn.prepare("SELECT gtin, quantity, updated_at FROM store_stock ORDER BY gtin")?;
        let mut stock = stmt.query([])?;
        let mut next = 0;
        while let Some(stocked) = stock.next()? {
            let gtin: i64 = stocked.get(0)?;
            plan.stocked_before += 1;
            while next < rows.len() && rows[next].gtin.as_i64() < gtin {
                plan.new.push(next);
                next += 1;
            }
            let listed = next < rows.len() && rows[next].gtin.as_i64() == gtin;
            if !listed && mode == ImportMode::Merge {
                continue;
            }
            let quantity: i64 = stocked.get(1)?;
            let updated_at = stocked.get_ref(2)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(e))
            })?;
            if !listed {
                plan.unlisted.push(Stocked {
                    gtin,
                    quantity,
                    updated_at: updated_at.to_owned(),
                });
                continue;
            }
            let row = &rows[next];
            if quantity == i64::from(row.quantity) && updated_at == file.date_of(row, now) {
                plan.unchanged += 1;
            } else {
                let before = Stocked {
                    gtin,
                    quantity,
                    updated_at: updated_at.to_owned(),
                };
                plan.changed.push((next, before));
            }
            next += 1;
        }
        plan.new.extend(next..rows.len());
        Ok(plan)
    }

    /// Sizes the import removes from the stock.
    pub fn removed(&self) -> u64 {
        self.unlisted.len() as u64
    }

    fn report(&self, file: &CheckedFile) -> ImportReport {
        ImportReport {
            rows: file.rows.len() as u64,
            imported: self.unchanged + self.changed.len() as u64,
            changed: self.changed.len() as u64,
            removed: self.removed(),
            stocked_before: self.stocked_before,
            ..ImportReport::default()
        }
    }

    /// The report of the import without writing: new sizes are only looked up.
    pub fn dry_run(
        &self,
        conn: &Connection,
        file: &CheckedFile,
    ) -> Result<ImportReport, ImportError> {
        let mut report = self.report(file);
        let mut known =
            conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)")?;
        let mut unknown = Vec::new();
        for &i in &self.new {
            let row = &file.rows[i];
            if known.query_row([row.gtin.as_i64()], |r| r.get(0))? {
                report.imported += 1;
                report.changed += 1;
            } else {
                unknown.push((row.line, row.gtin));
            }
        }
        report.add_unknown(unknown);
        Ok(report)
    }

    /// Writes the plan inside the caller's transaction; with `undo`, logs what each write
    /// replaces in `stock_undo` (a new size as a row without count; nothing at all when the
    /// stock was empty, which undoing empties again).
    pub fn write(
        &self,
        conn: &Connection,
        file: &CheckedFile,
        now: &str,
        undo: bool,
        progress: &mut dyn Progress,
    ) -> Result<ImportReport, ImportError> {
        let mut report = self.report(file);
        let total = (self.changed.len() + self.unlisted.len() + self.new.len()) as u64;
        let mut written = 0u64;
        let mut tick = |progress: &mut dyn Progress| {
            written += 1;
            if written.is_multiple_of(16_384) {
                progress.writing(written, total);
            }
        };
        let mut log = conn.prepare_cached(
            "INSERT INTO stock_undo (gtin, quantity, updated_at) VALUES (?1, ?2, ?3)",
        )?;
        let mut log_before = |before: &Stocked| -> rusqlite::Result<()> {
            if undo {
                log.execute((before.gtin, before.quantity, &before.updated_at))?;
            }
            Ok(())
        };
        let mut update = conn.prepare_cached(
            "UPDATE store_stock SET quantity = ?2, updated_at = ?3 WHERE gtin = ?1",
        )?;
        for (i, before) in &self.changed {
            let row = &file.rows[*i];
            update.execute((before.gtin, row.quantity, file.date_of(row, now)))?;
            log_before(before)?;
            tick(progress);
        }
        let mut delete = conn.prepare_cached("DELETE FROM store_stock WHERE gtin = ?1")?;
        for before in &self.unlisted {
            delete.execute([before.gtin])?;
            log_before(before)?;
            tick(progress);
        }
        // A single-row INSERT … VALUES needs no statement journal (an INSERT … SELECT does);
        // the catalog check is its own lookup, on pages the insert's key check reads anyway.
        let mut known =
            conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)")?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO store_stock (gtin, quantity, updated_at) VALUES (?1, ?2, ?3)",
        )?;
        let mut log_new = conn.prepare_cached("INSERT INTO stock_undo (gtin) VALUES (?1)")?;
        let log_new_sizes = undo && self.stocked_before > 0;
        let mut unknown = Vec::new();
        for &i in &self.new {
            let row = &file.rows[i];
            let gtin = row.gtin.as_i64();
            if known.query_row([gtin], |r| r.get(0))? {
                insert.execute((gtin, row.quantity, file.date_of(row, now)))?;
                report.imported += 1;
                report.changed += 1;
                if log_new_sizes {
                    log_new.execute([gtin])?;
                }
            } else {
                unknown.push((row.line, row.gtin));
            }
            tick(progress);
        }
        report.add_unknown(unknown);
        progress.writing(total, total);
        Ok(report)
    }
}

impl ImportReport {
    /// Counts the unknown GTINs and lists the first ones in the file's order.
    fn add_unknown(&mut self, mut unknown: Vec<(u64, crate::domain::barcode::Gtin)>) {
        self.unknown = unknown.len() as u64;
        unknown.sort_unstable_by_key(|(line, _)| *line);
        self.unknown_sample = unknown
            .into_iter()
            .take(UNKNOWN_SAMPLE)
            .map(|(line, gtin)| (line, gtin.to_string()))
            .collect();
    }
}
