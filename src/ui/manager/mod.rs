//! Manager mode: behind the PIN, the store manager keeps the kiosk honest (sync, stock import,
//! orders that did not reach the warehouse, the camera) and reads what shoppers asked for.
//! Everything slow runs in tasks; shoppers are never blocked by it (the manager is at the kiosk,
//! and a sync started here keeps running after logging out).

pub mod analytics;
pub mod chart;
pub mod orders;
pub mod pin;
mod reorder;
mod status;
mod tasks;

pub use tasks::StockFile;
use tasks::{file_name, import_task, load, ping, sync_task, undo_task};

use std::path::PathBuf;
use std::sync::Arc;

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use super::theme::{self, spacing};
use super::{CameraState, Ctx, Services, widgets};
use crate::db::DbStats;
use crate::orders::OutboxOrder;
use crate::stock::ImportReport;
use crate::sync::{self};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Status,
    Orders,
    Analytics,
    Camera,
    /// The kiosk's own details for IT: counts, version, settings, and quitting the program.
    Settings,
}

/// What the dashboard reads from the database in one go.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub stats: DbStats,
    /// Orders not confirmed yet: pending, being sent, refused.
    pub waiting: Vec<OutboxOrder>,
    /// The newest orders of every status, with style and size.
    pub recent: Vec<crate::orders::RecentOrder>,
    pub stock_files: Vec<StockFile>,
    /// Where the reorder list can be saved (USB sticks, the import share).
    pub export_targets: Vec<ExportTarget>,
    /// The last stock import, while it can still be undone.
    pub undoable: Option<crate::stock::UndoableImport>,
    /// The settings summary (secrets read to say set/missing: files, so not in `view`).
    pub settings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTarget {
    pub path: PathBuf,
    /// A mounted USB stick (else the import share).
    pub stick: bool,
}

pub use analytics::AnalyticsMode;

