use std::fs::File;
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiosk::config::LoadedConfig;
use kiosk::domain::stock::{self, ImportError, ImportMode, ImportOptions, Progress};

use super::{CliResult, Failure, invalid, open_database};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV export: header `gtin,quantity` and optionally `updated_at`; other columns are
    /// ignored.
    #[arg(required_unless_present = "undo")]
    file: Option<PathBuf>,
    /// Put the stock back as it was before the last import (possible until the next sync
    /// changes the stock or another import runs).
    #[arg(long, conflicts_with_all = ["file", "dry_run", "merge", "force"])]
    undo: bool,
    /// Check every row and count what would change, without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Only update the sizes in the file. By default the file is the store's whole stock and
    /// sizes missing from it are removed.
    #[arg(long)]
    merge: bool,
    /// Import even when the file would remove more of the stocked sizes than
    /// `[manager] import_max_removed_percent` allows (50 % by default).
    #[arg(long, conflicts_with = "merge")]
    force: bool,
}

/// A progress bar on a terminal; indicatif draws nothing when stderr is not one.
struct Bar {
    bar: ProgressBar,
    writing: bool,
}

impl Bar {
    fn new(bytes: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg:9} [{bar:40}] {percent:>3}% {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("checking");
        Self {
            bar,
            writing: false,
        }
    }
}

impl Progress for Bar {
    fn checking(&mut self, bytes_read: u64) {
        self.bar.set_position(bytes_read);
    }

    fn writing(&mut self, rows_written: u64, rows_total: u64) {
        if !self.writing {
            self.writing = true;
            self.bar.set_message("writing");
            self.bar.set_length(rows_total);
        }
        self.bar.set_position(rows_written);
    }
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let Some(path) = args.file.clone() else {
        return undo(loaded);
    };
    let file =
        File::open(&path).with_context(|| format!("opening the stock file {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // Checked alongside the parsing (`check_database`), not before it.
    let mut db = open_database(loaded, kiosk::db::Check::OnUse)?;
    let options = ImportOptions {
        mode: if args.merge {
            ImportMode::Merge
        } else {
            ImportMode::Replace
        },
        dry_run: args.dry_run,
        max_removed_percent: loaded.config.manager.import_max_removed_percent,
        force: args.force,
        keep_undo: true,
        check_database: true,
    };
    let mut bar = Bar::new(size);
    let started = std::time::Instant::now();
    let name = path.display().to_string();
    let result = stock::import_stock(&mut db, file, &name, options, &mut bar);
    bar.bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(ImportError::BadRows(errors)) => {
            for e in &errors {
                eprintln!("{}:{}: {}", path.display(), e.line, e.message);
            }
            return Err(invalid(anyhow::anyhow!(
                "{} bad row(s) in {}; nothing was imported and the previous stock is intact",
                errors.len(),
                path.display()
            )));
        }
        Err(e @ (ImportError::Header(_) | ImportError::TooManyRemoved { .. })) => {
            return Err(invalid(anyhow::anyhow!("{}: {e}", path.display())));
        }
        Err(e) => return Err(Failure::from(e)),
    };
    let verb = if report.dry_run {
        "would import"
    } else {
        "imported"
    };
    println!(
        "{}: {} rows, {verb} {}, unknown GTINs {}, changed or new {}, sizes no longer stocked {} \
         ({:.2} s){}",
        path.display(),
        report.rows,
        report.imported,
        report.unknown,
        report.changed,
        report.removed,
        started.elapsed().as_secs_f64(),
        if report.dry_run {
            " — dry run, nothing written"
        } else {
            ""
        }
    );
    let max = u64::from(options.max_removed_percent);
    if report.dry_run && !args.force && report.removed * 100 > max * report.stocked_before {
        println!(
            "it would remove {} of the {} sizes in stock (more than {max} %): the real import \
             would be refused without --force",
            report.removed, report.stocked_before
        );
    }
    if report.unknown > 0 {
        println!("GTINs not in the catalog (sync the catalog, or check the export):");
        for (line, gtin) in &report.unknown_sample {
            println!("  line {line}: {gtin}");
        }
        if report.unknown > report.unknown_sample.len() as u64 {
            println!(
                "  … and {} more",
                report.unknown - report.unknown_sample.len() as u64
            );
        }
    }
    Ok(())
}

fn undo(loaded: &LoadedConfig) -> CliResult {
    let mut db = open_database(loaded, kiosk::db::Check::Quick)?;
    match stock::undo_last_import(&mut db) {
        Ok(undone) => {
            println!(
                "undone: the import of {} ({}, {}); the stock of {} sizes is back as it was",
                undone.source,
                undone.mode.as_str(),
                undone.imported_at,
                undone.sizes_before
            );
            Ok(())
        }
        Err(e @ ImportError::NothingToUndo) => Err(invalid(anyhow::anyhow!("{e}"))),
        Err(e) => Err(Failure::from(e)),
    }
}
