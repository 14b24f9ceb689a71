//! The dashboard's status tab — the manager's everyday work: the sync and its progress, the
//! warehouse, waiting orders, the camera, stock files to import and the last import's undo.
//! Its own state, messages and work; the dashboard routes to it.

use std::path::Path;

use iced::widget::{column, container, progress_bar, row, scrollable, text};
use iced::{Element, Length};

use std::path::PathBuf;
use std::sync::Arc;

use iced::Task;

use super::tasks::{file_name, import_task, ping, preview_task, sync_task, undo_task};
use super::{Snapshot, StockFile, problems, warning};
use crate::db::DbStats;
use crate::domain::stock::{ImportError, ImportMode, ImportReport, UndoableImport};
use crate::runtime::sync::{self, SyncError};
use crate::ui::theme::{self, spacing};
use crate::ui::{CameraState, Ctx, Services, widgets};
use crate::warehouse::ClientError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSummary {
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    pub seconds: u64,
}

#[derive(Debug, Clone)]
pub enum SyncState {
    Idle,
    Running {
        feed: &'static str,
        page: u64,
        total: Option<u64>,
    },
    Done(SyncSummary),
    Failed(SyncError),
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    Checking,
    Up { ms: u64 },
    Down(ClientError),
}

#[derive(Debug, Clone)]
pub enum ImportState {
    Idle,
    /// Checked, nothing written: what each way of importing the file would do.
    Preview(Box<ImportPreview>),
    Running(String),
    Done(ImportReport),
    Undone(UndoableImport),
    /// Not imported (or not undone): the file's name and why.
    Failed {
        file: String,
        error: ImportError,
    },
}

/// A stock file checked both ways (a dry run of each): the manager picks one, or neither.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPreview {
    pub path: PathBuf,
    /// Replacing the whole stock list: sizes missing from the file go to 0.
    pub replace: ImportReport,
    /// Updating only the sizes the file lists.
    pub merge: ImportReport,
    /// Replacing would remove more than `import_max_removed_percent` of the sizes in stock:
    /// refused here as by the CLI (which has --force for a file that really is everything).
    pub replace_refused: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Refresh,
    /// The "orders waiting" line: open the orders tab.
    ShowOrders,
    SyncNow,
    SyncProgress {
        feed: &'static str,
        pages: u64,
        total: Option<u64>,
    },
    SyncFinished(Result<SyncSummary, SyncError>),
    CancelSync,
    Pinged(Result<u64, ClientError>),
    /// A stock file tapped: check it and show what it would do.
    Import(PathBuf),
    Previewed(Result<Box<ImportPreview>, ImportError>),
    /// The manager chose how to import the previewed file.
    ConfirmImport(ImportMode),
    CancelImport,
    Imported(Result<ImportReport, ImportError>),
    /// Put the stock back as it was before the last import.
    UndoImport,
    Undone(Result<UndoableImport, ImportError>),
}

impl Message {
    /// Whether a person at the kiosk caused this (activity for the idle logout).
    pub fn is_from_staff(&self) -> bool {
        matches!(
            self,
            Message::Refresh
                | Message::ShowOrders
                | Message::SyncNow
                | Message::CancelSync
                | Message::Import(_)
                | Message::ConfirmImport(_)
                | Message::CancelImport
                | Message::UndoImport
        )
    }
}

/// What the dashboard does after the tab handled a message.
pub enum Action {
    Run(Task<Message>),
    /// The stock or the orders changed: read the dashboard's snapshot again, and run this.
    Reload(Task<Message>),
    /// Read everything again (the Refresh button).
    Refresh,
    ShowOrders,
}

/// The status tab: the sync and its progress, the warehouse, the stock import.
#[derive(Debug)]
pub struct StatusTab {
    sync: SyncState,
    sync_handle: Option<iced::task::Handle>,
    warehouse: Reach,
    import: ImportState,
}

impl Default for StatusTab {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusTab {
    pub fn new() -> Self {
        Self {
            sync: SyncState::Idle,
            sync_handle: None,
            warehouse: Reach::Checking,
            import: ImportState::Idle,
        }
    }

    /// Asks the warehouse how fast it answers (shown as "Reachable (5 ms)").
    pub fn ping(&mut self, services: &Arc<Services>) -> Task<Message> {
        self.warehouse = Reach::Checking;
        ping(services)
    }

