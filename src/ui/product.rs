//! The product screen: the shoe, and every size of the style with its status in words and
//! colour. Local stock shows at once; warehouse availability fills in when it arrives.

use crate::config::SizeSystemName;
use crate::domain::availability::Freshness;
use crate::domain::barcode::Gtin;
use crate::domain::catalog::{GridEntry, PickUpReach, SizeGrid, SizeStatus};
use crate::domain::sizes::Width;
use crate::warehouse::protocol::StyleText;
use std::sync::Arc;

use iced::widget::{column, container, row, scrollable, space, svg, text};
use iced::{Alignment, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, in_store, order, pick_up, similar, widgets};
use crate::domain::availability;
use crate::domain::catalog;
use crate::domain::events::Event;
use crate::domain::shop_link::{ShopLink, Target};

#[derive(Debug, Clone)]
pub struct Product {
    grid: SizeGrid,
    /// `None` while the warehouse has not answered.
    warehouse: Option<Freshness>,
    system: SizeSystemName,
    /// The warehouse check this screen waits for: a late answer for another product is dropped.
    pending: u64,
    /// Which of the chain's other stores count as "near enough to go today".
    reach: PickUpReach,
    /// Opened from "shoes like this" at the shopper's size, not scanned: the size is tagged
    /// as theirs.
    offered: bool,
    /// "Continue on your phone": the web shop's page of this style as a QR code, when the
    /// chain has a web shop (`[shop] product_url`).
    phone: Option<widgets::QrCode>,
}

#[derive(Debug, Clone)]
pub enum Message {
    System(SizeSystemName),
    Choose(Gtin),
    /// "What else do you have in my size?" (the size scanned).
    AskSimilar,
    /// The warehouse's answer and the grid read again, with the id it was asked under.
    Warehouse(u64, Freshness, Box<SizeGrid>),
}

pub enum Action {
    None,
    /// A size was asked for — in the store or not is what the lost-sales report counts — and
    /// the screen it leads to, if any (`None` while its status is still being checked).
    Chose(Event, Option<Next>),
    /// Another screen, with nothing to count.
    Show(Next),
}

/// Where a chosen size leads.
pub enum Next {
    /// In this store: the sheet that asks an associate to bring it.
    InStore(in_store::InStore),
    /// Not here: the order to ship it home.
    Ship(Box<order::Order>),
    /// Not here, but in a store near here: those stores (and shipping home, if it can).
    PickUp(Box<pick_up::PickUp>),
    /// Nowhere, or asked for: styles like this one on this store's shelf in the size.
    Similar(Box<similar::Similar>),
}

/// The label of a size in a system, e.g. "EU 42" or "US 9 W". A US size is men's or women's
/// by the style (the screen says which); the letter after the number is only ever the width,
/// explained beside the grid.
pub fn size_label(entry: &GridEntry, system: SizeSystemName, gender: &str) -> String {
    let l = &entry.labels;
    let (prefix, value) = match system {
        SizeSystemName::Eu => ("EU", &l.eu),
        SizeSystemName::Uk => ("UK", &l.uk),
        SizeSystemName::Cm => ("cm", &l.cm),
        SizeSystemName::Us if gender == "women" => ("US", &l.us_women),
        SizeSystemName::Us => ("US", &l.us_men),
    };
    let value = if value.is_empty() { &l.cm } else { value };
    let width = match entry.width {
        Width::Standard => "",
        Width::Narrow => " N",
        Width::Wide => " W",
        Width::ExtraWide => " XW",
    };
    format!("{prefix} {value}{width}")
}

/// Side of the "Continue on your phone" QR code, pixels: a phone reads it from arm's length.
const PHONE_QR_SIDE: u32 = 200;

/// The web shop's page of `style` at `gtin` as a QR code `side` pixels square; `None` when the
/// chain has no web shop (`[shop] product_url = ""`, `link` is `None`).
pub(super) fn shop_qr(
    link: Option<&ShopLink>,
    gtin: Gtin,
    style: &str,
    side: u32,
) -> Option<widgets::QrCode> {
    let url = link?.url(Target { gtin, style }).ok()?;
    widgets::QrCode::new(&url, side)
}

impl Product {
    pub fn new(grid: SizeGrid, system: SizeSystemName, reach: PickUpReach) -> Self {
        Self {
            grid,
            warehouse: None,
            system,
            pending: 0,
            reach,
            offered: false,
            phone: None,
        }
    }

    /// Opened from "shoes like this": the size chosen is the shopper's, not a scanned one.
    pub fn offered(mut self) -> Self {
        self.offered = true;
        self
    }

    #[cfg(test)]
    pub(super) fn phone_qr(&self) -> Option<&widgets::QrCode> {
        self.phone.as_ref()
    }

