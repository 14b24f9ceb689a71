//! "Tell me when it is back": for a size nobody has, the shopper leaves an e-mail address —
//! with what it is used for and when it is deleted said on screen before they type — and the
//! warehouse e-mails them once when the size arrives.

use std::sync::Arc;

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, widgets};
use crate::domain::address;
use crate::domain::catalog::{GridEntry, Style};
use crate::warehouse::protocol::{StockAlertRequest, StyleText};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    Typing,
    Sending,
    /// The warehouse took it: the address, masked, and the days it is kept at most.
    Saved {
        to: String,
        days: u32,
    },
    /// The warehouse could not be reached: nothing was kept; the shopper may try again.
    Failed,
}

#[derive(Debug, Clone)]
pub struct BackInStock {
    shoe: Box<Style>,
    entry: GridEntry,
    size_label: String,
    email: String,
    /// The address typed is not one (said beside the field).
    invalid: bool,
    /// The keyboard's shift (addresses are typed in lower case; some have capitals).
    shifted: bool,
    /// Days the address is kept at most, as the shopper is told (`[privacy]`).
    keep_days: u32,
    pub stage: Stage,
}

#[derive(Debug, Clone)]
pub enum Message {
    Key(char),
    Backspace,
    Shift,
    Send,
    /// The warehouse's answer: the masked address and the days it keeps it, or nothing.
    Sent(Option<(String, u32)>),
    Finish,
}

pub enum Action {
    None,
    Send(Task<Message>),
    Finish,
}

/// Longest address typed (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

impl BackInStock {
    pub fn new(shoe: Box<Style>, entry: GridEntry, size_label: String, keep_days: u32) -> Self {
        Self {
            keep_days,
            shoe,
            entry,
            size_label,
            email: String::new(),
            invalid: false,
            shifted: false,
            stage: Stage::Typing,
        }
    }

    pub fn gtin(&self) -> crate::domain::barcode::Gtin {
        self.entry.gtin
    }

    pub fn style_code(&self) -> &str {
        &self.shoe.style_code
    }

    /// The address as typed (tests).
    #[cfg(test)]
    pub fn email(&self) -> &str {
        &self.email
    }

    pub fn update(&mut self, message: Message, services: &Arc<Services>, lang: &str) -> Action {
        match message {
            // An address has no spaces and no control characters.
            Message::Key(c)
                if self.stage == Stage::Typing
                    && !c.is_whitespace()
                    && !crate::warehouse::protocol::is_forbidden_in_shopper_text(c)
                    && self.email.chars().count() < MAX_EMAIL =>
            {
                self.email.push(c);
                self.invalid = false;
            }
            Message::Backspace if self.stage == Stage::Typing => {
                self.email.pop();
            }
            Message::Shift => self.shifted = !self.shifted,
            Message::Send if matches!(self.stage, Stage::Typing | Stage::Failed) => {
                if address::check_email(&self.email).is_err() {
                    self.invalid = true;
                    self.stage = Stage::Typing;
                    return Action::None;
                }
                self.stage = Stage::Sending;
                let request = StockAlertRequest {
                    gtin: self.entry.gtin.to_string(),
                    email: self.email.trim().to_owned(),
                    lang: lang.to_owned(),
                    keep_days: Some(self.keep_days),
                };
                let services = services.clone();
                return Action::Send(Task::perform(
                    async move {
                        let store = services.config.store.id.clone();
                        services
                            .client
                            .stock_alert(&store, &request)
                            .await
                            .map(|saved| (saved.to, saved.days))
                            .map_err(|e| tracing::warn!(error = %e.summary(), "back-in-stock request failed"))
                            .ok()
                    },
                    Message::Sent,
                ));
            }
            Message::Sent(answer) => {
                self.stage = match answer {
                    Some((to, days)) => {
                        // Kept by the warehouse now: the kiosk forgets it.
                        self.email.clear();
                        Stage::Saved { to, days }
                    }
                    None => Stage::Failed,
                };
            }
            Message::Finish => return Action::Finish,
            _ => {}
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let shoe = format!(
            "{} {} · {} · {}",
            self.shoe.brand,
            super::style_text(ctx.lang, &self.shoe, StyleText::Name),
            super::style_text(ctx.lang, &self.shoe, StyleText::Colour),
            self.size_label
        );
        if let Stage::Saved { to, days } = &self.stage {
            return container(
                column![
                    text(ctx.t("alert-saved-title")).size(theme::text::H1),
                    text(shoe).size(theme::text::H2 * 0.8),
                    text(ctx.t_with(
                        "alert-saved",
                        &[("email", to.clone()), ("days", days.to_string())]
                    ))
                    .size(theme::text::BODY),
                    widgets::touch(
                        ctx.t("done-finish"),
                        Some(Message::Finish),
                        theme::primary(p)
                    )
                    .width(Length::Fixed(420.0)),
                ]
                .spacing(spacing::L)
                .max_width(1100),
            )
            .center(Length::Fill)
            .into();
        }
        let sending = self.stage == Stage::Sending;
        let field = container(
            text(if self.email.is_empty() {
                "|".to_owned()
            } else {
                format!("{}|", self.email)
            })
            .size(theme::text::BODY),
        )
        .padding(spacing::S)
        .width(Length::Fixed(620.0))
        .height(Length::Fixed(theme::TOUCH_TARGET))
        .style(theme::surface(p));
        let mut form = column![
            text(ctx.t("alert-title")).size(theme::text::H2),
            text(shoe).size(theme::text::BODY),
            // What the address is for and when it goes, before it is typed.
            container(
                text(ctx.t_with("alert-consent", &[("days", self.keep_days.to_string())]))
                    .size(theme::text::BODY)
            )
            .padding(spacing::S)
            .style(theme::band(p.ship, p.on_ship)),
            row![
                text(ctx.t("field-email"))
                    .size(theme::text::SMALL)
                    .width(Length::Fixed(190.0)),
                field
            ]
            .spacing(spacing::S)
            .align_y(Alignment::Center),
        ]
        .spacing(spacing::M)
        .width(Length::Fixed(860.0));
        if self.invalid {
            form = form.push(
                text(ctx.t("error-email"))
                    .size(theme::text::SMALL)
                    .color(p.danger),
            );
        }
        if self.stage == Stage::Failed {
            form = form.push(
                container(text(ctx.t("alert-failed")).size(theme::text::BODY))
                    .padding(spacing::S)
                    .style(theme::band(p.warning, p.on_warning)),
            );
        }
        form = form.push(
            widgets::touch(
                ctx.t(if sending {
                    "alert-sending"
                } else {
                    "alert-send"
                }),
                (!sending).then_some(Message::Send),
                theme::primary(p),
            )
            .width(Length::Fixed(560.0)),
        );
        let keys = container(widgets::keyboard(
            p,
            self.shifted,
            &ctx.t("keyboard-extra"),
            Message::Key,
            Message::Backspace,
            Message::Shift,
            (ctx.t("keyboard-space"), Message::Key(' ')),
            (ctx.t("alert-key-send"), Message::Send),
        ))
        .width(Length::Fixed(820.0));
        let body = ctx.arrange(form.into(), keys.into(), super::Side::Left);
        container(body)
            .center(Length::Fill)
            .padding(spacing::M)
            .into()
    }
}
