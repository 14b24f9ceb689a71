//! Manager mode: behind the PIN, the store manager keeps the kiosk honest (sync, stock import,
//! orders that did not reach the warehouse, the camera) and reads what shoppers asked for.
//! Everything slow runs in tasks; shoppers are never blocked by it (the manager is at the kiosk,
//! and a sync started here keeps running after logging out).

pub mod chart;
pub mod pin;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use iced::futures::SinkExt;
use iced::widget::{canvas, column, container, progress_bar, row, scrollable, space, text};
use iced::{Alignment, Element, Length, Task};

use super::theme::{self, spacing};
use super::{CameraState, Ctx, Services, widgets};
use crate::analytics::{self, Analytics, Period, charts};
use crate::db::{DbError, DbStats};
use crate::orders::{self, OutboxOrder, OutboxStatus};
use crate::stock::{ImportError, ImportOptions, ImportReport};
use crate::sync::{self, SyncOptions, SyncProgress};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Status,
    Orders,
    Analytics,
    Camera,
}

/// What the dashboard reads from the database in one go.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub stats: DbStats,
    /// Orders not confirmed yet: pending, being sent, refused.
    pub waiting: Vec<OutboxOrder>,
    pub stock_files: Vec<PathBuf>,
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
    Running(String),
    Done(ImportReport),
    Failed(String),
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
    Import(PathBuf),
    Imported(Result<ImportReport, String>),
    Retry(String),
    RetryAll,
    Retried(Result<(), String>),
    Period(i32),
    AnalyticsLoaded(i32, Result<Box<Analytics>, String>),
    Logout,
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
    period_days: i32,
    analytics: Option<Result<Box<Analytics>, String>>,
    /// The last code the camera read while the camera tab was open.
    pub last_read: Option<String>,
    /// How long the last analytics query and chart data took (shown to the manager, small).
    analytics_took: Option<std::time::Duration>,
    analytics_started: Option<Instant>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard").field("tab", &self.tab).finish()
    }
}

impl Dashboard {
    /// Opens the dashboard and starts loading everything it shows.
    pub fn open(services: &Arc<Services>) -> (Self, Task<Message>) {
        let mut dashboard = Self {
            tab: Tab::Status,
            snapshot: None,
            sync: SyncState::Idle,
            sync_handle: None,
            warehouse: Reach::Checking,
            import: ImportState::Idle,
            period_days: 30,
            analytics: None,
            last_read: None,
            analytics_took: None,
            analytics_started: None,
        };
        let task = Task::batch([
            load(services),
            ping(services),
            dashboard.load_analytics(services),
        ]);
        (dashboard, task)
    }