    /// An import preview fills the tab (its coming and going redraws the window).
    pub fn previewing_import(&self) -> bool {
        matches!(self.import, ImportState::Preview(_))
    }

    pub fn sync_state(&self) -> &SyncState {
        &self.sync
    }

    pub fn import_state(&self) -> &ImportState {
        &self.import
    }

    /// The import (or undo) that was running failed: keep the file's name with the error.
    fn failed(&self, error: ImportError) -> ImportState {
        let file = match &self.import {
            ImportState::Running(file) => file.clone(),
            _ => String::new(),
        };
        ImportState::Failed { file, error }
    }

    pub fn update(
        &mut self,
        message: Message,
        services: &Arc<Services>,
        snapshot: Option<&Snapshot>,
    ) -> Action {
        match message {
            Message::Refresh => Action::Refresh,
            Message::ShowOrders => Action::ShowOrders,
            Message::SyncNow => {
                if matches!(self.sync, SyncState::Running { .. }) {
                    return Action::Run(Task::none());
                }
                self.sync = SyncState::Running {
                    feed: sync::CATALOG_FEED,
                    page: 0,
                    total: None,
                };
                let (task, handle) = sync_task(services.clone()).abortable();
                self.sync_handle = Some(handle);
                Action::Run(task)
            }
            Message::SyncProgress { feed, pages, total } => {
                if matches!(self.sync, SyncState::Running { .. }) {
                    self.sync = SyncState::Running {
                        feed,
                        page: pages,
                        total,
                    };
                }
                Action::Run(Task::none())
            }
            Message::SyncFinished(result) => {
                self.sync_handle = None;
                self.sync = match result {
                    Ok(summary) => SyncState::Done(summary),
                    Err(e) => SyncState::Failed(e),
                };
                Action::Reload(ping(services))
            }
            Message::CancelSync => {
                if let Some(handle) = self.sync_handle.take() {
                    // Each page was committed with its cursor: what arrived stays, the next
                    // sync resumes after it.
                    handle.abort();
                    self.sync = SyncState::Cancelled;
                }
                Action::Reload(Task::none())
            }
            Message::Pinged(result) => {
                self.warehouse = match result {
                    Ok(ms) => Reach::Up { ms },
                    Err(e) => Reach::Down(e),
                };
                Action::Run(Task::none())
            }
            Message::Import(path) => {
                if matches!(self.import, ImportState::Running(_)) {
                    return Action::Run(Task::none());
                }
                self.import = ImportState::Running(file_name(&path));
                Action::Run(preview_task(services, path))
            }
            Message::Previewed(result) => {
                self.import = match result {
                    Ok(preview) => ImportState::Preview(preview),
                    Err(error) => self.failed(error),
                };
                Action::Run(Task::none())
            }
            Message::ConfirmImport(mode) => {
                let ImportState::Preview(preview) = &self.import else {
                    return Action::Run(Task::none());
                };
                if mode == crate::domain::stock::ImportMode::Replace && preview.replace_refused {
                    return Action::Run(Task::none());
                }
                let path = preview.path.clone();
                self.import = ImportState::Running(file_name(&path));
                Action::Run(import_task(services, path, mode))
            }
            Message::CancelImport => {
                self.import = ImportState::Idle;
                Action::Run(Task::none())
            }
            Message::Imported(result) => {
                self.import = match result {
                    Ok(report) => ImportState::Done(report),
                    Err(error) => self.failed(error),
                };
                Action::Reload(Task::none())
            }
            Message::UndoImport => {
                if matches!(self.import, ImportState::Running(_)) {
                    return Action::Run(Task::none());
                }
                let Some(undoable) = snapshot.and_then(|s| s.undoable.as_ref()) else {
                    return Action::Run(Task::none());
                };
                self.import =
                    ImportState::Running(file_name(std::path::Path::new(&undoable.source)));
                Action::Run(undo_task(services))
            }
            Message::Undone(result) => {
                self.import = match result {
                    Ok(undone) => ImportState::Undone(undone),
                    Err(error) => self.failed(error),
                };
                Action::Reload(Task::none())
            }
        }
    }

