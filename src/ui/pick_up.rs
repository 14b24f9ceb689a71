//! A size this store lacks that another store near here has on its shelf: those stores,
//! nearest first, each with its distance, address and pairs — and shipping home instead when
//! the warehouse can. The shopper leaves with a next step, never with "unavailable".

use iced::widget::{column, container, row, scrollable, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, order, widgets};
use crate::domain::catalog::{NearbyStore, OtherStore, Style};
use crate::warehouse::protocol::StyleText;

/// One store the shopper could go to, with its distance from here.
#[derive(Debug, Clone)]
pub struct Nearby {
    pub store: OtherStore,
    pub distance_m: Option<u32>,
}

impl From<&NearbyStore<'_>> for Nearby {
    fn from(n: &NearbyStore<'_>) -> Self {
        Self {
            store: n.store.clone(),
            distance_m: n.distance_m,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PickUp {
    shoe: Box<Style>,
    size_label: String,
    stores: Vec<Nearby>,
    /// Shipping home, ready to go, when the warehouse has the size too.
    ship: Option<Box<order::Order>>,
    delivery_estimate: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    ShipInstead,
}

pub enum Action {
    None,
    /// Ship it home after all: the order screen, as the size tile would have opened it.
    Ship(Box<order::Order>),
}

impl PickUp {
    pub fn new(
        shoe: Box<Style>,
        size_label: String,
        stores: Vec<Nearby>,
        ship: Option<(Box<order::Order>, Option<String>)>,
    ) -> Self {
        let (ship, delivery_estimate) = match ship {
            Some((order, estimate)) => (Some(order), estimate),
            None => (None, None),
        };
        Self {
            shoe,
            size_label,
            stores,
            ship,
            delivery_estimate,
        }
    }

    /// The stores offered, nearest first.
    #[cfg(test)]
    pub fn stores(&self) -> &[Nearby] {
        &self.stores
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::ShipInstead => match self.ship.take() {
                Some(order) => Action::Ship(order),
                None => Action::None,
            },
        }
    }

    fn store_card<'a>(&self, ctx: &Ctx<'a>, nearby: &Nearby) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut heading = row![
            text(nearby.store.name.clone())
                .size(theme::text::H2)
                .width(Length::Fill)
        ]
        .spacing(spacing::M)
        .align_y(Alignment::Center);
        if let Some(m) = nearby.distance_m {
            heading = heading.push(
                container(
                    text(ctx.t_with("pickup-distance", &[("distance", ctx.lang.distance(m))]))
                        .size(theme::text::SMALL),
                )
                .padding([spacing::XS / 2.0, spacing::S])
                .style(theme::band(p.pick_up, p.on_pick_up)),
            );
        }
        container(
            column![
                heading,
                text(nearby.store.address.clone()).size(theme::text::BODY),
                text(ctx.t_with(
                    "pickup-pairs",
                    &[("count", nearby.store.quantity.to_string())]
                ))
                .size(theme::text::SMALL)
                .color(p.muted),
            ]
            .spacing(spacing::XS),
        )
        .padding(spacing::M)
        .width(Length::Fill)
        .style(theme::surface(p))
        .into()
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let shoe = format!(
            "{} {} · {}",
            self.shoe.brand,
            super::style_text(ctx.lang, &self.shoe, StyleText::Name),
            super::style_text(ctx.lang, &self.shoe, StyleText::Colour)
        );
        let cards = column(self.stores.iter().map(|n| self.store_card(ctx, n))).spacing(spacing::S);
        // Back to the sizes is the footer's Back, as on every screen.
        let mut choices = row![].spacing(spacing::M);
        if self.ship.is_some() {
            choices = choices.push(
                widgets::touch(
                    ctx.t_with(
                        "pickup-ship",
                        &[(
                            "date",
                            ctx.lang.short_date(self.delivery_estimate.as_deref()),
                        )],
                    ),
                    Some(Message::ShipInstead),
                    theme::secondary(p),
                )
                .width(Length::Fixed(720.0)),
            );
        }
        container(
            column![
                text(ctx.t_with(
                    "pickup-title",
                    &[("size", self.size_label.replace(' ', "\u{a0}"))]
                ))
                .size(theme::text::H1),
                text(shoe).size(theme::text::H2 * 0.8),
                text(ctx.t("pickup-hint")).size(theme::text::BODY),
                scrollable(cards).spacing(spacing::S).height(Length::Fill),
                choices,
            ]
            .spacing(spacing::M)
            .max_width(1300),
        )
        .center_x(Length::Fill)
        .height(Length::Fill)
        .padding(spacing::L)
        .into()
    }
}