    pub fn tab(&self) -> Tab {
        self.tab
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
    pub fn analytics(&self) -> Option<&Analytics> {
        self.analytics.as_ref().and_then(|a| a.as_deref().ok())
    }

    #[cfg(test)]
    pub fn import_state(&self) -> &ImportState {
        &self.import
    }

    fn load_analytics(&mut self, services: &Arc<Services>) -> Task<Message> {
        let days = self.period_days;
        self.analytics_started = Some(Instant::now());
        let services = services.clone();
        Task::perform(
            async move {
                services
                    .db
                    .call(move |db| {
                        let today = jiff::Zoned::now().date();
                        analytics::summarise(db, today)?;
                        analytics::query(db, Period::last_days(today, days)).map(Box::new)
                    })
                    .await
                    .map_err(|e| e.to_string())
            },
            move |result| Message::AnalyticsLoaded(days, result),
        )
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
                    self.load_analytics(services),
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
                import_task(services, path)
            }
            Message::Imported(result) => {
                self.import = match result {
                    Ok(report) => ImportState::Done(report),
                    Err(e) => ImportState::Failed(e),
                };
                load(services)
            }
            Message::Retry(id) => retry_task(services, Some(id)),
            Message::RetryAll => retry_task(services, None),
            Message::Retried(_) => load(services),
            Message::Period(days) => {
                self.period_days = days;
                self.analytics = None;
                self.load_analytics(services)
            }
            Message::AnalyticsLoaded(days, result) => {
                if days == self.period_days {
                    self.analytics = Some(result);
                    self.analytics_took = self.analytics_started.map(|t| t.elapsed());
                }
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
        ];
        let mut bar = row![
            text(format!(
                "{} · {}",
                ctx.t("mgr-title"),
                services.config.store.name
            ))
            .size(theme::text::H2)
            .width(Length::Fill)
        ]
        .spacing(spacing::S)
        .align_y(Alignment::Center);
        for (tab, key) in tabs {
            bar = bar.push(
                widgets::touch(
                    ctx.t(key),
                    Some(Message::Tab(tab)),
                    theme::choice(p, self.tab == tab),
                )
                .width(Length::Fixed(230.0)),
            );
        }
        bar = bar.push(
            widgets::touch(
                ctx.t("mgr-logout"),
                Some(Message::Logout),
                theme::primary(p),
            )
            .width(Length::Fixed(200.0)),
        );
        let body: Element<'a, Message> = match self.tab {
            Tab::Status => self.status_view(ctx, services),
            Tab::Orders => self.orders_view(ctx),
            Tab::Analytics => self.analytics_view(ctx),
            Tab::Camera => self.camera_view(ctx, services),
        };
        column![
            container(bar).padding([spacing::S, spacing::L]),
            container(body)
                .padding([spacing::S, spacing::L])
                .height(Length::Fill)
        ]
        .into()
    }

    fn status_view<'a>(&'a self, ctx: &Ctx<'a>, services: &'a Services) -> Element<'a, Message> {
        let p = ctx.palette;
        let config = &services.config;
        let snapshot = self.snapshot.as_ref().and_then(|s| s.as_ref().ok());

        // Sync: when, how old (red past the limit), the button, the progress.
        let last = snapshot.and_then(|s| last_sync(&s.stats));
        let limit = config.manager.sync_max_age_s;
        let mut sync_col =
            column![text(ctx.t("mgr-sync-title")).size(theme::text::H2 * 0.8)].spacing(spacing::S);
        match last {
            Some((when, age_s)) => {
                let line = text(ctx.t_with(
                    "mgr-sync-last",
                    &[("when", when), ("age", human_duration(age_s))],
                ))
                .size(theme::text::BODY);
                if age_s > limit {
                    sync_col =
                        sync_col.push(
                            container(
                                column![
                                    line,
                                    text(ctx.t_with(
                                        "mgr-sync-stale",
                                        &[("limit", human_duration(limit))]
                                    ))
                                    .size(theme::text::BODY)
                                ]
                                .spacing(spacing::XS),
                            )
                            .padding(spacing::S)
                            .style(theme::band(p.unavailable, p.on_unavailable)),
                        );
                } else {
                    sync_col = sync_col.push(line);
                }
            }
            None => {
                sync_col = sync_col.push(
                    container(text(ctx.t("mgr-sync-never")).size(theme::text::BODY))
                        .padding(spacing::S)
                        .style(theme::band(p.unavailable, p.on_unavailable)),
                );
            }
        }
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
                sync_col = sync_col
                    .push(progress_bar(0.0..=1.0, fraction).girth(28))
                    .push(text(words).size(theme::text::SMALL));
            }
            SyncState::Done(s) => {
                sync_col = sync_col.push(
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
                sync_col = sync_col.push(warning(
                    ctx,
                    ctx.t_with("mgr-sync-failed", &[("error", e.clone())]),
                ));
            }
            SyncState::Cancelled => {
                sync_col = sync_col.push(text(ctx.t("mgr-sync-cancelled")).size(theme::text::BODY));
            }
        }
        let reach = match &self.warehouse {
            Reach::Checking => text(ctx.t("mgr-warehouse-checking"))
                .size(theme::text::BODY)
                .into(),
            Reach::Up { ms } => text(ctx.t_with("mgr-warehouse-ok", &[("ms", ms.to_string())]))
                .size(theme::text::BODY)
                .into(),
            Reach::Down(e) => warning(
                ctx,
                ctx.t_with("mgr-warehouse-down", &[("error", e.clone())]),
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
                Some(Message::Tab(Tab::Orders)),
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

        // Import: files found in the configured folders, one tap each.
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
                    import_col = import_col.push(
                        widgets::touch(
                            file.display().to_string(),
                            (!busy).then(|| Message::Import(file.clone())),
                            theme::secondary(p),
                        )
                        .width(Length::Fill),
                    );
                }
            }
            None => {}
        }
        match &self.import {
            ImportState::Idle => {}
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
            ImportState::Failed(e) => {
                import_col = import_col.push(warning(
                    ctx,
                    ctx.t_with("mgr-import-failed", &[("error", e.clone())]),
                ));
            }
        }

        // The kiosk itself: counts, version, settings (secrets only as "set"/"missing").
        let mut about = column![text(ctx.t("mgr-stats-title")).size(theme::text::H2 * 0.8)]
            .spacing(spacing::XS);
        if let Some(s) = snapshot {
            about = about.push(
                text(ctx.t_with(
                    "mgr-stats",
                    &[
                        ("styles", s.stats.styles.to_string()),
                        ("sizes", s.stats.variants.to_string()),
                        ("stock", s.stats.store_stock.to_string()),
                        ("events", s.stats.shopper_events.to_string()),
                    ],
                ))
                .size(theme::text::SMALL),
            );
        }
        if let Some(Err(e)) = &self.snapshot {
            about = about.push(warning(ctx, e.clone()));
        }
        about = about.push(text(ctx.t("mgr-version-title")).size(theme::text::H2 * 0.8));
        for line in config_summary(services) {
            about = about.push(
                text(line)
                    .size(theme::text::SMALL)
                    .font(iced::Font::MONOSPACE),
            );
        }
        about = about.push(
            row![
                widgets::touch(
                    ctx.t("mgr-refresh"),
                    Some(Message::Refresh),
                    theme::secondary(p)
                )
                .width(Length::Fixed(240.0)),
                widgets::touch(ctx.t("mgr-quit"), Some(Message::Quit), theme::secondary(p))
                    .width(Length::Fixed(300.0)),
            ]
            .spacing(spacing::S),
        );

        row![
            column![sync_col, import_col]
                .spacing(spacing::L)
                .width(Length::FillPortion(1)),
            scrollable(about).width(Length::FillPortion(1)),
        ]
        .spacing(spacing::XL)
        .into()
    }

    fn orders_view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let waiting = self
            .snapshot
            .as_ref()
            .and_then(|s| s.as_ref().ok())
            .map(|s| s.waiting.as_slice())
            .unwrap_or_default();
        let mut list = column![
            row![
                text(ctx.t("mgr-orders-title"))
                    .size(theme::text::H2 * 0.8)
                    .width(Length::Fill),
                widgets::touch(
                    ctx.t("mgr-orders-retry-all"),
                    (!waiting.is_empty()).then_some(Message::RetryAll),
                    theme::primary(p)
                )
                .width(Length::Fixed(320.0)),
            ]
            .align_y(Alignment::Center)
        ]
        .spacing(spacing::S);
        if waiting.is_empty() {
            list = list.push(text(ctx.t("mgr-orders-none")).size(theme::text::BODY));
        }
        for order in waiting {
            let status = match order.status {
                OutboxStatus::Pending => ctx.t_with(
                    "mgr-order-pending",
                    &[("attempts", order.attempts.to_string())],
                ),
                OutboxStatus::Sending => ctx.t("mgr-order-sending"),
                OutboxStatus::Rejected => ctx.t("mgr-order-rejected"),
                OutboxStatus::Confirmed => String::new(),
            };
            let mut about = column![
                text(format!(
                    "{}   {}   {}",
                    order.id,
                    order.gtin,
                    super::money(order.price_cents, &order.currency)
                ))
                .size(theme::text::BODY),
                text(format!("{status} · {}", order.created_at)).size(theme::text::SMALL),
            ]
            .spacing(spacing::XS)
            .width(Length::Fill);
            if let Some(e) = &order.last_error {
                about = about.push(
                    text(ctx.t_with("mgr-order-error", &[("error", e.clone())]))
                        .size(theme::text::SMALL)
                        .color(p.muted),
                );
            }
            list = list.push(
                container(
                    row![
                        about,
                        widgets::touch(
                            ctx.t("mgr-orders-retry"),
                            Some(Message::Retry(order.id.clone())),
                            theme::secondary(p)
                        )
                        .width(Length::Fixed(220.0)),
                    ]
                    .spacing(spacing::M)
                    .align_y(Alignment::Center),
                )
                .padding(spacing::S)
                .style(theme::surface(p)),
            );
        }
        scrollable(list).into()
    }

    fn analytics_view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut periods = row![].spacing(spacing::S).align_y(Alignment::Center);
        for (days, key) in [
            (7, "mgr-period-7"),
            (30, "mgr-period-30"),
            (365, "mgr-period-365"),
        ] {
            periods = periods.push(
                widgets::touch(
                    ctx.t(key),
                    Some(Message::Period(days)),
                    theme::choice(p, self.period_days == days),
                )
                .width(Length::Fixed(200.0)),
            );
        }
        let a = match &self.analytics {
            None => {
                return column![
                    periods,
                    text(ctx.t("mgr-analytics-loading")).size(theme::text::BODY)
                ]
                .spacing(spacing::M)
                .into();
            }
            Some(Err(e)) => {
                return column![periods, warning(ctx, e.clone())]
                    .spacing(spacing::M)
                    .into();
            }
            Some(Ok(a)) => a,
        };
        periods = periods.push(space::horizontal()).push(
            text(ctx.t_with(
                "mgr-analytics-summary",
                &[
                    ("scans", a.total_scans().to_string()),
                    ("lost", a.total_lost().to_string()),
                ],
            ))
            .size(theme::text::BODY),
        );
        let lang = ctx.lang;
        let label = |l: &str| {
            lang.try_text(&format!("bar-{l}"))
                .unwrap_or_else(|| l.to_owned())
        };
        let grid = chart::ChartGrid {
            charts: charts::bar_sets(a)
                .iter()
                .map(|set| {
                    (
                        ctx.t(&format!("chart-{}", set.file)),
                        chart::BarChart::new(set, label, p),
                    )
                })
                .collect(),
            columns: if ctx.portrait { 2 } else { 3 },
            palette: p,
        };
        let grid = canvas(grid).width(Length::Fill).height(Length::Fill);
        column![periods, grid].spacing(spacing::S).into()
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