    pub fn view<'a>(
        &'a self,
        ctx: &Ctx<'a>,
        services: &'a Services,
        snapshot: Option<&'a Snapshot>,
    ) -> Element<'a, Message> {
        // A checked stock file waits for the manager's choice: that choice is the whole tab,
        // never a few buttons below the fold.
        if let ImportState::Preview(preview) = &self.import {
            return container(preview_view(ctx, preview))
                .center_x(Length::Fill)
                .padding(spacing::L)
                .into();
        }
        let p = ctx.palette;
        // The manager's work only; the kiosk's own details are on the settings tab.
        row![
            container(self.sync_section(ctx, services, snapshot)).width(Length::FillPortion(1)),
            scrollable(
                column![
                    self.import_section(ctx, services, snapshot),
                    widgets::touch(
                        ctx.t("mgr-refresh"),
                        Some(Message::Refresh),
                        theme::secondary(p),
                    )
                    .width(Length::Fixed(240.0)),
                ]
                .spacing(spacing::L)
            )
            .width(Length::FillPortion(1)),
        ]
        .spacing(spacing::XL)
        .into()
    }

    /// When the last sync was and how old (red past the limit), *Sync now* and its progress,
    /// the warehouse, waiting orders and the camera.
    fn sync_section<'a>(
        &'a self,
        ctx: &Ctx<'a>,
        services: &'a Services,
        snapshot: Option<&'a Snapshot>,
    ) -> Element<'a, Message> {
        let p = ctx.palette;
        let config = &services.config;
        let last = snapshot.and_then(|s| last_sync(ctx, &s.stats));
        let limit = config.manager.sync_max_age_s.as_secs();
        let mut sync_col =
            column![text(ctx.t("mgr-sync-title")).size(theme::text::H2 * 0.8)].spacing(spacing::S);
        // One slot of fixed height whatever it says (never synced, fresh, stale): the
        // buttons below never move.
        let last_line: Element<'a, Message> = match last {
            Some((when, age_s)) => {
                let line = text(ctx.t_with(
                    "mgr-sync-last",
                    &[("when", when), ("age", human_duration(age_s))],
                ))
                .size(theme::text::BODY);
                if age_s > limit {
                    container(
                        column![
                            line,
                            text(ctx.t_with("mgr-sync-stale", &[("limit", human_duration(limit))]))
                                .size(theme::text::BODY)
                        ]
                        .spacing(spacing::XS),
                    )
                    .padding(spacing::S)
                    .width(Length::Fill)
                    .style(theme::band(p.unavailable, p.on_unavailable))
                    .into()
                } else {
                    container(line).padding([spacing::S, 0.0]).into()
                }
            }
            None => container(text(ctx.t("mgr-sync-never")).size(theme::text::BODY))
                .padding(spacing::S)
                .width(Length::Fill)
                .style(theme::band(p.unavailable, p.on_unavailable))
                .into(),
        };
        sync_col = sync_col.push(
            container(last_line)
                .height(Length::Fixed(LAST_SYNC_HEIGHT))
                .clip(true),
        );
        let running = matches!(self.sync, SyncState::Running { .. });
        let mut buttons = row![
            widgets::touch(
                ctx.t("mgr-sync-now"),
                (!running).then_some(Message::SyncNow),
                theme::primary(p)
            )
            .width(Length::Fixed(300.0))
        ]
        .spacing(spacing::S);
        if running {
            buttons = buttons.push(
                widgets::touch(
                    ctx.t("mgr-sync-cancel"),
                    Some(Message::CancelSync),
                    theme::secondary(p),
                )
                .width(Length::Fixed(240.0)),
            );
        }
        sync_col = sync_col.push(buttons);
        // The progress and the result share one slot of fixed height: nothing below moves
        // when a sync starts, ends or fails.
        let mut outcome = column![].spacing(spacing::XS);
        match &self.sync {
            SyncState::Idle => {}
            SyncState::Running { feed, page, total } => {
                let feed_name = if *feed == sync::CATALOG_FEED {
                    "catalog"
                } else {
                    "stock"
                };
                let (fraction, words) = match total {
                    Some(total) => (
                        sync_fraction(feed, *page, *total),
                        ctx.t_with(
                            "mgr-sync-running",
                            &[
                                ("feed", feed_name.to_owned()),
                                ("page", page.to_string()),
                                ("total", total.to_string()),
                            ],
                        ),
                    ),
                    None => (
                        sync_fraction(feed, 0, 1),
                        ctx.t_with(
                            "mgr-sync-running-open",
                            &[("feed", feed_name.to_owned()), ("page", page.to_string())],
                        ),
                    ),
                };
                outcome = outcome
                    .push(progress_bar(0.0..=1.0, fraction).girth(28))
                    .push(text(words).size(theme::text::SMALL));
            }
            SyncState::Done(s) => {
                outcome = outcome.push(
                    text(ctx.t_with(
                        "mgr-sync-done",
                        &[
                            ("added", s.added.to_string()),
                            ("changed", s.changed.to_string()),
                            ("removed", s.removed.to_string()),
                            ("seconds", s.seconds.to_string()),
                        ],
                    ))
                    .size(theme::text::BODY),
                );
            }
            SyncState::Failed(e) => {
                outcome = outcome.push(warning(
                    ctx,
                    ctx.t_with("mgr-sync-failed", &[("error", problems::sync(ctx, e))]),
                ));
            }
            SyncState::Cancelled => {
                outcome = outcome.push(text(ctx.t("mgr-sync-cancelled")).size(theme::text::BODY));
            }
        }
        sync_col = sync_col.push(
            container(outcome)
                .height(Length::Fixed(SYNC_OUTCOME_HEIGHT))
                .clip(true),
        );
        let reach = match &self.warehouse {
            Reach::Checking => text(ctx.t("mgr-warehouse-checking"))
                .size(theme::text::BODY)
                .into(),
            Reach::Up { ms } => text(ctx.t_with("mgr-warehouse-ok", &[("ms", ms.to_string())]))
                .size(theme::text::BODY)
                .into(),
            Reach::Down(e) => warning(
                ctx,
                ctx.t_with(
                    "mgr-warehouse-down",
                    &[("error", problems::warehouse(ctx, e))],
                ),
            ),
        };
        let waiting = snapshot.map_or(0, |s| s.waiting.len());
        let orders_line: Element<'a, Message> = if waiting == 0 {
            text(ctx.t("mgr-orders-none"))
                .size(theme::text::BODY)
                .into()
        } else {
            widgets::touch(
                ctx.t_with("mgr-orders-waiting", &[("count", waiting.to_string())]),
                Some(Message::ShowOrders),
                theme::secondary(p),
            )
            .width(Length::Fill)
            .into()
        };
        let camera = match (config.camera.enabled, ctx.camera) {
            (false, _) => ctx.t("mgr-camera-state-off"),
            (true, CameraState::Active(_)) => ctx.t("mgr-camera-state-ok"),
            (true, CameraState::Unavailable) => ctx.t("mgr-camera-down"),
            (true, CameraState::Starting) => ctx.t("scan-camera-starting"),
        };
        sync_col = sync_col
            .push(text(ctx.t("mgr-warehouse-title")).size(theme::text::H2 * 0.8))
            .push(reach)
            .push(orders_line)
            .push(text(ctx.t("mgr-tab-camera")).size(theme::text::H2 * 0.8))
            .push(text(camera).size(theme::text::BODY));
        sync_col.into()
    }

    /// Stock files found in the configured folders, one tap each, and the last import.
    fn import_section<'a>(
        &'a self,
        ctx: &Ctx<'a>,
        services: &'a Services,
        snapshot: Option<&'a Snapshot>,
    ) -> Element<'a, Message> {
        let p = ctx.palette;
        let config = &services.config;
        let mut import_col = column![text(ctx.t("mgr-import-title")).size(theme::text::H2 * 0.8)]
            .spacing(spacing::S);
        match snapshot.map(|s| s.stock_files.as_slice()) {
            Some([]) => {
                let dirs: Vec<String> = config
                    .manager
                    .import_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect();
                import_col = import_col.push(
                    text(ctx.t_with("mgr-import-none", &[("dirs", dirs.join(", "))]))
                        .size(theme::text::SMALL),
                );
            }
            Some(files) => {
                let busy = matches!(self.import, ImportState::Running(_));
                for file in files.iter().take(5) {
                    import_col = import_col.push(file_button(ctx, file, !busy));
                }
            }
            None => {}
        }
        match &self.import {
            ImportState::Idle => {}
            // Shown as the whole tab (status_view).
            ImportState::Preview(_) => {}
            ImportState::Running(file) => {
                import_col = import_col.push(
                    text(ctx.t_with("mgr-import-running", &[("file", file.clone())]))
                        .size(theme::text::BODY),
                );
            }
            ImportState::Done(r) => {
                import_col = import_col.push(
                    text(ctx.t_with(
                        "mgr-import-done",
                        &[
                            ("imported", r.imported.to_string()),
                            ("rows", r.rows.to_string()),
                            ("unknown", r.unknown.to_string()),
                            ("removed", r.removed.to_string()),
                        ],
                    ))
                    .size(theme::text::BODY),
                );
            }
            ImportState::Undone(u) => {
                import_col = import_col.push(
                    text(ctx.t_with(
                        "mgr-import-undone",
                        &[
                            ("file", file_name(Path::new(&u.source))),
                            ("sizes", u.sizes_before.to_string()),
                        ],
                    ))
                    .size(theme::text::BODY),
                );
            }
            ImportState::Failed { file, error } => {
                import_col = import_col.push(warning(ctx, problems::import(ctx, file, error)));
            }
        }
        // Undo stays on the tab for as long as the kiosk can undo (until a sync changes stock).
        if let Some(u) = snapshot.and_then(|s| s.undoable.as_ref()) {
            let busy = matches!(self.import, ImportState::Running(_));
            import_col = import_col.push(widgets::touch_detailed(
                ctx.t("mgr-import-undo"),
                ctx.t_with(
                    "mgr-import-undo-what",
                    &[
                        ("file", file_name(Path::new(&u.source))),
                        ("when", local_time(ctx, &u.imported_at)),
                        ("sizes", u.sizes_before.to_string()),
                    ],
                ),
                (!busy).then_some(Message::UndoImport),
                theme::secondary(p),
            ));
        }
        import_col.into()
    }
}

