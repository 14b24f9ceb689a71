//! The dashboard's orders tab: orders waiting for the warehouse (with Retry), the newest
//! orders of every status, and finding one by its number — typed on screen, or scanned from the
//! QR code on the shopper's done screen or e-mail. No shopper details are shown.

use std::sync::Arc;

use iced::widget::{column, container, row, scrollable, text};
use iced::{Alignment, Element, Length, Task};

use super::Snapshot;
use crate::db::DbError;
use crate::domain::orders::{self as outbox, OrderError, OutboxOrder, OutboxStatus, RecentOrder};
use crate::ui::theme::{self, spacing};
use crate::ui::{Ctx, Services, widgets};

#[derive(Debug, Clone)]
pub enum Message {
    Retry(String),
    RetryAll,
    Retried(Result<(), OrderError>),
    /// Open the order search (the on-screen keyboard and the scanner type into it).
    FindOrder,
    SearchKey(char),
    SearchBackspace,
    SearchClear,
    CloseSearch,
    Found(String, Result<Vec<RecentOrder>, DbError>),
}

impl Message {
    /// Whether a person at the kiosk caused this (activity for the idle logout).
    pub fn is_from_staff(&self) -> bool {
        !matches!(self, Message::Retried(_) | Message::Found(..))
    }
}

/// What the dashboard does after the tab handled a message.
pub enum Action {
    Run(Task<Message>),
    /// Orders changed (sent again): read the dashboard's snapshot again.
    Reload,
}

/// The orders tab: the lists come from the dashboard's snapshot; the search is its own.
#[derive(Debug, Default)]
pub struct OrdersTab {
    search: Option<Search>,
}

impl OrdersTab {
    /// Whether the search fills the tab (its coming and going redraws the window).
    pub fn searching(&self) -> bool {
        self.search.is_some()
    }

    pub fn update(&mut self, message: Message, services: &Arc<Services>) -> Action {
        match message {
            Message::Retry(id) => Action::Run(retry_task(services, Some(id))),
            Message::RetryAll => Action::Run(retry_task(services, None)),
            Message::Retried(result) => {
                // The list, read again, shows each order's state and last error.
                if let Err(e) = result {
                    tracing::warn!(error = %e, "retrying orders failed");
                }
                Action::Reload
            }
            Message::FindOrder => {
                self.search = Some(Search::default());
                Action::Run(Task::none())
            }
            Message::SearchKey(c) => Action::Run(self.type_search(services, |q| q.push(c))),
            Message::SearchBackspace => Action::Run(self.type_search(services, |q| {
                q.pop();
            })),
            Message::SearchClear => Action::Run(self.type_search(services, String::clear)),
            Message::CloseSearch => {
                self.search = None;
                Action::Run(Task::none())
            }
            Message::Found(query, result) => {
                if let Some(search) = &mut self.search
                    && search.query == query
                {
                    search.found = Some(result);
                }
                Action::Run(Task::none())
            }
        }
    }

    /// A code from the barcode scanner: an order number to find (the QR code on the
    /// shopper's done screen or e-mail).
    pub fn scanned(&mut self, code: &str, services: &Arc<Services>) -> Task<Message> {
        self.search = Some(Search::default());
        let code = code.to_owned();
        self.type_search(services, move |q| *q = code)
    }

    fn type_search(
        &mut self,
        services: &Arc<Services>,
        edit: impl FnOnce(&mut String),
    ) -> Task<Message> {
        let Some(search) = &mut self.search else {
            return Task::none();
        };
        edit(&mut search.query);
        search.query.truncate(40);
        search.found = None;
        find_task(services, search.query.clone())
    }
}

/// Finding an order: what was typed, and what it found (`None` while looking).
#[derive(Debug, Clone, Default)]
struct Search {
    pub query: String,
    pub found: Option<Result<Vec<RecentOrder>, DbError>>,
}

/// Orders matching `query`, off the UI thread.
fn find_task(services: &Arc<Services>, query: String) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            let wanted = query.clone();
            let found = services
                .db
                .call(move |db| crate::domain::orders::find(db, &wanted, 20))
                .await;
            (query, found)
        },
        |(query, found)| Message::Found(query, found),
    )
}

impl Search {
    fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let typed: Element<'a, Message> = if self.query.is_empty() {
            text(ctx.t("mgr-find-placeholder"))
                .size(theme::text::H2)
                .color(p.muted)
                .into()
        } else {
            text(&self.query)
                .size(theme::text::H2)
                .font(iced::Font::MONOSPACE)
                .into()
        };
        let left = column![
            text(ctx.t("mgr-find-title")).size(theme::text::H2 * 0.8),
            text(ctx.t("mgr-find-hint")).size(theme::text::SMALL),
            container(typed)
                .padding(spacing::S)
                .width(Length::Fill)
                .style(theme::surface(p)),
            widgets::code_keyboard(
                p,
                Message::SearchKey,
                Message::SearchBackspace,
                (ctx.t("mgr-find-clear"), Message::SearchClear),
                (ctx.t("mgr-find-close"), Message::CloseSearch),
            ),
        ]
        .spacing(spacing::S)
        .width(Length::FillPortion(1));
        let mut results = column![].spacing(spacing::S);
        match &self.found {
            _ if self.query.chars().filter(|c| c.is_alphanumeric()).count() < 2 => {
                results = results.push(text(ctx.t("mgr-find-more")).size(theme::text::BODY));
            }
            None => {
                results =
                    results.push(text(ctx.t("mgr-analytics-loading")).size(theme::text::BODY));
            }
            Some(Err(e)) => {
                results = results.push(super::warning(ctx, super::problems::database(ctx, e)));
            }
            Some(Ok(found)) if found.is_empty() => {
                results = results.push(
                    text(ctx.t_with("mgr-find-none", &[("number", self.query.clone())]))
                        .size(theme::text::BODY),
                );
            }
            Some(Ok(found)) => {
                for r in found {
                    results = results.push(recent_line(ctx, r));
                }
            }
        }
        row![
            left,
            scrollable(results)
                .spacing(spacing::S)
                .width(Length::FillPortion(1))
        ]
        .spacing(spacing::L)
        .into()
    }
}