fn warning<'a>(ctx: &Ctx<'a>, words: String) -> Element<'a, Message> {
    let p = ctx.palette;
    container(text(words).size(theme::text::BODY))
        .padding(spacing::S)
        .style(theme::band(p.warning, p.on_warning))
        .into()
}

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
fn last_sync(stats: &DbStats) -> Option<(String, u64)> {
    let newest = stats
        .feeds
        .iter()
        .filter(|f| f.feed == sync::CATALOG_FEED || f.feed == sync::STOCK_FEED)
        .filter_map(|f| f.synced_at.parse::<jiff::Timestamp>().ok())
        .max()?;
    let age = jiff::Timestamp::now()
        .duration_since(newest)
        .as_secs()
        .max(0) as u64;
    let local = newest
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%d/%m %H:%M")
        .to_string();
    Some((local, age))
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

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Settings worth seeing at a glance; secrets only say where they come from and whether set.
fn config_summary(services: &Services) -> Vec<String> {
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
            "idle      {} s, events kept {} days",
            c.ui.idle_timeout_s, c.privacy.event_retention_days
        ),
    ]
}

/// Stock files in the configured folders (three levels deep), newest first, at most 20.
pub fn stock_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: u32, found: &mut Vec<(std::time::SystemTime, PathBuf)>) {
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
                            .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
                {
                    let modified = entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    found.push((modified, path));
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    for dir in dirs {
        walk(dir, 3, &mut found);
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().take(20).map(|(_, p)| p).collect()
}

fn load(services: &Arc<Services>) -> Task<Message> {
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
            let stock_files = tokio::task::spawn_blocking(move || stock_files(&dirs))
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
                    Ok(Box::new(Snapshot {
                        stats,
                        waiting,
                        stock_files,
                    }))
                })
                .await
                .map_err(|e| e.to_string())
        },
        Message::Loaded,
    )
}