/// What importing the checked file would do, both ways, before anything is written.
fn preview_view<'a>(ctx: &Ctx<'a>, preview: &ImportPreview) -> Element<'a, Message> {
    use crate::domain::stock::ImportMode;
    let p = ctx.palette;
    let r = &preview.replace;
    let m = &preview.merge;
    let mut col = column![
        text(ctx.t("mgr-import-title")).size(theme::text::H2 * 0.8),
        text(ctx.t_with(
            "mgr-import-preview",
            &[
                ("file", file_name(&preview.path)),
                ("rows", r.rows.to_string()),
                ("unknown", r.unknown.to_string()),
            ],
        ))
        .size(theme::text::BODY),
        text(ctx.t_with(
            "mgr-import-merge-does",
            &[("imported", m.imported.to_string())]
        ))
        .size(theme::text::SMALL),
        text(ctx.t_with(
            "mgr-import-replace-does",
            &[
                ("stocked", r.stocked_before.to_string()),
                ("imported", r.imported.to_string()),
                ("removed", r.removed.to_string()),
            ],
        ))
        .size(theme::text::SMALL),
    ]
    .spacing(spacing::S)
    .max_width(1200);
    if preview.replace_refused {
        col = col.push(warning(
            ctx,
            ctx.t_with(
                "mgr-import-replace-refused",
                &[
                    ("removed", r.removed.to_string()),
                    ("stocked", r.stocked_before.to_string()),
                ],
            ),
        ));
    }
    col = col.push(
        row![
            widgets::touch(
                ctx.t("mgr-import-merge"),
                Some(Message::ConfirmImport(ImportMode::Merge)),
                theme::primary(p)
            )
            .width(Length::Fixed(520.0)),
            widgets::touch(
                ctx.t("mgr-import-replace"),
                (!preview.replace_refused).then_some(Message::ConfirmImport(ImportMode::Replace)),
                theme::secondary(p)
            )
            .width(Length::Fixed(380.0)),
            widgets::touch(
                ctx.t("mgr-import-cancel"),
                Some(Message::CancelImport),
                theme::secondary(p)
            )
            .width(Length::Fixed(200.0)),
        ]
        .spacing(spacing::S),
    );
    container(col)
        .padding(spacing::S)
        .style(theme::surface(p))
        .into()
}