    /// Shows the web shop's page of this style (at the scanned size) as a QR code, when the
    /// chain has a web shop.
    pub fn with_shop_link(mut self, link: Option<&ShopLink>) -> Self {
        self.phone = shop_qr(
            link,
            self.grid.scanned,
            &self.grid.style.style_code,
            PHONE_QR_SIDE,
        );
        self
    }

    /// Asks the warehouse what it has of this style (through the availability cache) and reads
    /// the grid again with the answer; it comes back as [`Message::Warehouse`].
    pub fn check_warehouse(&mut self, services: &Arc<Services>) -> Task<Message> {
        let id = super::next_request_id();
        self.pending = id;
        let services = services.clone();
        let gtins: Vec<_> = self.grid.sizes.iter().map(|e| e.gtin).collect();
        let scanned = self.grid.scanned;
        let answer = async move {
            let freshness = availability::refresh(&services.db, &services.client, &gtins)
                .await
                .unwrap_or_else(|e| Freshness::Unavailable {
                    reason: e.to_string(),
                });
            let grid = services
                .db
                .call(move |db| catalog::size_grid(db.conn(), scanned))
                .await
                .ok()
                .flatten();
            grid.map(|grid| Message::Warehouse(id, freshness, Box::new(grid)))
        };
        Task::perform(answer, std::convert::identity).and_then(Task::done)
    }

    /// The warehouse check this screen waits for (each product screen has its own).
    #[cfg(test)]
    pub fn pending(&self) -> u64 {
        self.pending
    }

    /// Whether this is the product of `gtin` (a tag still in the camera's view).
    pub fn shows(&self, gtin: Gtin) -> bool {
        self.grid.scanned == gtin
    }

    #[cfg(test)]
    pub fn grid(&self) -> &SizeGrid {
        &self.grid
    }

    pub fn label(&self, entry: &GridEntry) -> String {
        size_label(entry, self.system, &self.grid.style.gender)
    }

    /// The next smaller and next larger size of the same width that this store has: what a
    /// shopper between sizes asks to try as well.
    fn in_store_neighbours(&self, entry: &GridEntry) -> Vec<(GridEntry, String)> {
        let same_width: Vec<&GridEntry> = self
            .grid
            .sizes
            .iter()
            .filter(|e| e.width == entry.width)
            .collect();
        let Some(at) = same_width.iter().position(|e| e.gtin == entry.gtin) else {
            return Vec::new();
        };
        let below = at.checked_sub(1).and_then(|i| same_width.get(i));
        let above = same_width.get(at + 1);
        below
            .into_iter()
            .chain(above)
            .filter(|e| e.store_quantity.unwrap_or(0) > 0)
            .map(|e| ((*e).clone(), self.label(e)))
            .collect()
    }

    fn similar(&self, entry: &GridEntry, label: String, why: similar::Why) -> similar::Similar {
        similar::Similar::new(Box::new(self.grid.style.clone()), entry.clone(), label, why)
    }

    /// The order that ships `entry` home, with the web shop's QR for a shopper who would
    /// rather not type an address here.
    fn ship_order(&self, entry: &GridEntry, label: String, services: &Services) -> order::Order {
        let phone = shop_qr(
            services.shop_link.as_ref(),
            entry.gtin,
            &self.grid.style.style_code,
            order::PHONE_QR_SIDE,
        );
        order::Order::new(
            self.grid.style.clone(),
            entry.clone(),
            label,
            &services.config.store.country,
        )
        .with_phone(phone)
        .with_store_delivery(services.client.offers_pickup())
    }

