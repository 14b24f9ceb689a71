//! Manager mode: behind the PIN, the store manager keeps the kiosk honest (sync, stock import,
//! orders that did not reach the warehouse, the camera) and reads what shoppers asked for.
//! Everything slow runs in tasks; shoppers are never blocked by it (the manager is at the kiosk,
//! and a sync started here keeps running after logging out).

pub mod analytics;
pub mod chart;
pub mod orders;
pub mod pin;
mod problems;
mod reorder;
mod settings;
pub mod status;
mod tasks;

pub use tasks::StockFile;
use tasks::load;

use std::path::PathBuf;
use std::sync::Arc;

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use super::theme::{self, spacing};
use super::{CameraState, Ctx, Services, widgets};
use crate::db::{DbError, DbStats};
use crate::domain::analytics::ExportError;
use crate::domain::orders::OutboxOrder;

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
    pub recent: Vec<crate::domain::orders::RecentOrder>,
    pub stock_files: Vec<StockFile>,
    /// Where the reorder list can be saved (USB sticks, the import share).
    pub export_targets: Vec<ExportTarget>,
    /// The last stock import, while it can still be undone.
    pub undoable: Option<crate::domain::stock::UndoableImport>,
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

#[derive(Debug, Clone)]
pub enum ExportState {
    Idle,
    Saving,
    Saved(PathBuf),
    Failed(ExportError),
}

pub use status::{ImportPreview, ImportState, Reach, SyncState, SyncSummary};

#[derive(Debug, Clone)]
pub enum Message {
    Tab(Tab),
    Refresh,
    Loaded(Result<Box<Snapshot>, DbError>),
    Status(status::Message),
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
    snapshot: Option<Result<Box<Snapshot>, DbError>>,
    status: status::StatusTab,
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
        self.status.previewing_import()
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

    pub(super) fn snapshot_ok(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref().and_then(|s| s.as_deref().ok())
    }

    /// Opens the dashboard and starts loading everything it shows.
    pub fn open(services: &Arc<Services>) -> (Self, Task<Message>) {
        let mut dashboard = Self {
            tab: Tab::Status,
            snapshot: None,
            status: status::StatusTab::new(),
            analytics: analytics::AnalyticsTab::new(),
            last_read: None,
            confirm_quit: false,
            orders: orders::OrdersTab::default(),
        };
        let task = Task::batch([
            load(services),
            dashboard.status.ping(services).map(Message::Status),
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
        self.status.sync_state()
    }

    #[cfg(test)]
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref().and_then(|s| s.as_deref().ok())
    }

    #[cfg(test)]
    pub fn analytics(&self) -> Option<&crate::domain::analytics::Analytics> {
        self.analytics.analytics()
    }

    #[cfg(test)]
    pub fn import_state(&self) -> &ImportState {
        self.status.import_state()
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

    /// Reads everything the dashboard shows again.
    fn refresh(&mut self, services: &Arc<Services>) -> Task<Message> {
        Task::batch([
            load(services),
            self.status.ping(services).map(Message::Status),
            self.analytics.load(services).map(Message::Analytics),
        ])
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
            Message::Refresh => self.refresh(services),
            Message::Loaded(snapshot) => {
                self.snapshot = Some(snapshot);
                Task::none()
            }
            Message::Status(m) => {
                let snapshot = self.snapshot.as_ref().and_then(|s| s.as_deref().ok());
                match self.status.update(m, services, snapshot) {
                    status::Action::Run(task) => task.map(Message::Status),
                    status::Action::Reload(task) => {
                        Task::batch([load(services), task.map(Message::Status)])
                    }
                    status::Action::Refresh => self.refresh(services),
                    status::Action::ShowOrders => {
                        self.tab = Tab::Orders;
                        Task::none()
                    }
                }
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
            Tab::Status => self
                .status
                .view(ctx, services, self.snapshot_ok())
                .map(Message::Status),
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
            Message::Status(m) => return m.is_from_staff(),
            _ => {}
        }
        matches!(
            self,
            Message::Tab(_)
                | Message::Refresh
                | Message::Logout
                | Message::AskQuit
                | Message::KeepRunning
                | Message::Quit
        )
    }
}