/// A stock file's button: its name, and below it when it was written, its size and rows.
fn file_button<'a>(ctx: &Ctx<'a>, file: &StockFile, enabled: bool) -> Element<'a, Message> {
    let when: jiff::Timestamp = file
        .modified
        .try_into()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let details = ctx.t_with(
        "mgr-import-file",
        &[
            ("when", local_time(ctx, &when.to_string())),
            ("size", indicatif::HumanBytes(file.bytes).to_string()),
            (
                "rows",
                file.rows.map_or_else(|| "?".to_owned(), |r| r.to_string()),
            ),
        ],
    );
    widgets::touch_detailed(
        file_name(&file.path),
        details,
        enabled.then(|| Message::Import(file.path.clone())),
        theme::secondary(ctx.palette),
    )
    .into()
}

/// "30/11/2026 14:02" in the kiosk's time zone and the language's date form.
pub(super) fn local_time(ctx: &Ctx<'_>, rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| {
            let local = t.to_zoned(jiff::tz::TimeZone::system());
            format!(
                "{} {}",
                ctx.lang.short_date(Some(&local.date().to_string())),
                local.strftime("%H:%M")
            )
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// Room for when the last sync was: two lines of body text in a padded band.
const LAST_SYNC_HEIGHT: f32 = 2.0 * theme::text::BODY * 1.3 + spacing::XS + 2.0 * spacing::S;

/// Room for the sync's progress bar and words, or its result (a failure's reason in a band of
/// up to three lines).
const SYNC_OUTCOME_HEIGHT: f32 = 140.0;

/// Progress over both feeds: the catalog is the first half, the store's stock the second.
fn sync_fraction(feed: &str, page: u64, total: u64) -> f32 {
    let within = (page as f32 / total.max(1) as f32).clamp(0.0, 1.0);
    if feed == sync::CATALOG_FEED {
        within * 0.5
    } else {
        0.5 + within * 0.5
    }
}

/// The most recent completed sync feed (catalog or stock): when, and how many seconds ago.
/// When the last sync ran (in the same words as every other time on the dashboard) and how
/// many seconds ago.
fn last_sync(ctx: &Ctx<'_>, stats: &DbStats) -> Option<(String, u64)> {
    let newest = sync::last_sync_at(&stats.feeds)?;
    let age = jiff::Timestamp::now()
        .duration_since(newest)
        .as_secs()
        .max(0) as u64;
    Some((local_time(ctx, &newest.to_string()), age))
}

/// "45 s", "12 min", "3 h", "2 d": the age of a sync at a glance.
pub fn human_duration(seconds: u64) -> String {
    match seconds {
        s if s < 90 => format!("{s} s"),
        s if s < 90 * 60 => format!("{} min", s / 60),
        s if s < 48 * 3600 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// Settings worth seeing at a glance; secrets only say where they come from and whether set.
pub(super) fn config_summary(services: &Services) -> Vec<String> {
    let c = &services.config;
    let secret = |env: &str, file: &Path| {
        // Relative files are relative to the config file, as the kiosk reads them.
        let resolved = if file.as_os_str().is_empty() {
            file.to_path_buf()
        } else {
            services.base_dir.join(file)
        };
        let source = crate::config::SecretSource::new(env, &resolved);
        let set = matches!(crate::config::read_secret(&source), Ok(Some(_)));
        let from = match &source {
            crate::config::SecretSource::Env(v) => format!("${v}"),
            crate::config::SecretSource::File(_) => file.display().to_string(),
            crate::config::SecretSource::None => "-".into(),
        };
        format!("{} ({from})", if set { "set" } else { "missing" })
    };
    vec![
        format!("version   {}", env!("CARGO_PKG_VERSION")),
        format!("store     {} ({})", c.store.id, c.store.currency),
        format!("database  {}", services.database.display()),
        format!(
            "warehouse {:?} {}",
            c.warehouse.mode,
            if c.warehouse.mode == crate::config::WarehouseMode::Remote {
                c.warehouse.url.as_str()
            } else {
                "(in-process, loopback)"
            }
        ),
        if c.warehouse.mode == crate::config::WarehouseMode::Embedded {
            "token     per process (embedded warehouse)".to_owned()
        } else {
            format!(
                "token     {}",
                secret(&c.warehouse.token_env, &c.warehouse.token_file)
            )
        },
        format!(
            "pin hash  {}",
            secret(&c.manager.pin_hash_env, &c.manager.pin_hash_file)
        ),
        format!(
            "camera    {} {} {}x{}@{}",
            if c.camera.enabled { "on" } else { "off" },
            c.camera.source,
            c.camera.width,
            c.camera.height,
            c.camera.fps
        ),
        format!("languages {}", c.ui.languages.join(", ")),
        format!(
            "idle      {} s (manager {} s), events kept {} days",
            c.ui.idle_timeout_s.as_secs(),
            c.manager.idle_timeout_s.as_secs(),
            c.privacy.event_retention_days
        ),
    ]
}