    pub fn update(&mut self, message: Message, services: &Services) -> Action {
        match message {
            Message::System(system) => self.system = system,
            Message::Warehouse(id, freshness, grid) => {
                if id == self.pending && grid.scanned == self.grid.scanned {
                    self.grid = *grid;
                    self.warehouse = Some(freshness);
                }
            }
            Message::AskSimilar => {
                let Some(entry) = self.grid.scanned_entry().cloned() else {
                    return Action::None;
                };
                let label = self.label(&entry);
                return Action::Show(Next::Similar(Box::new(self.similar(
                    &entry,
                    label,
                    similar::Why::Asked,
                ))));
            }
            Message::Choose(gtin) => {
                let Some(entry) = self.grid.sizes.iter().find(|e| e.gtin == gtin).cloned() else {
                    return Action::None;
                };
                let asked = Event::SizeChosen {
                    gtin: entry.gtin,
                    style: self.grid.style.style_code.clone(),
                    size_mm: u32::from(entry.size_mm),
                    in_store: entry.store_quantity.unwrap_or(0) > 0,
                };
                let label = self.label(&entry);
                let next = match entry.status(self.warehouse.is_none(), &self.reach) {
                    SizeStatus::InStore { .. } => {
                        // The sheet first: nothing is sent until the shopper confirms.
                        let wanted = |e: &GridEntry, label: String| in_store::Wanted {
                            gtin: e.gtin.to_string(),
                            label,
                        };
                        let neighbours = self
                            .in_store_neighbours(&entry)
                            .iter()
                            .map(|(e, l)| wanted(e, l.clone()))
                            .collect();
                        Some(Next::InStore(in_store::InStore::new(
                            Box::new(self.grid.style.clone()),
                            wanted(&entry, label),
                            neighbours,
                            services.config.store.kiosk_id.clone(),
                        )))
                    }
                    SizeStatus::Ship { .. } => Some(Next::Ship(Box::new(
                        self.ship_order(&entry, label, services),
                    ))),
                    SizeStatus::PickUp { can_ship, .. } => {
                        let stores = entry.nearby(&self.reach).iter().map(Into::into).collect();
                        let order = self.ship_order(&entry, label, services);
                        Some(Next::PickUp(Box::new(pick_up::PickUp::new(
                            Box::new(order),
                            stores,
                            can_ship,
                            services.client.offers_pickup(),
                        ))))
                    }
                    SizeStatus::Unavailable => Some(Next::Similar(Box::new(
                        self.similar(&entry, label, similar::Why::Nowhere)
                            .with_notify(services.client.offers_stock_alerts()),
                    ))),
                    SizeStatus::Checking => None,
                };
                return Action::Chose(asked, next);
            }
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let s = &self.grid.style;
        let price = ctx.lang.money(s.price_cents, &s.currency);
        let mut about = column![
            svg(svg::Handle::from_path(ctx.assets.join(&s.image)))
                .width(Length::Fixed(400.0))
                .height(Length::Fixed(260.0)),
            text(&s.brand).size(theme::text::BODY).color(p.muted),
            text(format!(
                "{} · {}",
                super::style_text(ctx.lang, s, StyleText::Name),
                super::style_text(ctx.lang, s, StyleText::Colour)
            ))
            .size(theme::text::H2),
            text(price).size(theme::text::H2),
        ]
        .spacing(spacing::S)
        .width(Length::Fixed(480.0));
        if !s.fit_note.is_empty() {
            let note = super::style_text(ctx.lang, s, StyleText::FitNote);
            about = about
                .push(text(ctx.t_with("product-fit", &[("note", note)])).size(theme::text::BODY));
        }
        if let Some(qr) = &self.phone {
            about = about.push(
                row![
                    qr.view(),
                    column![
                        text(ctx.t("product-phone-title")).size(theme::text::BODY),
                        text(ctx.t("product-phone-hint"))
                            .size(theme::text::SMALL)
                            .color(p.muted),
                    ]
                    .spacing(spacing::XS),
                ]
                .spacing(spacing::S)
                .align_y(Alignment::Center),
            );
        }

        let systems = row(ctx.size_systems.iter().map(|sys| {
            let name = match sys {
                SizeSystemName::Eu => "EU",
                SizeSystemName::Us => "US",
                SizeSystemName::Uk => "UK",
                SizeSystemName::Cm => "cm",
            };
            let style = theme::choice(p, *sys == self.system);
            widgets::touch(name, Some(Message::System(*sys)), style)
                .width(Length::Fixed(theme::TOUCH_TARGET * 1.5))
                .into()
        }))
        .spacing(spacing::S)
        .align_y(Alignment::Center);

        let pending = self.warehouse.is_none();
        let cells: Vec<Element<'a, Message>> = self
            .grid
            .sizes
            .iter()
            .map(|e| self.size_cell(ctx, e, pending))
            .collect();
        let per_row = if ctx.portrait { 3 } else { 5 };
        let mut rows = column![].spacing(spacing::S);
        let mut cells = cells.into_iter().peekable();
        while cells.peek().is_some() {
            rows = rows.push(row(cells.by_ref().take(per_row)).spacing(spacing::S));
        }
        let freshness = match &self.warehouse {
            None => (ctx.t("status-checking"), p.on_unavailable, p.unavailable),
            Some(Freshness::Live) => (ctx.t("warehouse-live"), p.on_ship, p.ship),
            Some(Freshness::Cached { age_secs, .. }) => (
                ctx.t_with(
                    "warehouse-cached",
                    &[("minutes", (age_secs / 60).to_string())],
                ),
                p.on_warning,
                p.warning,
            ),
            Some(Freshness::Unavailable { .. }) => {
                (ctx.t("warehouse-unavailable"), p.on_warning, p.warning)
            }
        };
        let sizes = column![
            row![
                text(ctx.t("product-sizes"))
                    .size(theme::text::H2)
                    .width(Length::Fill),
                text(ctx.t("product-size-system")).size(theme::text::SMALL),
                systems
            ]
            .spacing(spacing::S)
            .align_y(Alignment::Center),
            container(text(freshness.0).size(theme::text::SMALL))
                .padding(spacing::XS)
                .style(theme::band(freshness.2, freshness.1)),
            // The scrollbar beside the tiles, never over the last column.
            scrollable(rows).spacing(spacing::S).height(Length::Fill),
            row![
                text(self.legend(ctx))
                    .size(theme::text::SMALL)
                    .color(p.muted)
                    .width(Length::Fill),
                widgets::touch(
                    ctx.t("product-ask-similar"),
                    Some(Message::AskSimilar),
                    theme::secondary(p)
                )
                .width(Length::Fixed(560.0)),
            ]
            .spacing(spacing::M)
            .align_y(Alignment::Center),
        ]
        .spacing(spacing::M);
        let body: Element<'a, Message> = if ctx.portrait {
            column![about, sizes].spacing(spacing::L).into()
        } else {
            row![about, sizes].spacing(spacing::XL).into()
        };
        container(body)
            .padding(spacing::L)
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }

