//! Order placed: the order number, a QR code the cashier scans to take payment, that payment
//! comes before shipping, an offer to e-mail the code, and one honest countdown: the screen
//! keeps the code until "Finish" or the time it states (no idle prompt covers it).

use std::sync::Arc;

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, widgets};

/// Asks the warehouse to e-mail the code of its order `order_id` to the address on the order
/// (the kiosk never sends the address again); the answer comes back as `CodeEmailed`.
pub fn email_code(services: &Arc<Services>, order_id: String) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            services
                .client
                .email_order_code(&order_id)
                .await
                .map(|r| r.to)
                .map_err(|e| tracing::warn!(error = %e.summary(), "order code e-mail failed"))
        },
        Message::CodeEmailed,
    )
}

/// Seconds before the done screen returns to attract: long enough to walk to the till and
/// queue there with the code on screen.
pub const SHOW_SECONDS: u64 = 180;

/// The offer to e-mail the order code to the address the shopper typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeEmail {
    /// No e-mail was typed, the warehouse has not confirmed the order yet, or it cannot mail.
    NotOffered,
    Offered,
    Sending,
    /// Sent to this address, masked (`a•••@example.com`).
    Sent(String),
    Failed,
}

/// Where the shopper gets the pair, which decides what the done screen tells them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collect {
    /// Shipped to their address.
    Home,
    /// Shipped to this store; collected at its counter.
    ThisStore,
    /// Held at another store; collected there, paid there.
    PickUp {
        store: String,
        address: String,
        /// RFC 3339, once the warehouse confirmed the hold.
        held_until: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Done {
    pub order_number: String,
    pub delivery: Option<String>,
    pub queued: bool,
    /// The warehouse's id for the order, once it confirmed it.
    pub warehouse_order_id: Option<String>,
    /// The address typed, masked, shown on the e-mail button.
    masked_email: String,
    pub code_email: CodeEmail,
    qr: Option<widgets::QrCode>,
    pub collect: Collect,
}

#[derive(Debug, Clone)]
pub enum Message {
    Finish,
    EmailCode,
    /// The warehouse's answer: the masked address it will mail, or that it could not.
    CodeEmailed(Result<String, ()>),
}

pub enum Action {
    None,
    Finish,
    /// Ask the warehouse to e-mail the code of this (warehouse) order.
    EmailCode(String),
}

impl Done {
    pub fn new(
        order_number: String,
        delivery: Option<String>,
        warehouse_order_id: Option<String>,
        email: &str,
        warehouse_mails: bool,
    ) -> Self {
        // The QR the till scans: the kiosk order number.
        let qr = widgets::QrCode::new(&order_number, 360);
        let offered = warehouse_mails && warehouse_order_id.is_some() && !email.trim().is_empty();
        Self {
            order_number,
            delivery,
            queued: warehouse_order_id.is_none(),
            warehouse_order_id,
            masked_email: crate::warehouse::protocol::mask_email(email),
            code_email: if offered {
                CodeEmail::Offered
            } else {
                CodeEmail::NotOffered
            },
            qr,
            collect: Collect::Home,
        }
    }

    #[cfg(test)]
    pub(super) fn qr(&self) -> Option<&widgets::QrCode> {
        self.qr.as_ref()
    }

    /// Where the shopper collects the pair (home delivery unless said).
    pub fn collected(mut self, collect: Collect) -> Self {
        self.collect = collect;
        self
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Finish => Action::Finish,
            Message::EmailCode => match (&self.code_email, &self.warehouse_order_id) {
                (CodeEmail::Offered | CodeEmail::Failed, Some(id)) => {
                    self.code_email = CodeEmail::Sending;
                    Action::EmailCode(id.clone())
                }
                _ => Action::None,
            },
            Message::CodeEmailed(result) => {
                self.code_email = match result {
                    Ok(to) => CodeEmail::Sent(to),
                    Err(()) => CodeEmail::Failed,
                };
                Action::None
            }
        }
    }

    fn email_offer<'a>(&'a self, ctx: &Ctx<'a>) -> Option<Element<'a, Message>> {
        let p = ctx.palette;
        let button = |label: String, on: Option<Message>| {
            widgets::touch(label, on, theme::secondary(p)).width(Length::Fixed(820.0))
        };
        let to = || ("email", self.masked_email.clone());
        Some(match &self.code_email {
            CodeEmail::NotOffered => return None,
            CodeEmail::Offered => {
                button(ctx.t_with("done-email", &[to()]), Some(Message::EmailCode)).into()
            }
            CodeEmail::Sending => button(ctx.t("done-email-sending"), None).into(),
            CodeEmail::Sent(masked) => {
                text(ctx.t_with("done-email-sent", &[("email", masked.clone())]))
                    .size(theme::text::BODY)
                    .into()
            }
            CodeEmail::Failed => column![
                text(ctx.t("done-email-failed")).size(theme::text::BODY),
                button(ctx.t("done-email-again"), Some(Message::EmailCode)),
            ]
            .spacing(spacing::S)
            .into(),
        })
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, seconds_left: u64) -> Element<'a, Message> {
        let p = ctx.palette;
        let date = ctx.lang.short_date(self.delivery.as_deref());
        let (title, pay, next, queued) = match &self.collect {
            Collect::Home => (
                ctx.t("done-title"),
                ctx.t("done-pay"),
                ctx.t_with("done-next", &[("date", date)]),
                ctx.t("order-failed"),
            ),
            Collect::ThisStore => (
                ctx.t("done-title"),
                ctx.t("done-pay"),
                ctx.t_with("done-to-store-next", &[("date", date)]),
                ctx.t("order-failed"),
            ),
            Collect::PickUp {
                store,
                address,
                held_until,
            } => (
                ctx.t_with("done-pickup-title", &[("store", store.clone())]),
                ctx.t_with(
                    "done-pickup-show",
                    &[("store", store.clone()), ("address", address.clone())],
                ),
                match held_until {
                    Some(until) => ctx.t_with(
                        "done-pickup-until",
                        &[("until", ctx.lang.short_date_time(until))],
                    ),
                    None => String::new(),
                },
                ctx.t("done-pickup-queued"),
            ),
        };
        let mut words = column![
            text(title).size(theme::text::H2),
            // The number on its own line, never broken: staff may need to type it.
            text(self.order_number.clone()).size(theme::text::H1 * 1.2),
            text(pay).size(theme::text::H2),
        ]
        .spacing(spacing::M)
        .max_width(900);
        if !next.is_empty() {
            words = words.push(text(next).size(theme::text::BODY));
        }
        if self.queued {
            words = words.push(
                container(text(queued).size(theme::text::BODY))
                    .padding(spacing::S)
                    .style(theme::band(p.warning, p.on_warning)),
            );
        }
        if let Some(offer) = self.email_offer(ctx) {
            words = words.push(offer);
        }
        words = words.push(
            row![
                widgets::touch(
                    ctx.t("done-finish"),
                    Some(Message::Finish),
                    theme::primary(p),
                )
                .width(Length::Fixed(420.0)),
                text(ctx.t_with("done-reset", &[("seconds", seconds_left.to_string())]))
                    .size(theme::text::SMALL)
                    .color(p.muted)
                    .width(Length::Fill),
            ]
            .spacing(spacing::M)
            .align_y(Alignment::Center),
        );
        let code: Element<'a, Message> = match &self.qr {
            Some(qr) => qr.view(),
            None => text(&self.order_number).size(theme::text::H1).into(),
        };
        let body = ctx.arrange(words.into(), code, super::Side::Right);
        container(body)
            .center(Length::Fill)
            .padding(spacing::L)
            .into()
    }
}
