//! The dashboard's background work: loading what it shows, pinging the warehouse, the sync
//! with progress, stock imports and order retries. All off the UI thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use iced::Task;

use super::status::Message as StatusMessage;
use super::{Message, Snapshot, SyncSummary};

use crate::domain::orders::{self, OutboxStatus};
use crate::domain::stock::{ImportError, ImportMode, ImportOptions, ImportReport};
use crate::runtime::sync::{self, SyncOptions};
use crate::ui::Services;

pub(super) fn load(services: &Arc<Services>) -> Task<Message> {
    let services = services.clone();
    let dirs: Vec<PathBuf> = services
        .config
        .manager
        .import_dirs
        .iter()
        .map(|d| services.base_dir.join(d))
        .collect();
    Task::perform(
        async move {
            let for_summary = services.clone();
            let (stock_files, export_targets, settings) = tokio::task::spawn_blocking(move || {
                (
                    stock_files(&dirs),
                    export_targets(&dirs),
                    super::status::config_summary(&for_summary),
                )
            })
            .await
            .unwrap_or_default();
            services
                .db
                .call(move |db| {
                    let stats = db.stats()?;
                    let waiting = orders::list(db)?
                        .into_iter()
                        .filter(|o| o.status != OutboxStatus::Confirmed)
                        .collect();
                    let recent = orders::recent(db, 50)?;
                    let undoable = crate::domain::stock::undoable_import(db.conn())?;
                    Ok(Box::new(Snapshot {
                        stats,
                        waiting,
                        recent,
                        stock_files,
                        export_targets,
                        undoable,
                        settings,
                    }))
                })
                .await
        },
        Message::Loaded,
    )
}

/// One small read-only request: can the kiosk reach the warehouse, and how fast.
pub(super) fn ping(services: &Arc<Services>) -> Task<StatusMessage> {
    let services = services.clone();
    Task::perform(
        async move {
            let started = Instant::now();
            services
                .client
                .catalog_changes("", 1)
                .await
                .map(|_| started.elapsed().as_millis() as u64)
        },
        StatusMessage::Pinged,
    )
}

/// The sync, its pages shown as they land (`Task::sip`), then its summary.
pub(super) fn sync_task(services: Arc<Services>) -> Task<StatusMessage> {
    let mut options = SyncOptions::new(&services.config.store.id);
    options.page_size = services.config.warehouse.page_size;
    let started = Instant::now();
    Task::sip(
        sync::sync(services.db.clone(), services.client.clone(), options),
        |page| StatusMessage::SyncProgress {
            feed: page.feed,
            pages: page.counts.pages,
            total: page.total_pages,
        },
        move |result| {
            StatusMessage::SyncFinished(result.map(|r| SyncSummary {
                added: r.catalog.added + r.stock.added,
                changed: r.catalog.changed + r.stock.changed,
                removed: r.catalog.removed + r.stock.removed,
                seconds: started.elapsed().as_secs(),
            }))
        },
    )
}

/// Checks a stock file both ways without writing (two dry runs in rolled-back transactions).
pub(super) fn preview_task(services: &Arc<Services>, path: PathBuf) -> Task<StatusMessage> {
    let services = services.clone();
    let max = services.config.manager.import_max_removed_percent;
    Task::perform(
        async move {
            services
                .db
                .run(move |db| {
                    let dry = |db: &mut crate::db::Database, mode| {
                        let options = ImportOptions {
                            mode,
                            dry_run: true,
                            max_removed_percent: max,
                            force: false,
                            keep_undo: false,
                            // The kiosk checked its database at start.
                            check_database: false,
                        };
                        import_file(db, &path, options)
                    };
                    let replace = dry(db, ImportMode::Replace)?;
                    let merge = dry(db, ImportMode::Merge)?;
                    let replace_refused =
                        replace.removed * 100 > u64::from(max) * replace.stocked_before;
                    Ok(Box::new(super::ImportPreview {
                        path: path.clone(),
                        replace,
                        merge,
                        replace_refused,
                    }))
                })
                .await
        },
        StatusMessage::Previewed,
    )
}