/// One small read-only request: can the kiosk reach the warehouse, and how fast.
fn ping(services: &Arc<Services>) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            let started = Instant::now();
            services
                .client
                .catalog_changes("", 1)
                .await
                .map(|_| started.elapsed().as_millis() as u64)
                .map_err(|e| e.to_string())
        },
        Message::Pinged,
    )
}

/// Forwards page progress to the dashboard; a full channel drops an update, never blocks.
struct Forward(iced::futures::channel::mpsc::Sender<Message>);

impl SyncProgress for Forward {
    fn pages(&mut self, feed: &'static str, pages: u64, total: Option<u64>) {
        let _ = self
            .0
            .try_send(Message::SyncProgress { feed, pages, total });
    }
}

fn sync_task(services: Arc<Services>) -> Task<Message> {
    Task::stream(iced::stream::channel(
        32,
        async move |mut out: iced::futures::channel::mpsc::Sender<Message>| {
            let mut options = SyncOptions::new(&services.config.store.id);
            options.page_size = services.config.warehouse.page_size;
            let started = Instant::now();
            let result = sync::sync(
                &services.db,
                &services.client,
                &options,
                &mut Forward(out.clone()),
            )
            .await
            .map(|r| SyncSummary {
                added: r.catalog.added + r.stock.added,
                changed: r.catalog.changed + r.stock.changed,
                removed: r.catalog.removed + r.stock.removed,
                seconds: started.elapsed().as_secs(),
            })
            .map_err(|e| e.to_string());
            let _ = out.send(Message::SyncFinished(result)).await;
        },
    ))
}