    /// What the letters after a size mean, and whose US sizes these are.
    fn legend(&self, ctx: &Ctx<'_>) -> String {
        let mut parts = Vec::new();
        if self.system == SizeSystemName::Us {
            parts.push(ctx.t(if self.grid.style.gender == "women" {
                "product-us-women"
            } else {
                "product-us-men"
            }));
        }
        for (width, key) in [
            (Width::Narrow, "product-width-narrow"),
            (Width::Wide, "product-width-wide"),
            (Width::ExtraWide, "product-width-extra-wide"),
        ] {
            if self.grid.sizes.iter().any(|e| e.width == width) {
                parts.push(ctx.t(key));
            }
        }
        parts.join(" · ")
    }

    fn size_cell<'a>(&self, ctx: &Ctx<'a>, e: &GridEntry, pending: bool) -> Element<'a, Message> {
        let p = ctx.palette;
        let (status, detail, bg, fg, enabled) = match e.status(pending, &self.reach) {
            SizeStatus::InStore { quantity } if quantity <= 2 => (
                ctx.t("status-in-store"),
                ctx.t_with("status-in-store-few", &[("count", quantity.to_string())]),
                p.in_store,
                p.on_in_store,
                true,
            ),
            SizeStatus::InStore { .. } => (
                ctx.t("status-in-store"),
                String::new(),
                p.in_store,
                p.on_in_store,
                true,
            ),
            SizeStatus::Ship { delivery_estimate } => (
                ctx.t("status-ship"),
                ctx.t_with(
                    "status-ship-by",
                    &[("date", ctx.lang.short_date(delivery_estimate.as_deref()))],
                ),
                p.ship,
                p.on_ship,
                true,
            ),
            SizeStatus::PickUp {
                store, distance_m, ..
            } => (
                // "Today" only for a store known to be near: one at an unknown distance (a
                // chain that placed no stores) is named, nothing promised.
                ctx.t(if distance_m.is_some() {
                    "status-pickup"
                } else {
                    "status-pickup-unplaced"
                }),
                match distance_m {
                    Some(m) => ctx.t_with(
                        "status-pickup-at",
                        &[("store", store), ("distance", ctx.lang.distance(m))],
                    ),
                    None => ctx.t_with("status-pickup-store", &[("store", store)]),
                },
                p.pick_up,
                p.on_pick_up,
                true,
            ),
            SizeStatus::Checking => (
                ctx.t("status-checking"),
                String::new(),
                p.unavailable,
                p.on_unavailable,
                false,
            ),
            // Tapped, it shows what this store has like it in the size.
            SizeStatus::Unavailable => (
                ctx.t("status-unavailable"),
                ctx.t("status-unavailable-similar"),
                p.unavailable,
                p.on_unavailable,
                true,
            ),
        };
        let selected = e.gtin == self.grid.scanned;
        // The scanned size says so in words, not only with its outline.
        let mut top = row![text(self.label(e)).size(theme::text::H2 * 0.8)]
            .spacing(spacing::XS)
            .align_y(Alignment::Center);
        if selected {
            top = top.push(space::horizontal()).push(
                container(
                    text(ctx.t(if self.offered {
                        "product-your-size-tag"
                    } else {
                        "product-scanned-tag"
                    }))
                    .size(theme::text::SMALL * 0.8),
                )
                .padding([0.0, spacing::XS])
                .style(theme::band(fg, bg)),
            );
        }
        iced::widget::button(
            column![
                top,
                text(status).size(theme::text::SMALL),
                text(detail).size(theme::text::SMALL),
            ]
            .spacing(2.0),
        )
        .width(Length::Fixed(250.0))
        .height(Length::Fixed(theme::TOUCH_TARGET * 1.75))
        .padding(spacing::S)
        .on_press_maybe(enabled.then_some(Message::Choose(e.gtin)))
        .style(theme::tinted(bg, fg, p, selected))
        .into()
    }
}