pub(super) fn import_task(
    services: &Arc<Services>,
    path: PathBuf,
    mode: ImportMode,
) -> Task<StatusMessage> {
    let services = services.clone();
    let options = ImportOptions {
        mode,
        max_removed_percent: services.config.manager.import_max_removed_percent,
        ..ImportOptions::default()
    };
    Task::perform(
        async move {
            services
                .db
                .run(move |db| import_file(db, &path, options))
                .await
        },
        StatusMessage::Imported,
    )
}

/// Imports (or dry-runs) the stock file at `path`.
fn import_file(
    db: &mut crate::db::Database,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Io(format!("{}: {e}", path.display())))?;
    crate::domain::stock::import_stock(
        db,
        std::io::BufReader::new(file),
        &path.display().to_string(),
        options,
        &mut (),
    )
}

/// Puts the stock back as it was before the last import.
pub(super) fn undo_task(services: &Arc<Services>) -> Task<StatusMessage> {
    let services = services.clone();
    Task::perform(
        async move {
            services
                .db
                .run(crate::domain::stock::undo_last_import)
                .await
        },
        StatusMessage::Undone,
    )
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A stock file as its button shows it: when it was written, how big, how many rows.
#[derive(Debug, Clone, PartialEq)]
pub struct StockFile {
    pub path: PathBuf,
    pub modified: std::time::SystemTime,
    pub bytes: u64,
    /// Data rows (lines after the header); `None` when the file could not be read.
    pub rows: Option<u64>,
}

/// Stock files in the configured folders (three levels deep), newest first, at most 20.
pub(super) fn stock_files(dirs: &[PathBuf]) -> Vec<StockFile> {
    fn walk(dir: &Path, depth: u32, found: &mut Vec<StockFile>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() && depth > 0 => walk(&path, depth - 1, found),
                Ok(t)
                    if t.is_file()
                        && path
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
                        && !is_own_report(&path) =>
                {
                    let meta = entry.metadata().ok();
                    found.push(StockFile {
                        modified: meta
                            .as_ref()
                            .and_then(|m| m.modified().ok())
                            .unwrap_or(std::time::UNIX_EPOCH),
                        bytes: meta.map_or(0, |m| m.len()),
                        rows: None,
                        path,
                    });
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    for dir in dirs {
        walk(dir, 3, &mut found);
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.modified));
    found.truncate(20);
    for file in &mut found {
        file.rows = count_rows(&file.path);
    }
    found
}

/// The reorder lists the kiosk saves next to the stock files are not stock files.
fn is_own_report(path: &Path) -> bool {
    path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .starts_with(crate::domain::analytics::REORDER_FILE_PREFIX)
    })
}

/// Lines after the header (a last line without a newline counts; blank lines do not).
fn count_rows(path: &Path) -> Option<u64> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).ok()?;
    let mut lines = 0u64;
    for line in std::io::BufReader::new(file).split(b'\n') {
        if !line.ok()?.trim_ascii().is_empty() {
            lines += 1;
        }
    }
    Some(lines.saturating_sub(1))
}

/// Where the reorder list can be saved: each USB stick mounted under the configured folders
/// (a folder on another device than its parent), and each configured folder that is not just
/// a place sticks mount in (the import share).
pub(super) fn export_targets(dirs: &[PathBuf]) -> Vec<super::ExportTarget> {
    use std::os::unix::fs::MetadataExt;
    fn mounts(dir: &Path, depth: u32, found: &mut Vec<PathBuf>) {
        let (Ok(entries), Ok(own)) = (std::fs::read_dir(dir), std::fs::metadata(dir)) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if !meta.is_dir() {
                continue;
            }
            if meta.dev() != own.dev() {
                found.push(path);
            } else if depth > 0 {
                mounts(&path, depth - 1, found);
            }
        }
    }
    let mut targets = Vec::new();
    for dir in dirs.iter().filter(|d| d.is_dir()) {
        let mut sticks = Vec::new();
        mounts(dir, 1, &mut sticks);
        if sticks.is_empty() && !is_mount_parent(dir) {
            targets.push(super::ExportTarget {
                path: dir.clone(),
                stick: false,
            });
        }
        targets.extend(
            sticks
                .into_iter()
                .map(|path| super::ExportTarget { path, stick: true }),
        );
    }
    targets
}

/// `/media` and `/run/media` hold sticks, never files of their own.
fn is_mount_parent(dir: &Path) -> bool {
    dir == Path::new("/media") || dir == Path::new("/run/media")
}
