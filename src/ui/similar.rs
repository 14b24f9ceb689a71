//! "Shoes like this in your size": the styles this store has on its shelf now in the shopper's
//! size, most alike first, each with its picture and one tap to its sizes. Reached from a size
//! nobody has, or from "What else do you have in my size?" on the product screen.

use std::sync::Arc;

use iced::widget::{button, column, container, row, svg, text};
use iced::{Alignment, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, widgets};
use crate::domain::barcode::Gtin;
use crate::domain::catalog::{self, GridEntry, SizeGrid, Style};
use crate::domain::substitutes::{self, Substitute, Wanted};
use crate::warehouse::protocol::StyleText;

/// Why the shopper is here, which sets the heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The size they chose is in no store and not at the warehouse.
    Nowhere,
    /// They asked what else there is in their size.
    Asked,
}

#[derive(Debug, Clone)]
pub struct Similar {
    shoe: Box<Style>,
    entry: GridEntry,
    size_label: String,
    why: Why,
    /// `None` while the shelf is being read.
    found: Option<Vec<Substitute>>,
    /// The request this screen waits for.
    pending: u64,
    /// Whether "tell me when it is back" is offered (the warehouse takes such requests).
    notify: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// The styles found, for the request with this id.
    Found(u64, Vec<Substitute>),
    /// The shopper tapped the `n`th card.
    Open(usize),
    /// That style's sizes, read.
    Opened(Box<SizeGrid>),
    /// "Tell me when it is back".
    NotifyMe,
}

pub enum Action {
    None,
    /// The styles were shown: what was offered, for the analytics.
    Offered(usize),
    /// Open this style's sizes; the shopper took a substitute for `from` (a style code).
    Open(Box<SizeGrid>, String),
    /// The shopper wants an e-mail when the size is back.
    NotifyMe,
}

impl Similar {
    pub fn new(shoe: Box<Style>, entry: GridEntry, size_label: String, why: Why) -> Self {
        Self {
            shoe,
            entry,
            size_label,
            why,
            found: None,
            pending: 0,
            notify: false,
        }
    }

    /// Offers "tell me when it is back" for a size nobody has.
    pub fn with_notify(mut self, offered: bool) -> Self {
        self.notify = offered && self.why == Why::Nowhere;
        self
    }

    pub fn size_label(&self) -> &str {
        &self.size_label
    }

    /// Reads this store's shelf for styles like this one in the size; the answer comes back as
    /// [`Message::Found`].
    pub fn look(&mut self, services: &Arc<Services>) -> Task<Message> {
        let id = super::next_request_id();
        self.pending = id;
        let services = services.clone();
        let style = (*self.shoe).clone();
        let (size_mm, width) = (self.entry.size_mm, self.entry.width);
        Task::perform(
            async move {
                services
                    .db
                    .call(move |db| {
                        substitutes::find(
                            db.conn(),
                            &Wanted {
                                style: &style,
                                size_mm,
                                width,
                            },
                        )
                    })
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "reading substitutes failed");
                        Vec::new()
                    })
            },
            move |found| Message::Found(id, found),
        )
    }

    pub fn entry(&self) -> &GridEntry {
        &self.entry
    }

    pub fn shoe(&self) -> &Style {
        &self.shoe
    }

    #[cfg(test)]
    pub fn found(&self) -> Option<&[Substitute]> {
        self.found.as_deref()
    }

    pub fn update(
        &mut self,
        message: Message,
        services: &Arc<Services>,
    ) -> (Action, Task<Message>) {
        match message {
            Message::Found(id, found) if id == self.pending => {
                let offered = found.len();
                self.found = Some(found);
                (Action::Offered(offered), Task::none())
            }
            Message::Found(..) => (Action::None, Task::none()),
            Message::Open(n) => {
                let Some(gtin) = self.found.as_ref().and_then(|f| f.get(n)).map(|s| s.gtin) else {
                    return (Action::None, Task::none());
                };
                (Action::None, open(services, gtin))
            }
            Message::NotifyMe if self.notify => (Action::NotifyMe, Task::none()),
            Message::NotifyMe => (Action::None, Task::none()),
            Message::Opened(grid) => (
                Action::Open(grid, self.shoe.style_code.clone()),
                Task::none(),
            ),
        }
    }

    fn card<'a>(&self, ctx: &Ctx<'a>, n: usize, s: &Substitute) -> Element<'a, Message> {
        let p = ctx.palette;
        let style = &s.style;
        button(
            column![
                svg(svg::Handle::from_path(ctx.assets.join(&style.image)))
                    .width(Length::Fixed(200.0))
                    .height(Length::Fixed(110.0)),
                text(style.brand.clone())
                    .size(theme::text::SMALL)
                    .color(p.muted),
                text(format!(
                    "{} · {}",
                    super::style_text(ctx.lang, style, StyleText::Name),
                    super::style_text(ctx.lang, style, StyleText::Colour)
                ))
                .size(theme::text::BODY),
                row![
                    text(ctx.lang.money(style.price_cents, &style.currency))
                        .size(theme::text::BODY)
                        .width(Length::Fill),
                    container(text(ctx.t("status-in-store")).size(theme::text::SMALL))
                        .padding([0.0, spacing::XS])
                        .style(theme::band(p.in_store, p.on_in_store)),
                ]
                .align_y(Alignment::Center),
            ]
            .spacing(spacing::XS),
        )
        .width(Length::Fixed(380.0))
        .padding(spacing::S)
        .on_press(Message::Open(n))
        .style(theme::tinted(p.surface, p.text, p, false))
        .into()
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let size = self.size_label.replace(' ', "\u{a0}");
        let title = match self.why {
            Why::Nowhere => ctx.t_with("similar-nowhere-title", &[("size", size.clone())]),
            Why::Asked => ctx.t_with("similar-asked-title", &[("size", size.clone())]),
        };
        let hint = text(match &self.found {
            None => ctx.t("similar-looking"),
            Some(f) if f.is_empty() => ctx.t_with("similar-none", &[("size", size)]),
            Some(_) => ctx.t("similar-hint"),
        })
        .size(theme::text::BODY)
        .width(Length::Fill);
        let mut under = row![hint].spacing(spacing::M).align_y(Alignment::Center);
        if self.notify {
            under = under.push(
                widgets::touch(
                    ctx.t("similar-notify"),
                    Some(Message::NotifyMe),
                    theme::primary(ctx.palette),
                )
                .width(Length::Fixed(440.0)),
            );
        }
        let mut body = column![text(title).size(theme::text::H1), under].spacing(spacing::M);
        if let Some(found) = &self.found {
            let cards: Vec<Element<'a, Message>> = found
                .iter()
                .enumerate()
                .map(|(i, s)| self.card(ctx, i, s))
                .collect();
            let per_row = if ctx.portrait { 2 } else { 3 };
            let mut rows = column![].spacing(spacing::S);
            let mut cards = cards.into_iter().peekable();
            while cards.peek().is_some() {
                rows = rows.push(row(cards.by_ref().take(per_row)).spacing(spacing::S));
            }
            body = body.push(rows);
        }
        container(body.max_width(1300))
            .center_x(Length::Fill)
            .padding(spacing::M)
            .into()
    }
}

/// Reads the sizes of the style `gtin` belongs to, for its product screen.
fn open(services: &Arc<Services>, gtin: Gtin) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            services
                .db
                .call(move |db| catalog::size_grid(db.conn(), gtin))
                .await
                .ok()
                .flatten()
        },
        |grid| grid.map(|g| Message::Opened(Box::new(g))),
    )
    .and_then(Task::done)
}