#[derive(Debug, Clone, PartialEq)]
pub enum ExportState {
    Idle,
    Saving,
    Saved(PathBuf),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSummary {
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    pub seconds: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SyncState {
    Idle,
    Running {
        feed: &'static str,
        page: u64,
        total: Option<u64>,
    },
    Done(SyncSummary),
    Failed(String),
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    Checking,
    Up { ms: u64 },
    Down(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportState {
    Idle,
    /// Checked, nothing written: what each way of importing the file would do.
    Preview(Box<ImportPreview>),
    Running(String),
    Done(ImportReport),
    Undone(crate::stock::UndoableImport),
    Failed(String),
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
    Tab(Tab),
    Refresh,
    Loaded(Result<Box<Snapshot>, String>),
    SyncNow,
    SyncProgress {
        feed: &'static str,
        pages: u64,
        total: Option<u64>,
    },
    SyncFinished(Result<SyncSummary, String>),
    CancelSync,
    Pinged(Result<u64, String>),
    /// A stock file tapped: check it and show what it would do.
    Import(PathBuf),
    Previewed(Result<Box<ImportPreview>, String>),
    /// The manager chose how to import the previewed file.
    ConfirmImport(crate::stock::ImportMode),
    CancelImport,
    Imported(Result<ImportReport, String>),
    /// Put the stock back as it was before the last import.
    UndoImport,
    Undone(Result<crate::stock::UndoableImport, String>),
    Orders(orders::Message),
    Analytics(analytics::Message),
    Logout,
    /// "Quit kiosk" tapped: ask first (a shopper-less black screen until someone restarts it).
    AskQuit,
    /// The question answered "keep running".
    KeepRunning,
    /// Close the kiosk program (maintenance); under systemd a clean exit is not restarted.
    Quit,
}

pub struct Dashboard {
    tab: Tab,
    snapshot: Option<Result<Box<Snapshot>, String>>,
    sync: SyncState,
    sync_handle: Option<iced::task::Handle>,
    warehouse: Reach,
    import: ImportState,
    analytics: analytics::AnalyticsTab,
    /// The last code the camera read while the camera tab was open.
    pub last_read: Option<String>,
    /// "Quit kiosk" was tapped and waits for its confirmation.
    pub confirm_quit: bool,
    orders: orders::OrdersTab,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard").field("tab", &self.tab).finish()
    }
}

impl Dashboard {
    /// Which tab shows (a tab change redraws the whole window, like a screen change).
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// An import preview fills the status tab (its coming and going redraws the window).
    pub fn previewing_import(&self) -> bool {
        matches!(self.import, ImportState::Preview(_))
    }

    /// What fills the body: a change redraws the whole window, like a screen change.
    pub fn layout_key(&self) -> u8 {
        self.tab as u8 * 8
            + u8::from(self.previewing_import())
            + 2 * u8::from(self.analytics.mode() == AnalyticsMode::Reorder)
            + 4 * u8::from(self.orders.searching())
    }

    #[cfg(test)]
    pub fn export_state(&self) -> &ExportState {
        self.analytics.export_state()
    }

    /// Opens the dashboard and starts loading everything it shows.
    pub fn open(services: &Arc<Services>) -> (Self, Task<Message>) {
        let dashboard = Self {
            tab: Tab::Status,
            snapshot: None,
            sync: SyncState::Idle,
            sync_handle: None,
            warehouse: Reach::Checking,
            import: ImportState::Idle,
            analytics: analytics::AnalyticsTab::new(),
            last_read: None,
            confirm_quit: false,
            orders: orders::OrdersTab::default(),
        };
        let task = Task::batch([
            load(services),
            ping(services),
            dashboard.analytics.load(services).map(Message::Analytics),
        ]);
        (dashboard, task)
    }

    /// The camera runs (with its preview) only on the camera tab.
    pub fn wants_camera(&self) -> bool {
        self.tab == Tab::Camera
    }

    #[cfg(test)]
    pub fn sync_state(&self) -> &SyncState {
        &self.sync
    }

    #[cfg(test)]
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref().and_then(|s| s.as_deref().ok())
    }

    #[cfg(test)]
    pub fn analytics(&self) -> Option<&crate::analytics::Analytics> {
        self.analytics.analytics()
    }

    #[cfg(test)]
    pub fn import_state(&self) -> &ImportState {
        &self.import
    }

    /// A code from the barcode scanner: on the orders tab it is an order number to find (the
    /// QR code on the shopper's done screen or e-mail); elsewhere the scanner is being tested.
    pub fn scanned(&mut self, code: &str, services: &Arc<Services>) -> Task<Message> {
        if self.tab == Tab::Orders {
            return self.orders.scanned(code, services).map(Message::Orders);
        }
        self.last_read = Some(code.to_owned());
        Task::none()
    }

    pub fn update(&mut self, message: Message, services: &Arc<Services>) -> Task<Message> {
        match message {
            Message::Tab(tab) => {
                self.tab = tab;
                if tab == Tab::Camera {
                    self.last_read = None;
                }
                Task::none()
            }
            Message::Refresh => {
                self.warehouse = Reach::Checking;
                Task::batch([
                    load(services),
                    ping(services),
                    self.analytics.load(services).map(Message::Analytics),
                ])
            }
            Message::Loaded(snapshot) => {
                self.snapshot = Some(snapshot);
                Task::none()
            }
            Message::SyncNow => {
                if matches!(self.sync, SyncState::Running { .. }) {
                    return Task::none();
                }
                self.sync = SyncState::Running {
                    feed: sync::CATALOG_FEED,
                    page: 0,
                    total: None,
                };
                let (task, handle) = sync_task(services.clone()).abortable();
                self.sync_handle = Some(handle);
                task
            }
            Message::SyncProgress { feed, pages, total } => {
                if matches!(self.sync, SyncState::Running { .. }) {
                    self.sync = SyncState::Running {
                        feed,
                        page: pages,
                        total,
                    };
                }
                Task::none()
            }
            Message::SyncFinished(result) => {
                self.sync_handle = None;
                self.sync = match result {
                    Ok(summary) => SyncState::Done(summary),
                    Err(e) => SyncState::Failed(e),
                };
                Task::batch([load(services), ping(services)])
            }
            Message::CancelSync => {
                if let Some(handle) = self.sync_handle.take() {
                    // Each page was committed with its cursor: what arrived stays, the next
                    // sync resumes after it.
                    handle.abort();
                    self.sync = SyncState::Cancelled;
                }
                load(services)
            }
            Message::Pinged(result) => {
                self.warehouse = match result {
                    Ok(ms) => Reach::Up { ms },
                    Err(e) => Reach::Down(e),
                };
                Task::none()
            }
            Message::Import(path) => {
                if matches!(self.import, ImportState::Running(_)) {
                    return Task::none();
                }
                self.import = ImportState::Running(file_name(&path));
                tasks::preview_task(services, path)
            }
            Message::Previewed(result) => {
                self.import = match result {
                    Ok(preview) => ImportState::Preview(preview),
                    Err(e) => ImportState::Failed(e),
                };
                Task::none()
            }
            Message::ConfirmImport(mode) => {
                let ImportState::Preview(preview) = &self.import else {
                    return Task::none();
                };
                if mode == crate::stock::ImportMode::Replace && preview.replace_refused {
                    return Task::none();
                }
                let path = preview.path.clone();
                self.import = ImportState::Running(file_name(&path));
                import_task(services, path, mode)
            }
            Message::CancelImport => {
                self.import = ImportState::Idle;
                Task::none()
            }
            Message::Imported(result) => {
                self.import = match result {
                    Ok(report) => ImportState::Done(report),
                    Err(e) => ImportState::Failed(e),
                };
                load(services)
            }
            Message::UndoImport => {
                if matches!(self.import, ImportState::Running(_)) {
                    return Task::none();
                }
                let Some(undoable) = self.snapshot_ok().and_then(|s| s.undoable.as_ref()) else {
                    return Task::none();
                };
                self.import =
                    ImportState::Running(file_name(std::path::Path::new(&undoable.source)));
                undo_task(services)
            }
            Message::Undone(result) => {
                self.import = match result {
                    Ok(undone) => ImportState::Undone(undone),
                    Err(e) => ImportState::Failed(e),
                };
                load(services)
            }
            Message::Orders(m) => match self.orders.update(m, services) {
                orders::Action::Run(task) => task.map(Message::Orders),
                orders::Action::Reload => load(services),
            },
            Message::Analytics(m) => self.analytics.update(m, services).map(Message::Analytics),
            Message::AskQuit => {
                self.confirm_quit = true;
                Task::none()
            }
            Message::KeepRunning => {
                self.confirm_quit = false;
                Task::none()
            }
            Message::Logout | Message::Quit => Task::none(),
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, services: &'a Services) -> Element<'a, Message> {
        let p = ctx.palette;
        let tabs = [
            (Tab::Status, "mgr-tab-status"),
            (Tab::Orders, "mgr-tab-orders"),
            (Tab::Analytics, "mgr-tab-analytics"),
            (Tab::Camera, "mgr-tab-camera"),
            (Tab::Settings, "mgr-tab-settings"),
        ];
        let title = text(format!(
            "{} · {}",
            ctx.t("mgr-title"),
            services.config.store.name
        ))
        .size(theme::text::H2 * 0.8)
        .width(Length::Fill);
        let logout = widgets::touch(
            ctx.t("mgr-logout"),
            Some(Message::Logout),
            theme::primary(p),
        )
        .width(Length::Fixed(200.0));
        // Landscape: one bar. Portrait (1080 wide): the title above, the tabs sharing a row.
        let tab_width = if ctx.portrait {
            Length::Fill
        } else {
            Length::Fixed(200.0)
        };
        let mut tab_row = row![].spacing(spacing::S).align_y(Alignment::Center);
        for (tab, key) in tabs {
            tab_row = tab_row.push(
                widgets::touch(
                    ctx.t(key),
                    Some(Message::Tab(tab)),
                    theme::choice(p, self.tab == tab),
                )
                .width(tab_width),
            );
        }
        let bar: Element<'a, Message> = if ctx.portrait {
            column![
                row![title, logout]
                    .spacing(spacing::S)
                    .align_y(Alignment::Center),
                tab_row
            ]
            .spacing(spacing::S)
            .into()
        } else {
            row![title, tab_row, logout]
                .spacing(spacing::S)
                .align_y(Alignment::Center)
                .into()
        };
        let body: Element<'a, Message> = match self.tab {
            Tab::Status => self.status_view(ctx, services),
            Tab::Orders => self
                .orders
                .view(ctx, self.snapshot_ok())
                .map(Message::Orders),
            Tab::Analytics => {
                let targets = self
                    .snapshot_ok()
                    .map(|s| s.export_targets.as_slice())
                    .unwrap_or_default();
                self.analytics.view(ctx, targets).map(Message::Analytics)
            }
            Tab::Camera => self.camera_view(ctx, services),
            Tab::Settings => self.settings_view(ctx),
        };
        column![
            container(bar).padding([spacing::S, spacing::L]),
            container(body)
                .padding([spacing::S, spacing::L])
                .height(Length::Fill)
        ]
        .into()
    }

    fn camera_view<'a>(&'a self, ctx: &Ctx<'a>, services: &'a Services) -> Element<'a, Message> {
        let p = ctx.palette;
        let picture: Element<'a, Message> = match (services.config.camera.enabled, ctx.camera) {
            (false, _) => warning(ctx, ctx.t("mgr-camera-off")),
            (true, CameraState::Active(Some(preview))) => iced::widget::image(preview.clone())
                .width(Length::Fixed(800.0))
                .height(Length::Fixed(450.0))
                .into(),
            (true, CameraState::Unavailable) => warning(ctx, ctx.t("mgr-camera-down")),
            (true, _) => text(ctx.t("scan-camera-starting"))
                .size(theme::text::BODY)
                .into(),
        };
        let read = match &self.last_read {
            Some(code) => ctx.t_with("mgr-camera-read", &[("code", code.clone())]),
            None => ctx.t("mgr-camera-none"),
        };
        column![
            text(ctx.t("mgr-camera-title")).size(theme::text::H2 * 0.8),
            text(ctx.t("mgr-camera-hint")).size(theme::text::BODY),
            container(picture)
                .style(theme::surface(p))
                .padding(spacing::S),
            container(text(read).size(theme::text::H2))
                .padding(spacing::S)
                .style(theme::band(p.in_store, p.on_in_store)),
        ]
        .spacing(spacing::M)
        .into()
    }
}

fn warning<'a, M: 'a>(ctx: &Ctx<'a>, words: String) -> Element<'a, M> {
    let p = ctx.palette;
    container(text(words).size(theme::text::BODY))
        .padding(spacing::S)
        .style(theme::band(p.warning, p.on_warning))
        .into()
}

impl Message {
    /// Whether a person at the kiosk caused this (it then counts as activity for the idle
    /// logout); answers of background tasks do not.
    pub fn is_from_staff(&self) -> bool {
        match self {
            Message::Analytics(m) => return m.is_from_staff(),
            Message::Orders(m) => return m.is_from_staff(),
            _ => {}
        }
        matches!(
            self,
            Message::Tab(_)
                | Message::Refresh
                | Message::SyncNow
                | Message::CancelSync
                | Message::Import(_)
                | Message::ConfirmImport(_)
                | Message::CancelImport
                | Message::UndoImport
                | Message::Logout
                | Message::AskQuit
                | Message::KeepRunning
                | Message::Quit
        )
    }
}