impl OrdersTab {
    pub fn view<'a>(
        &'a self,
        ctx: &Ctx<'a>,
        snapshot: Option<&'a Snapshot>,
    ) -> Element<'a, Message> {
        if let Some(search) = &self.search {
            return search.view(ctx);
        }
        let p = ctx.palette;
        let waiting = snapshot.map(|s| s.waiting.as_slice()).unwrap_or_default();
        let mut list = column![
            row![
                text(ctx.t("mgr-orders-title"))
                    .size(theme::text::H2 * 0.8)
                    .width(Length::Fill),
                widgets::touch(
                    ctx.t("mgr-orders-find"),
                    Some(Message::FindOrder),
                    theme::primary(p)
                )
                .width(Length::Fixed(320.0)),
                widgets::touch(
                    ctx.t("mgr-orders-retry-all"),
                    (!waiting.is_empty()).then_some(Message::RetryAll),
                    theme::secondary(p)
                )
                .width(Length::Fixed(320.0)),
            ]
            .spacing(spacing::S)
            .align_y(Alignment::Center)
        ]
        .spacing(spacing::S);
        if waiting.is_empty() {
            list = list.push(text(ctx.t("mgr-orders-none")).size(theme::text::BODY));
        }
        for order in waiting {
            let status = status_words(ctx, order);
            // Sending again is a manager's decision for an order the platform may already
            // have; an abandoned order has no details left to send.
            let retry = match order.status {
                OutboxStatus::Abandoned => None,
                OutboxStatus::NeedsChecking => Some(ctx.t("mgr-orders-send-again")),
                _ => Some(ctx.t("mgr-orders-retry")),
            };
            let mut about = column![
                text(format!(
                    "{}   {}   {}",
                    order.id,
                    order.gtin,
                    ctx.lang.money(order.price_cents, &order.currency)
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
            let mut line = row![about].spacing(spacing::M).align_y(Alignment::Center);
            if let Some(label) = retry {
                line = line.push(
                    widgets::touch(
                        label,
                        Some(Message::Retry(order.id.clone())),
                        theme::secondary(p),
                    )
                    .width(Length::Fixed(240.0)),
                );
            }
            list = list.push(container(line).padding(spacing::S).style(theme::surface(p)));
        }
        list = list.push(text(ctx.t("mgr-orders-recent")).size(theme::text::H2 * 0.8));
        let recent = snapshot.map(|s| s.recent.as_slice()).unwrap_or_default();
        if recent.is_empty() {
            list = list.push(text(ctx.t("mgr-orders-recent-none")).size(theme::text::BODY));
        }
        for r in recent {
            list = list.push(recent_line(ctx, r));
        }
        scrollable(list).spacing(spacing::S).into()
    }
}

/// One recent order: when, what, its state and the warehouse's number (no shopper data).
fn recent_line<'a>(ctx: &Ctx<'a>, r: &crate::domain::orders::RecentOrder) -> Element<'a, Message> {
    let p = ctx.palette;
    let o = &r.order;
    let when = super::status::local_time(ctx, &o.created_at);
    let size = r
        .size_mm
        .map(|mm| {
            format!(
                "EU {}",
                crate::domain::sizes::SizeChart::embedded().labels(mm).eu
            )
        })
        .unwrap_or_default();
    let item = r.item.clone().unwrap_or_else(|| o.gtin.clone());
    let status = status_words(ctx, o);
    let mut about = column![
        text(format!("{}   {when}   {item} · {size}", o.id)).size(theme::text::BODY),
        text(status).size(theme::text::SMALL),
    ]
    .spacing(spacing::XS);
    if let Some(e) = &o.last_error {
        about = about.push(
            text(ctx.t_with("mgr-order-error", &[("error", e.clone())]))
                .size(theme::text::SMALL)
                .color(p.muted),
        );
    }
    container(about)
        .padding(spacing::S)
        .width(Length::Fill)
        .style(theme::surface(p))
        .into()
}

/// An order's state in the manager's words (with the warehouse's number once confirmed).
fn status_words(ctx: &Ctx<'_>, o: &OutboxOrder) -> String {
    match o.status {
        OutboxStatus::Confirmed => ctx.t_with(
            "mgr-order-confirmed",
            &[(
                "number",
                o.warehouse_order_id.clone().unwrap_or_else(|| "—".into()),
            )],
        ),
        OutboxStatus::Pending => {
            ctx.t_with("mgr-order-pending", &[("attempts", o.attempts.to_string())])
        }
        OutboxStatus::Sending => ctx.t("mgr-order-sending"),
        OutboxStatus::Rejected => ctx.t("mgr-order-rejected"),
        OutboxStatus::NeedsChecking => ctx.t("mgr-order-needs-checking"),
        OutboxStatus::Abandoned => ctx.t("mgr-order-abandoned"),
    }
}

fn retry_task(services: &Arc<Services>, id: Option<String>) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            if let Some(id) = id {
                services
                    .db
                    .run(move |db| outbox::retry_now(db, &id))
                    .await?;
            }
            outbox::send_due(&services.db, &services.client, true).await?;
            Ok(())
        },
        Message::Retried,
    )
}
