//! A size in this store: first a confirmation sheet (which shoe, which size, to which kiosk,
//! also half a size down or up, cancel), then "an associate will bring it" once the request
//! went to the store. The kiosk returns to attract a little after that.

use std::sync::Arc;

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, widgets};
use crate::domain::events::Event;
use crate::runtime::notify::{self, Bring};

/// Seconds the "on the way" screen stays before the kiosk returns to attract.
pub const SHOW_SECONDS: u64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The sheet: nothing sent yet.
    Confirming,
    Sending,
    Sent,
    /// The store system did not answer; the request waits in the local queue.
    Queued,
}

pub use crate::runtime::notify::Wanted;

#[derive(Debug, Clone)]
pub struct InStore {
    /// The shoe, whose texts show in the shopper's language.
    pub shoe: Box<crate::domain::catalog::Style>,
    pub size: Wanted,
    /// Half a size down and up, when the store has them, and whether they are ticked.
    pub also: Vec<(Wanted, bool)>,
    pub kiosk_id: String,
    pub delivery: Delivery,
}

#[derive(Debug, Clone)]
pub enum Message {
    Toggle(usize),
    Confirm,
    Cancel,
    Delivered(bool),
    Finish,
}

pub enum Action {
    None,
    Finish,
    Cancel,
    /// The request is on its way (the task brings `Delivered`); the event is for the
    /// analytics (a size asked for from the stockroom).
    Sent(Task<Message>, Option<Event>),
}

impl InStore {
    pub fn new(
        shoe: Box<crate::domain::catalog::Style>,
        size: Wanted,
        neighbours: Vec<Wanted>,
        kiosk_id: String,
    ) -> Self {
        Self {
            shoe,
            size,
            also: neighbours.into_iter().map(|w| (w, false)).collect(),
            kiosk_id,
            delivery: Delivery::Confirming,
        }
    }

    /// Only the sheet can be left with Back; once sent, the associate is coming.
    pub fn can_go_back(&self) -> bool {
        self.delivery == Delivery::Confirming
    }

    /// Every size asked for, the one chosen first.
    pub fn sizes(&self) -> Vec<Wanted> {
        std::iter::once(self.size.clone())
            .chain(
                self.also
                    .iter()
                    .filter(|(_, ticked)| *ticked)
                    .map(|(w, _)| w.clone()),
            )
            .collect()
    }

    pub fn update(&mut self, message: Message, services: &Arc<Services>) -> Action {
        match message {
            Message::Toggle(i) => {
                if let (Delivery::Confirming, Some((_, ticked))) =
                    (&self.delivery, self.also.get_mut(i))
                {
                    *ticked = !*ticked;
                }
                Action::None
            }
            Message::Confirm if self.delivery == Delivery::Confirming => {
                self.delivery = Delivery::Sending;
                let asked = self
                    .size
                    .gtin
                    .parse()
                    .ok()
                    .map(|gtin| Event::InStoreRequest {
                        gtin,
                        style: self.shoe.style_code.clone(),
                    });
                // For staff: the catalog's own words and the style code.
                let bring = Bring {
                    style: format!(
                        "{} {} · {} ({})",
                        self.shoe.brand, self.shoe.name, self.shoe.colour, self.shoe.style_code
                    ),
                    sizes: self.sizes(),
                };
                let services = services.clone();
                let work = Task::perform(
                    async move { notify::call_associate(&services, Some(bring)).await },
                    Message::Delivered,
                );
                Action::Sent(work, asked)
            }
            Message::Confirm => Action::None,
            Message::Cancel if self.delivery == Delivery::Confirming => Action::Cancel,
            Message::Cancel => Action::None,
            Message::Delivered(ok) => {
                self.delivery = if ok { Delivery::Sent } else { Delivery::Queued };
                Action::None
            }
            Message::Finish => Action::Finish,
        }
    }

    fn shoe<'a>(&self, ctx: &Ctx<'a>) -> String {
        use crate::warehouse::protocol::StyleText;
        format!(
            "{} {} · {}",
            self.shoe.brand,
            super::style_text(ctx.lang, &self.shoe, StyleText::Name),
            super::style_text(ctx.lang, &self.shoe, StyleText::Colour)
        )
    }

    fn labels(&self) -> String {
        self.sizes()
            .iter()
            // A label never breaks across lines ("EU" on one, "45" on the next).
            .map(|w| w.label.replace(' ', "\u{a0}"))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        match self.delivery {
            Delivery::Confirming => self.sheet(ctx),
            _ => self.on_the_way(ctx),
        }
    }

    fn sheet<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut choices = column![].spacing(spacing::S);
        for (i, (wanted, ticked)) in self.also.iter().enumerate() {
            let mark = if *ticked { "☑" } else { "☐" };
            choices = choices.push(
                widgets::touch(
                    format!(
                        "{mark}  {}",
                        ctx.t_with("instore-also", &[("size", wanted.label.clone())])
                    ),
                    Some(Message::Toggle(i)),
                    theme::choice(p, *ticked),
                )
                .width(Length::Fixed(640.0)),
            );
        }
        container(
            column![
                text(ctx.t_with(
                    "instore-confirm-title",
                    &[("size", self.size.label.replace(' ', "\u{a0}"))]
                ))
                .size(theme::text::H1)
                .width(Length::Fill)
                .align_x(Alignment::Center),
                container(
                    column![
                        text(self.shoe(ctx)).size(theme::text::H2 * 0.8),
                        text(ctx.t_with("instore-where", &[("kiosk", self.kiosk_id.clone())]))
                            .size(theme::text::BODY),
                    ]
                    .spacing(spacing::S),
                )
                .padding(spacing::M)
                .style(theme::surface(p)),
                choices,
                row![
                    widgets::touch(
                        ctx.t("instore-cancel"),
                        Some(Message::Cancel),
                        theme::secondary(p)
                    )
                    .width(Length::Fixed(360.0)),
                    widgets::touch(
                        ctx.t("instore-confirm"),
                        Some(Message::Confirm),
                        theme::primary(p)
                    )
                    .width(Length::Fixed(480.0)),
                ]
                .spacing(spacing::M),
            ]
            .spacing(spacing::L)
            .align_x(Alignment::Center)
            .max_width(1300),
        )
        .center(Length::Fill)
        .into()
    }

    fn on_the_way<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let state = match self.delivery {
            Delivery::Confirming | Delivery::Sending => ctx.t("instore-sending"),
            Delivery::Sent => ctx.t("instore-sent"),
            Delivery::Queued => ctx.t("instore-queued"),
        };
        container(
            column![
                text(ctx.t_with("instore-title", &[("size", self.labels())]))
                    .size(theme::text::H1)
                    .width(Length::Fill)
                    .align_x(Alignment::Center),
                text(self.shoe(ctx)).size(theme::text::H2 * 0.8),
                container(text(state).size(theme::text::H2 * 0.8))
                    .padding(spacing::M)
                    .style(theme::band(p.in_store, p.on_in_store)),
                widgets::touch(
                    ctx.t("instore-done"),
                    Some(Message::Finish),
                    theme::primary(p)
                )
                .width(Length::Fixed(420.0)),
            ]
            .spacing(spacing::L)
            .align_x(Alignment::Center)
            .max_width(1200),
        )
        .center(Length::Fill)
        .into()
    }
}