fn import_task(services: &Arc<Services>, path: PathBuf) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            services
                .db
                .call(move |db| {
                    let file = match std::fs::File::open(&path) {
                        Ok(f) => f,
                        Err(e) => return Ok(Err(format!("{}: {e}", path.display()))),
                    };
                    let result = crate::stock::import_stock(
                        db,
                        std::io::BufReader::new(file),
                        &path.display().to_string(),
                        ImportOptions::default(),
                        &mut (),
                    );
                    Ok(result.map_err(|e| import_error_words(&path, &e)))
                })
                .await
                .map_err(|e: DbError| e.to_string())
                .and_then(|r| r)
        },
        Message::Imported,
    )
}

/// The error and the first bad lines, so the manager can fix the file at the POS.
fn import_error_words(path: &Path, e: &ImportError) -> String {
    match e {
        ImportError::BadRows(rows) => {
            let first: Vec<String> = rows
                .iter()
                .take(3)
                .map(|r| format!("line {}: {}", r.line, r.message))
                .collect();
            format!("{}: {e} — {}", file_name(path), first.join("; "))
        }
        other => format!("{}: {other}", file_name(path)),
    }
}

fn retry_task(services: &Arc<Services>, id: Option<String>) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            if let Some(id) = id {
                services
                    .db
                    .call(move |db| {
                        orders::retry_now(db, &id).map_err(|e| DbError::Sqlite(e.to_string()))
                    })
                    .await
                    .map_err(|e| e.to_string())?;
            }
            orders::send_due(&services.db, &services.client, true)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
        Message::Retried,
    )
}

impl Message {
    /// Whether a person at the kiosk caused this (it then counts as activity for the idle
    /// logout); answers of background tasks do not.
    pub fn is_from_staff(&self) -> bool {
        matches!(
            self,
            Message::Tab(_)
                | Message::Refresh
                | Message::SyncNow
                | Message::CancelSync
                | Message::Import(_)
                | Message::Retry(_)
                | Message::RetryAll
                | Message::Period(_)
                | Message::Logout
                | Message::Quit
        )
    }
}
