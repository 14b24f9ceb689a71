//! The touchscreen kiosk (iced). The top level owns the current screen and the shared
//! services and routes messages; each screen is a module with its own state, messages,
//! `update` and `view`. Database and network work runs in tasks, never in `update`.

mod attract;
mod back_in_stock;
mod camera_feed;
pub mod chime;
mod chrome;
mod done;
mod in_store;
pub mod manager;
mod order;
mod pick_up;
mod product;
mod renderer;
mod scan;
mod services;
mod similar;
pub mod theme;
mod widgets;

#[cfg(test)]
mod chain_tests;
#[cfg(test)]
mod manager_tests;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::{Config, ConfigError, LoadedConfig, SizeSystemName};
use crate::domain::catalog;
use crate::domain::events::{self, Event};
use crate::domain::orders::OrderError;
use crate::i18n::Lang;
use crate::runtime::{RuntimeError, notify};
use crate::warehouse::protocol::StyleText;
use iced::keyboard::{self, key};
use iced::widget::{column, container, row, space, text};
use iced::{Alignment, Element, Length, Size, Subscription, Task};

use camera_feed::{CameraKey, camera_stream};
use chrome::{idle_prompt, out_of_order};
pub use renderer::forced_backend;
#[cfg(test)]
use renderer::{forced_backend_with, has_gpu_device};
pub use services::{Services, start_services};
use theme::{Palette, spacing};

/// What the screens read from the top level while drawing.
pub struct Ctx<'a> {
    pub lang: &'a Lang,
    pub palette: Palette,
    pub assets: &'a Path,
    pub size_systems: &'a [SizeSystemName],
    pub portrait: bool,
    pub camera: &'a CameraState,
    pub camera_enabled: bool,
    /// The store's country (ISO code): first in the country list.
    pub store_country: &'a str,
    /// A handheld (wedge) scanner is attached: the scan screen names it.
    pub handheld_scanner: bool,
}

impl Ctx<'_> {
    pub fn t(&self, key: &str) -> String {
        self.lang.text(key)
    }

    pub fn t_with(&self, key: &str, args: &[(&str, String)]) -> String {
        self.lang.text_with(key, args)
    }

    /// Two blocks side by side on a landscape screen, stacked on a portrait one (with `top`
    /// first). Every screen lays out its halves this way, so portrait kiosks just work.
    pub fn arrange<'a, M: 'a>(
        &self,
        left: Element<'a, M>,
        right: Element<'a, M>,
        top: Side,
    ) -> Element<'a, M> {
        if self.portrait {
            let (first, second) = match top {
                Side::Left => (left, right),
                Side::Right => (right, left),
            };
            column![first, second]
                .spacing(spacing::L)
                .align_x(Alignment::Center)
                .into()
        } else {
            row![left, right]
                .spacing(spacing::XL)
                .align_y(Alignment::Center)
                .into()
        }
    }
}

/// A style's text in the shopper's language: the catalog's own translation when it carries
/// one; for a colour, else the locale's word for it (`colour-forest-green`: colours are a
/// small shared vocabulary); else as the catalog wrote it.
pub fn style_text(lang: &Lang, style: &catalog::Style, which: StyleText) -> String {
    if let Some(text) = style.translated(&lang.tag(), which) {
        return text.to_owned();
    }
    match which {
        StyleText::Name => style.name.clone(),
        StyleText::Colour => catalog_word(lang, "colour", &style.colour),
        StyleText::Description => style.description.clone(),
        StyleText::FitNote => style.fit_note.clone(),
    }
}

/// A catalog word in the shopper's language when the locale has it, else as written.
fn catalog_word(lang: &Lang, kind: &str, value: &str) -> String {
    let slug: String = value
        .trim()
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    lang.try_text(&format!("{kind}-{slug}"))
        .unwrap_or_else(|| value.to_owned())
}

/// A new id for a screen's request (a lookup, a warehouse check), so the screen can tell its
/// own answer from a late one for something the shopper has left behind.
fn next_request_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Why the kiosk cannot serve shoppers: staff see what to fix on the out-of-order screen.
#[derive(Debug, Clone)]
pub enum Breakdown {
    /// `kiosk.toml` is wrong (every problem, located).
    Config(ConfigError),
    /// The database or the warehouse connection would not start.
    Start(RuntimeError),
    /// An order could not even be written to the outbox.
    Orders(OrderError),
}

/// Which half goes on top when a screen is stacked for portrait.
#[derive(Debug, Clone, Copy)]
pub enum Side {
    Left,
    Right,
}

#[derive(Debug)]
enum Screen {
    Starting,
    OutOfOrder(Breakdown),
    Attract,
    Scan(scan::Scan),
    Product(Box<product::Product>),
    InStore(in_store::InStore),
    PickUp(Box<pick_up::PickUp>),
    Similar(Box<similar::Similar>),
    BackInStock(Box<back_in_stock::BackInStock>),
    Order(Box<order::Order>),
    Done(done::Done),
    ManagerPin(manager::pin::PinEntry),
    Manager(Box<manager::Dashboard>),
}

/// The clock of a screen with nothing counting down (see `tick_interval`).
const SLOW_TICK: Duration = Duration::from_secs(5);

/// How long the store name must be held on the attract screen to open manager mode: long
/// enough that no shopper does it by accident.
const MANAGER_LONG_PRESS: Duration = Duration::from_secs(3);

/// One shopper, from the first scan to the reset, for the analytics: an anonymous id.
#[derive(Debug, Clone)]
struct Session {
    id: String,
    scanned: bool,
    /// An order was placed or a size requested from the stockroom.
    concluded: bool,
    /// The style the shopper took instead of a size nobody had: converting on it saves a sale.
    substitute: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Started(Result<Arc<Services>, RuntimeError>),
    Tick(Instant),
    Keyboard(keyboard::Event),
    Resized(Size),
    Language(String),
    ToggleContrast,
    StartOver,
    /// One step back: within a screen's stages, then to the screen before.
    Back,
    CallAssociate,
    AssociateCalled(bool),
    MoreTime,
    Attract(attract::Message),
    Scan(scan::Message),
    Product(product::Message),
    InStore(in_store::Message),
    PickUp(pick_up::Message),
    Similar(similar::Message),
    BackInStock(back_in_stock::Message),
    Order(order::Message),
    Done(done::Message),
    Camera(crate::camera::CameraEvent),
    /// An analytics event was stored (or not: the error, logged).
    Recorded(Option<String>),
    CornerPressed,
    CornerReleased,
    ManagerPin(manager::pin::Message),
    /// The PIN gate as saved before the last restart.
    GateLoaded(crate::domain::pin::GateState),
    Manager(manager::Message),
}

impl Message {
    /// The idle rule, said once: only a person acting keeps a session alive — a touch, a key
    /// (the keypad, a keyboard, a wedge scanner), or staff working in manager mode. Timers,
    /// answers and everything the camera sends by itself (its status, its retries every 2 s,
    /// previews, a tag left in view) do not; a camera read that opens a product counts where
    /// it is handled (`camera_event`). The match is exhaustive on purpose: a new message must
    /// be classified here.
    fn is_a_person_acting(&self) -> bool {
        match self {
            Message::Keyboard(_)
            | Message::Language(_)
            | Message::ToggleContrast
            | Message::StartOver
            | Message::Back
            | Message::CallAssociate
            | Message::MoreTime
            | Message::Attract(_)
            | Message::PickUp(_)
            | Message::CornerPressed
            | Message::CornerReleased => true,
            // Answers to a screen's own work come back inside its messages; they are not a
            // person acting.
            Message::Scan(m) => !matches!(m, scan::Message::Looked(..)),
            Message::Product(m) => !matches!(m, product::Message::Warehouse(..)),
            Message::InStore(m) => !matches!(m, in_store::Message::Delivered(_)),
            Message::Similar(m) => {
                !matches!(m, similar::Message::Found(..) | similar::Message::Opened(_))
            }
            Message::BackInStock(m) => !matches!(m, back_in_stock::Message::Sent(_)),
            Message::Order(m) => !matches!(m, order::Message::Placed(_)),
            Message::Done(m) => !matches!(m, done::Message::CodeEmailed(_)),
            Message::ManagerPin(m) => !matches!(m, manager::pin::Message::Checked(_)),
            Message::Manager(m) => m.is_from_staff(),
            Message::Started(_)
            | Message::Tick(_)
            | Message::Resized(_)
            | Message::AssociateCalled(_)
            | Message::Camera(_)
            | Message::Recorded(_)
            | Message::GateLoaded(_) => false,
        }
    }
}

pub struct Kiosk {
    services: Option<Arc<Services>>,
    screen: Screen,
    lang: Lang,
    high_contrast: bool,
    size_system: SizeSystemName,
    portrait: bool,
    started_at: Instant,
    now: Instant,
    last_activity: Instant,
    /// Screen deadline (in-store confirmation, done screen) after which the kiosk resets.
    reset_at: Option<Instant>,
    /// Characters typed by a keyboard-wedge scanner, until Enter.
    wedge: String,
    associate_notice: bool,
    camera: CameraState,
    session: Option<Session>,
    /// The product the shopper came from, kept while they order or ask for a size, so Back
    /// returns to it as they left it.
    previous_product: Option<Box<product::Product>>,
    /// The nearby stores a reservation was started from: where Back from its review goes.
    previous_pick_up: Option<Box<pick_up::PickUp>>,
    /// The "shoes like this" a product was opened from: where Back from it goes.
    previous_similar: Option<Box<similar::Similar>>,
    /// When the store name on the attract screen was pressed (manager entry), until released.
    corner_pressed: Option<Instant>,
    pin_gate: crate::domain::pin::PinGate,
    /// Counts screen changes (see `window_style`).
    screen_changes: u32,
}

/// What the scan screen knows about the camera.
#[derive(Debug, Clone, Default)]
pub enum CameraState {
    #[default]
    Starting,
    Active(Option<iced::widget::image::Handle>),
    Unavailable,
}

impl Kiosk {
    pub fn new(loaded: Result<LoadedConfig, ConfigError>) -> (Self, Task<Message>) {
        let now = Instant::now();
        let (config, screen, task) = match loaded {
            Ok(loaded) => {
                let config = loaded.config.clone();
                (
                    config,
                    Screen::Starting,
                    Task::perform(start_services(loaded), Message::Started),
                )
            }
            Err(problem) => (
                Config::default(),
                Screen::OutOfOrder(Breakdown::Config(problem)),
                Task::none(),
            ),
        };
        let kiosk = Self {
            services: None,
            screen,
            lang: Lang::parse(&config.ui.default_language).unwrap_or_else(Lang::english),
            high_contrast: config.ui.theme == crate::config::Theme::HighContrast,
            size_system: config.ui.default_size_system,
            // Until the window reports its size, trust the configured one.
            portrait: config.ui.window_height > config.ui.window_width,
            started_at: now,
            now,
            last_activity: now,
            reset_at: None,
            wedge: String::new(),
            associate_notice: false,
            camera: CameraState::Starting,
            session: None,
            previous_product: None,
            previous_pick_up: None,
            previous_similar: None,
            corner_pressed: None,
            pin_gate: crate::domain::pin::PinGate::new(&config.manager),
            screen_changes: 0,
        };
        (kiosk, task)
    }

    /// For tests: a kiosk with services already running.
    pub fn with_services(services: Arc<Services>) -> Self {
        let loaded = LoadedConfig {
            config: services.config.clone(),
            source: None,
        };
        let (mut kiosk, _) = Self::new(Ok(loaded));
        kiosk.services = Some(services);
        kiosk.screen = Screen::Attract;
        kiosk
    }

    fn config(&self) -> Config {
        self.services
            .as_ref()
            .map(|s| s.config.clone())
            .unwrap_or_default()
    }

    fn idle_limit(&self) -> (Duration, Duration) {
        // Runs on every frame (the view asks for the countdown): borrow, do not clone.
        let default;
        let config = match &self.services {
            Some(s) => &s.config,
            None => {
                default = Config::default();
                &default
            }
        };
        // Manager mode has its own, longer timeout; the PIN screen is a shopper's screen.
        let timeout = if matches!(self.screen, Screen::Manager(_)) {
            config.manager.idle_timeout_s
        } else {
            config.ui.idle_timeout_s
        };
        (timeout, config.ui.idle_countdown_s)
    }

    /// Seconds left on the "are you still there?" countdown, when it shows.
    fn idle_countdown(&self) -> Option<u64> {
        // A screen with its own stated countdown (the order code, "an associate is coming")
        // keeps it: one honest clock, not a prompt that wipes the code before the till.
        if self.reset_at.is_some()
            || matches!(
                self.screen,
                Screen::Attract | Screen::Starting | Screen::OutOfOrder(_)
            )
        {
            return None;
        }
        let (timeout, countdown) = self.idle_limit();
        let idle = self.now.saturating_duration_since(self.last_activity);
        let prompt_after = timeout.saturating_sub(countdown);
        (idle >= prompt_after).then(|| timeout.saturating_sub(idle).as_secs())
    }

    /// Back to attract with every piece of shopper data gone. A shopper who scanned and
    /// left without an order or a request counts as walked away.
    fn reset(&mut self) -> Task<Message> {
        let walked_away = self
            .session
            .as_ref()
            .is_some_and(|s| s.scanned && !s.concluded);
        let task = if walked_away {
            self.record(Event::WalkedAway)
        } else {
            Task::none()
        };
        self.session = None;
        self.previous_product = None;
        self.previous_pick_up = None;
        self.previous_similar = None;
        self.corner_pressed = None;
        let config = self.config();
        self.screen = Screen::Attract;
        self.lang = Lang::parse(&config.ui.default_language).unwrap_or_else(Lang::english);
        self.high_contrast = config.ui.theme == crate::config::Theme::HighContrast;
        self.size_system = config.ui.default_size_system;
        self.wedge.clear();
        self.reset_at = None;
        self.associate_notice = false;
        self.last_activity = self.now;
        task
    }

    /// Stores an analytics event for the current shopper (a session starts on demand). Fire
    /// and forget: a failed write is logged, never shown to the shopper.
    fn record(&mut self, event: Event) -> Task<Message> {
        let Some(services) = self.services.clone() else {
            return Task::none();
        };
        let session = self.session.get_or_insert_with(|| Session {
            id: events::new_session(),
            scanned: false,
            concluded: false,
            substitute: None,
        });
        let mut saved = None;
        match &event {
            Event::Scan { .. } => session.scanned = true,
            Event::SubstituteTaken { style, .. } => session.substitute = Some(style.clone()),
            Event::InStoreRequest { gtin, style }
            | Event::DropshipOrder { gtin, style }
            | Event::ShipToStoreOrder { gtin, style }
            | Event::ReservedElsewhere { gtin, style }
            | Event::BackInStockRequest { gtin, style } => {
                session.concluded = true;
                if session.substitute.as_ref() == Some(style) {
                    saved = Some(Event::SavedBySubstitute {
                        gtin: *gtin,
                        style: style.clone(),
                    });
                }
            }
            _ => {}
        }
        let id = session.id.clone();
        Task::perform(
            async move {
                services
                    .db
                    .call(move |db| {
                        events::record(db, &id, &event)?;
                        saved.map_or(Ok(()), |s| events::record(db, &id, &s))
                    })
                    .await
                    .err()
                    .map(|e| e.to_string())
            },
            Message::Recorded,
        )
    }

    /// Looks a code up on the scan screen (opened if another screen shows).
    fn lookup(&mut self, code: String) -> Task<Message> {
        let Some(services) = self.services.clone() else {
            return Task::none();
        };
        let scan = match &mut self.screen {
            Screen::Scan(scan) => scan,
            _ => {
                self.screen = Screen::Scan(scan::Scan::new());
                let Screen::Scan(scan) = &mut self.screen else {
                    return Task::none();
                };
                scan
            }
        };
        scan.look_up(&services, code).map(Message::Scan)
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let before = self.screen_key();
        let task = self.route(message);
        if self.screen_key() != before {
            self.screen_changes = self.screen_changes.wrapping_add(1);
        }
        task
    }

    /// Which screen (and stage) is showing, to tell when the whole window changes.
    fn screen_key(&self) -> (std::mem::Discriminant<Screen>, u8) {
        let stage = match &self.screen {
            Screen::Order(o) => o.stage as u8,
            Screen::InStore(s) => u8::from(!s.can_go_back()),
            Screen::Manager(d) => d.layout_key(),
            _ => 0,
        };
        (std::mem::discriminant(&self.screen), stage)
    }

    /// The window's own background, under the page (which paints its own). It differs by one
    /// step of blue on every other screen change: iced's software renderer redraws the whole
    /// window when the background changes, and only what changed otherwise — and its partial
    /// redraw can leave a 1-px line of the previous screen behind (iced-rs/iced#3032). So a new
    /// screen is always drawn whole, and a screen left alone still costs (almost) nothing.
    pub fn window_style(&self, theme: &iced::Theme) -> iced::theme::Style {
        let mut style = iced::theme::Base::base(theme);
        if self.screen_changes % 2 == 1 {
            let b = style.background_color.b;
            style.background_color.b = if b > 0.5 {
                b - 1.0 / 255.0
            } else {
                b + 1.0 / 255.0
            };
        }
        style
    }

    fn route(&mut self, message: Message) -> Task<Message> {
        if message.is_a_person_acting() {
            self.last_activity = self.now.max(Instant::now());
            self.now = self.last_activity;
        }
        match message {
            Message::Started(Ok(services)) => {
                self.pin_gate = crate::domain::pin::PinGate::new(&services.config.manager);
                let load_gate = Task::perform(
                    {
                        let services = services.clone();
                        async move {
                            services
                                .db
                                .call(|db| db.state(crate::domain::pin::GATE_STATE_KEY))
                                .await
                                .ok()
                                .flatten()
                                .and_then(|text| serde_json::from_str(&text).ok())
                                .unwrap_or_default()
                        }
                    },
                    Message::GateLoaded,
                );
                self.services = Some(services);
                Task::batch([self.reset(), load_gate])
            }
            Message::GateLoaded(state) => {
                if let Some(services) = &self.services {
                    self.pin_gate = crate::domain::pin::PinGate::restore(
                        &services.config.manager,
                        &state,
                        Instant::now(),
                    );
                }
                Task::none()
            }
            Message::Started(Err(problem)) => {
                tracing::error!(error = %problem, "the kiosk could not start");
                self.screen = Screen::OutOfOrder(Breakdown::Start(problem));
                Task::none()
            }
            Message::Tick(now) => {
                self.now = now;
                if self
                    .corner_pressed
                    .is_some_and(|at| now.duration_since(at) >= MANAGER_LONG_PRESS)
                    && matches!(self.screen, Screen::Attract)
                {
                    self.corner_pressed = None;
                    let mut entry = manager::pin::PinEntry::new();
                    // Locked already: say so before anyone types.
                    entry.show_lock(self.pin_gate.locked_for(Instant::now()));
                    self.screen = Screen::ManagerPin(entry);
                    self.last_activity = now;
                    return Task::none();
                }
                // The lock's minutes count down on screen, and the keypad comes back when it ends.
                if let Screen::ManagerPin(entry) = &mut self.screen {
                    entry.show_lock(self.pin_gate.locked_for(Instant::now()));
                }
                if self.idle_countdown() == Some(0) || self.reset_at.is_some_and(|at| now >= at) {
                    return self.reset();
                }
                Task::none()
            }
            Message::Resized(size) => {
                self.portrait = size.height > size.width;
                Task::none()
            }
            Message::Keyboard(event) => self.wedge_input(event),
            Message::Language(tag) => {
                if let Some(lang) = Lang::parse(&tag) {
                    self.lang = lang;
                }
                Task::none()
            }
            Message::ToggleContrast => {
                self.high_contrast = !self.high_contrast;
                Task::none()
            }
            Message::StartOver => self.reset(),
            Message::Back => self.back(),
            Message::MoreTime => Task::none(),
            Message::CallAssociate => {
                let recorded = self.record(Event::AssociateCalled);
                Task::batch([recorded, self.call_associate()])
            }
            Message::AssociateCalled(ok) => {
                if !ok {
                    tracing::warn!("nobody took the associate call (warehouse and webhook)");
                }
                Task::none()
            }
            Message::Attract(attract::Message::Start) => {
                self.screen = Screen::Scan(scan::Scan::new());
                Task::none()
            }
            Message::Scan(m) => {
                let Screen::Scan(scan) = &mut self.screen else {
                    return Task::none();
                };
                match scan.update(m) {
                    scan::Action::None => Task::none(),
                    scan::Action::Lookup(code) => self.lookup(code),
                    scan::Action::Found(grid) => self.open_product(*grid),
                    scan::Action::Failed(reason) => self.record(Event::ReadFailed { reason }),
                }
            }
            Message::Product(m) => {
                let (Screen::Product(product), Some(services)) =
                    (&mut self.screen, self.services.clone())
                else {
                    return Task::none();
                };
                if let product::Message::System(system) = m {
                    self.size_system = system;
                }
                match product.update(m, &services) {
                    product::Action::None => Task::none(),
                    product::Action::Show(next) => self.show_next(next, &services),
                    product::Action::Chose(asked, next) => {
                        let shown = next.map_or_else(Task::none, |n| self.show_next(n, &services));
                        Task::batch([shown, self.record(asked)])
                    }
                }
            }
            Message::InStore(m) => {
                let (Screen::InStore(sheet), Some(services)) =
                    (&mut self.screen, self.services.clone())
                else {
                    return Task::none();
                };
                match sheet.update(m, &services) {
                    in_store::Action::None => Task::none(),
                    in_store::Action::Finish => self.reset(),
                    in_store::Action::Cancel => {
                        self.back_to_product();
                        Task::none()
                    }
                    in_store::Action::Sent(work, asked) => {
                        self.reset_at =
                            Some(self.now + Duration::from_secs(in_store::SHOW_SECONDS));
                        let recorded = asked.map_or_else(Task::none, |e| self.record(e));
                        Task::batch([recorded, work.map(Message::InStore)])
                    }
                }
            }
            Message::Similar(m) => {
                let (Screen::Similar(similar), Some(services)) =
                    (&mut self.screen, self.services.clone())
                else {
                    return Task::none();
                };
                let (action, work) = similar.update(m, &services);
                let work = work.map(Message::Similar);
                let followed = match action {
                    similar::Action::None => Task::none(),
                    similar::Action::Offered(0) => Task::none(),
                    similar::Action::Offered(_) => {
                        let offered = Event::SubstitutesOffered {
                            gtin: similar.entry().gtin,
                            style: similar.shoe().style_code.clone(),
                            size_mm: u32::from(similar.entry().size_mm),
                        };
                        self.record(offered)
                    }
                    similar::Action::NotifyMe => {
                        let form = back_in_stock::BackInStock::new(
                            Box::new(similar.shoe().clone()),
                            similar.entry().clone(),
                            similar.size_label().to_owned(),
                            services.config.privacy.back_in_stock_days,
                        );
                        self.screen = Screen::BackInStock(Box::new(form));
                        Task::none()
                    }
                    similar::Action::Open(grid, from) => {
                        let taken = Event::SubstituteTaken {
                            gtin: grid.scanned,
                            style: grid.style.style_code.clone(),
                            from,
                        };
                        let recorded = self.record(taken);
                        let shown = self.show_product(*grid, true);
                        Task::batch([recorded, shown])
                    }
                };
                Task::batch([work, followed])
            }
            Message::BackInStock(m) => {
                let (Screen::BackInStock(form), Some(services)) =
                    (&mut self.screen, self.services.clone())
                else {
                    return Task::none();
                };
                let saved_before = matches!(form.stage, back_in_stock::Stage::Saved { .. });
                let lang = self.lang.tag();
                match form.update(m, &services, &lang) {
                    back_in_stock::Action::None => {}
                    back_in_stock::Action::Send(work) => return work.map(Message::BackInStock),
                    back_in_stock::Action::Finish => return self.reset(),
                }
                if !saved_before && matches!(form.stage, back_in_stock::Stage::Saved { .. }) {
                    let asked = Event::BackInStockRequest {
                        gtin: form.gtin(),
                        style: form.style_code().to_owned(),
                    };
                    return self.record(asked);
                }
                Task::none()
            }
            Message::PickUp(m) => {
                let Screen::PickUp(stores) = &mut self.screen else {
                    return Task::none();
                };
                match stores.update(m) {
                    pick_up::Action::None => {}
                    pick_up::Action::Order(order) => {
                        if let Screen::PickUp(stores) =
                            std::mem::replace(&mut self.screen, Screen::Order(order))
                        {
                            self.previous_pick_up = Some(stores);
                        }
                    }
                }
                Task::none()
            }
            Message::Order(m) => {
                let (Screen::Order(o), Some(services)) = (&mut self.screen, self.services.clone())
                else {
                    return Task::none();
                };
                match o.update(m) {
                    order::Action::None => Task::none(),
                    order::Action::Leave => {
                        self.leave_order();
                        Task::none()
                    }
                    order::Action::Place(draft) => {
                        order::place(&services, *draft).map(Message::Order)
                    }
                    order::Action::Done(done, ordered) => {
                        self.screen = Screen::Done(*done);
                        self.reset_at = Some(self.now + Duration::from_secs(done::SHOW_SECONDS));
                        self.record(ordered)
                    }
                    order::Action::Failed(problem) => {
                        // Not even written to the outbox: say so on the staff screen.
                        tracing::error!(error = %problem, "order could not be stored");
                        self.screen = Screen::OutOfOrder(Breakdown::Orders(problem));
                        Task::none()
                    }
                }
            }
            Message::Done(m) => {
                let (Screen::Done(d), Some(services)) = (&mut self.screen, &self.services) else {
                    return Task::none();
                };
                match d.update(m) {
                    done::Action::None => Task::none(),
                    done::Action::Finish => self.reset(),
                    done::Action::EmailCode(order_id) => {
                        done::email_code(services, order_id).map(Message::Done)
                    }
                }
            }
            Message::Camera(event) => self.camera_event(event),
            Message::Recorded(problem) => {
                if let Some(problem) = problem {
                    tracing::warn!(%problem, "shopper event not stored");
                }
                Task::none()
            }
            Message::CornerPressed => {
                if matches!(self.screen, Screen::Attract) {
                    self.corner_pressed = Some(self.now);
                }
                Task::none()
            }
            Message::CornerReleased => {
                self.corner_pressed = None;
                Task::none()
            }
            Message::ManagerPin(m) => self.pin_message(m),
            Message::Manager(manager::Message::Logout) => self.reset(),
            Message::Manager(manager::Message::Quit) => {
                tracing::info!("kiosk closed from manager mode");
                iced::exit()
            }
            Message::Manager(m) => {
                let (Screen::Manager(dashboard), Some(services)) =
                    (&mut self.screen, &self.services)
                else {
                    return Task::none();
                };
                dashboard.update(m, services).map(Message::Manager)
            }
        }
    }

    fn pin_message(&mut self, m: manager::pin::Message) -> Task<Message> {
        let (Screen::ManagerPin(entry), Some(services)) = (&mut self.screen, &self.services) else {
            return Task::none();
        };
        match entry.update(m) {
            manager::pin::Action::None => Task::none(),
            manager::pin::Action::Cancel => self.reset(),
            manager::pin::Action::Check(pin) => {
                if let Some(remaining) = self.pin_gate.locked_for(Instant::now()) {
                    entry.show_lock(Some(remaining));
                    return Task::none();
                }
                manager::pin::check(services, pin).map(Message::ManagerPin)
            }
            manager::pin::Action::Checked(result) => self.pin_checked(result),
        }
    }

    /// Stores the PIN gate, so a restart does not reset a lockout.
    fn save_gate(&self) -> Task<Message> {
        let Some(services) = self.services.clone() else {
            return Task::none();
        };
        let state = self.pin_gate.state(Instant::now());
        Task::perform(
            async move {
                let text = serde_json::to_string(&state).unwrap_or_default();
                services
                    .db
                    .call(move |db| db.set_state(crate::domain::pin::GATE_STATE_KEY, &text))
                    .await
                    .err()
                    .map(|e| e.to_string())
            },
            Message::Recorded,
        )
    }

    fn pin_checked(&mut self, result: Result<bool, crate::domain::pin::PinError>) -> Task<Message> {
        if !matches!(self.screen, Screen::ManagerPin(_)) {
            return Task::none();
        }
        let matched = match result {
            Ok(matched) => matched,
            Err(problem) => {
                self.pin_feedback(manager::pin::Feedback::Problem(problem));
                return Task::none();
            }
        };
        let verdict = self.pin_gate.record(Instant::now(), matched);
        let saved = self.save_gate();
        let opened = match verdict {
            crate::domain::pin::Verdict::Accepted => {
                tracing::info!("manager mode opened");
                let Some(services) = &self.services else {
                    return saved;
                };
                let (dashboard, task) = manager::Dashboard::open(services);
                self.screen = Screen::Manager(Box::new(dashboard));
                self.last_activity = self.now.max(Instant::now());
                task.map(Message::Manager)
            }
            crate::domain::pin::Verdict::Rejected { left } => {
                tracing::warn!(left, "wrong manager PIN");
                self.pin_feedback(manager::pin::Feedback::Wrong { left });
                Task::none()
            }
            crate::domain::pin::Verdict::Locked { remaining } => {
                tracing::warn!(seconds = remaining.as_secs(), "manager mode locked");
                if let Screen::ManagerPin(entry) = &mut self.screen {
                    entry.show_lock(Some(remaining));
                }
                Task::none()
            }
        };
        Task::batch([saved, opened])
    }

    fn pin_feedback(&mut self, feedback: manager::pin::Feedback) {
        if let Screen::ManagerPin(entry) = &mut self.screen {
            entry.set_feedback(feedback);
        }
    }

    fn camera_event(&mut self, event: crate::camera::CameraEvent) -> Task<Message> {
        use crate::camera::CameraEvent;
        match event {
            CameraEvent::Active(_) => {
                if let Some(s) = &self.services {
                    s.health.set_camera("active");
                }
                self.camera = CameraState::Active(None);
                Task::none()
            }
            CameraEvent::Unavailable(why) => {
                tracing::warn!(%why, "camera unavailable");
                if let Some(s) = &self.services {
                    s.health.set_camera("unavailable");
                }
                self.camera = CameraState::Unavailable;
                Task::none()
            }
            CameraEvent::Preview(p) => {
                // RGBA was made on the decoder thread; the UI thread only wraps it (no copy).
                self.camera = CameraState::Active(Some(iced::widget::image::Handle::from_rgba(
                    p.width,
                    p.height,
                    p.rgba.clone(),
                )));
                Task::none()
            }
            CameraEvent::Read(read) => {
                // On the manager's camera test a read is shown, not looked up.
                if let Screen::Manager(dashboard) = &mut self.screen {
                    dashboard.last_read = Some(read.text);
                    return Task::none();
                }
                // The product already on screen is not looked up again.
                if let Screen::Product(p) = &self.screen
                    && p.shows(read.gtin)
                {
                    return Task::none();
                }
                if let Some(services) = &self.services {
                    services.chime.play();
                }
                self.last_activity = self.now.max(Instant::now());
                self.lookup(read.text)
            }
        }
    }

    /// Whether the screen has a step to go back to (the footer shows Back).
    fn can_go_back(&self) -> bool {
        match &self.screen {
            Screen::Product(_) | Screen::PickUp(_) | Screen::Similar(_) => true,
            Screen::BackInStock(f) => {
                matches!(
                    f.stage,
                    back_in_stock::Stage::Typing | back_in_stock::Stage::Failed
                )
            }
            Screen::Order(o) => o.stage != order::Stage::Sending,
            Screen::InStore(s) => s.can_go_back(),
            _ => false,
        }
    }

    fn back(&mut self) -> Task<Message> {
        match &mut self.screen {
            // From the product: scan another shoe — or back to the shoes like it it came from.
            Screen::Product(_) => {
                self.screen = match self.previous_similar.take() {
                    Some(similar) => Screen::Similar(similar),
                    None => Screen::Scan(scan::Scan::new()),
                }
            }
            Screen::Order(o) => {
                if let order::Action::Leave = o.update(order::Message::Back) {
                    self.leave_order();
                }
            }
            Screen::InStore(s) if s.can_go_back() => self.back_to_product(),
            Screen::PickUp(_) | Screen::Similar(_) | Screen::BackInStock(_) => {
                self.back_to_product()
            }
            _ => {}
        }
        Task::none()
    }

    /// Shows the screen a product screen leads to, starting the work it needs.
    fn show_next(&mut self, next: product::Next, services: &Arc<Services>) -> Task<Message> {
        match next {
            product::Next::InStore(sheet) => self.leave_product_for(Screen::InStore(sheet)),
            product::Next::Ship(order) => self.leave_product_for(Screen::Order(order)),
            product::Next::PickUp(stores) => self.leave_product_for(Screen::PickUp(stores)),
            product::Next::Similar(mut similar) => {
                let look = similar.look(services).map(Message::Similar);
                self.leave_product_for(Screen::Similar(similar));
                return look;
            }
        }
        Task::none()
    }

    /// Shows `next`, keeping the product screen it replaces for Back.
    fn leave_product_for(&mut self, next: Screen) {
        if let Screen::Product(p) = std::mem::replace(&mut self.screen, next) {
            self.previous_product = Some(p);
        }
    }

    /// Back from an order's first step: to the nearby stores it was started from, else to the
    /// product.
    fn leave_order(&mut self) {
        match self.previous_pick_up.take() {
            Some(stores) => self.screen = Screen::PickUp(stores),
            None => self.back_to_product(),
        }
    }

    /// The product screen as the shopper left it (or the scan screen if it is gone).
    fn back_to_product(&mut self) {
        self.reset_at = None;
        self.previous_pick_up = None;
        self.screen = match self.previous_product.take() {
            Some(p) => Screen::Product(p),
            None => Screen::Scan(scan::Scan::new()),
        };
    }

    /// The product screen for a grid just looked up: shown at once from local stock, the
    /// warehouse's answer filling in; the scan is counted.
    fn open_product(&mut self, grid: crate::domain::catalog::SizeGrid) -> Task<Message> {
        let recorded = self.record(Event::Scan {
            gtin: grid.scanned,
            style: grid.style.style_code.clone(),
        });
        self.previous_similar = None;
        Task::batch([recorded, self.show_product(grid, false)])
    }

    /// The product screen for `grid`, asking the warehouse about its sizes (nothing counted);
    /// `offered`: opened from "shoes like this", whose screen Back returns to.
    fn show_product(
        &mut self,
        grid: crate::domain::catalog::SizeGrid,
        offered: bool,
    ) -> Task<Message> {
        let Some(services) = self.services.clone() else {
            return Task::none();
        };
        let mut reach = crate::domain::catalog::PickUpReach::of(&services.config.store);
        if !services.client.offers_pickup() {
            // A mapped platform knows no other stores: nothing cached from before is offered.
            reach.within_km = 0.0;
        }
        let mut product = product::Product::new(grid, self.size_system, reach)
            .with_shop_link(services.shop_link.as_ref());
        if offered {
            product = product.offered();
        }
        let check = product.check_warehouse(&services).map(Message::Product);
        if let Screen::Similar(similar) =
            std::mem::replace(&mut self.screen, Screen::Product(Box::new(product)))
            && offered
        {
            self.previous_similar = Some(similar);
        }
        check
    }

    /// The header's "Call an associate": someone is told, and the shopper sees that at once.
    fn call_associate(&mut self) -> Task<Message> {
        let Some(services) = self.services.clone() else {
            return Task::none();
        };
        self.associate_notice = true;
        Task::perform(
            async move { notify::call_associate(&services, None).await },
            Message::AssociateCalled,
        )
    }

    /// A keyboard-wedge scanner types the code and Enter, on any screen. On the address form
    /// the keys go to the form instead.
    fn wedge_input(&mut self, event: keyboard::Event) -> Task<Message> {
        let keyboard::Event::KeyPressed { key, text, .. } = event else {
            return Task::none();
        };
        if let Screen::Order(o) = &mut self.screen
            && o.stage == order::Stage::Form
        {
            let m = match (&key, text.as_deref()) {
                (keyboard::Key::Named(key::Named::Backspace), _) => Some(order::Message::Backspace),
                (keyboard::Key::Named(key::Named::Tab | key::Named::Enter), _) => {
                    Some(order::Message::Next)
                }
                (_, Some(t)) => t
                    .chars()
                    .next()
                    .filter(|c| !c.is_control())
                    .map(order::Message::Key),
                _ => None,
            };
            if let Some(m) = m {
                o.update(m);
            }
            return Task::none();
        }
        // The back-in-stock address, on a hardware keyboard as on the screen's.
        if let Screen::BackInStock(form) = &self.screen
            && form.stage == back_in_stock::Stage::Typing
        {
            let m = match (&key, text.as_deref()) {
                (keyboard::Key::Named(key::Named::Backspace), _) => {
                    Some(back_in_stock::Message::Backspace)
                }
                (keyboard::Key::Named(key::Named::Enter), _) => Some(back_in_stock::Message::Send),
                (_, Some(t)) => t
                    .chars()
                    .next()
                    .filter(|c| !c.is_control())
                    .map(back_in_stock::Message::Key),
                _ => None,
            };
            return m.map_or_else(Task::none, |m| Task::done(Message::BackInStock(m)));
        }
        // The PIN can be typed on a keyboard too (a technician's), never echoed.
        if let Screen::ManagerPin(_) = &self.screen {
            let m = match (&key, text.as_deref()) {
                (keyboard::Key::Named(key::Named::Enter), _) => Some(manager::pin::Message::Enter),
                (keyboard::Key::Named(key::Named::Backspace), _) => {
                    Some(manager::pin::Message::Delete)
                }
                (_, Some(t)) => t
                    .chars()
                    .next()
                    .filter(char::is_ascii_digit)
                    .map(manager::pin::Message::Digit),
                _ => None,
            };
            return m.map_or_else(Task::none, |m| self.pin_message(m));
        }
        match (&key, text.as_deref()) {
            (keyboard::Key::Named(key::Named::Enter), _) => {
                let code = std::mem::take(&mut self.wedge);
                if code.trim().is_empty() {
                    Task::none()
                } else if let Screen::Manager(dashboard) = &mut self.screen {
                    // Manager mode: an order number to find, or a scanner test; never a lookup.
                    match &self.services {
                        Some(services) => dashboard
                            .scanned(code.trim(), services)
                            .map(Message::Manager),
                        None => Task::none(),
                    }
                } else {
                    self.lookup(code)
                }
            }
            (_, Some(t)) => {
                if self.wedge.len() < 200 {
                    self.wedge.extend(t.chars().filter(|c| !c.is_control()));
                }
                Task::none()
            }
            _ => Task::none(),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            keyboard::listen().map(Message::Keyboard),
            iced::window::resize_events().map(|(_, size)| Message::Resized(size)),
        ];
        // A clock only as fast as the screen needs it: each tick rebuilds and redraws the
        // window, and an idle kiosk should cost (almost) nothing.
        if let Some(every) = self.tick_interval() {
            subscriptions.push(iced::time::every(every).map(Message::Tick));
        }
        // The camera runs only where a shopper may hold up a tag.
        let camera_test = matches!(&self.screen, Screen::Manager(d) if d.wants_camera());
        let scanning = camera_test
            || matches!(
                self.screen,
                Screen::Attract | Screen::Scan(_) | Screen::Product(_)
            );
        if let Some(services) = &self.services
            && services.config.camera.enabled
            && scanning
        {
            let spec = crate::camera::SourceSpec::resolve(
                &services.config.camera.source,
                &services.base_dir,
            );
            let config = toml::to_string(&services.config.camera).unwrap_or_default();
            let database = services.database.clone();
            let formats = services.config.barcode.formats.clone();
            subscriptions.push(Subscription::run_with(
                CameraKey {
                    spec,
                    config,
                    database,
                    formats,
                    preview: camera_test || matches!(self.screen, Screen::Scan(_)),
                },
                camera_stream,
            ));
        }
        Subscription::batch(subscriptions)
    }

    /// How often the screen needs the clock: the attract screen changes its hint every few
    /// seconds (faster only while the store name is held for manager mode); other screens show
    /// countdowns in whole seconds; a starting or broken kiosk has nothing to count.
    fn tick_interval(&self) -> Option<Duration> {
        match &self.screen {
            Screen::Starting | Screen::OutOfOrder(_) => None,
            Screen::Attract if self.corner_pressed.is_some() => Some(Duration::from_millis(250)),
            Screen::Attract => Some(Duration::from_secs(attract::HINT_SECONDS)),
            // A countdown on screen (its own, or the idle prompt), or the prompt due within
            // the next slow tick: whole seconds, so it shows on time and counts visibly.
            _ if self.reset_at.is_some() || self.prompt_due_within(SLOW_TICK + SLOW_TICK) => {
                Some(Duration::from_secs(1))
            }
            _ => Some(SLOW_TICK),
        }
    }

    /// Whether the "are you still there?" prompt shows now or within `margin`.
    fn prompt_due_within(&self, margin: Duration) -> bool {
        let (timeout, countdown) = self.idle_limit();
        let idle = self.now.saturating_duration_since(self.last_activity);
        idle + margin >= timeout.saturating_sub(countdown)
    }

    pub fn scale_factor(&self) -> f32 {
        self.services
            .as_ref()
            .map_or(1.0, |s| s.config.ui.scale as f32)
    }

    pub fn theme(&self) -> iced::Theme {
        Palette::of(self.high_contrast).iced_theme()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let palette = Palette::of(self.high_contrast);
        let (assets, systems, camera_enabled, store_country, handheld_scanner) =
            match &self.services {
                Some(s) => (
                    s.assets.as_path(),
                    s.config.ui.size_systems.as_slice(),
                    s.config.camera.enabled,
                    s.config.store.country.as_str(),
                    s.config.barcode.handheld_scanner,
                ),
                None => (Path::new("assets"), &[][..], false, "", false),
            };
        let ctx = Ctx {
            lang: &self.lang,
            palette,
            assets,
            size_systems: systems,
            portrait: self.portrait,
            camera: &self.camera,
            camera_enabled,
            store_country,
            handheld_scanner,
        };
        let seconds = self
            .now
            .saturating_duration_since(self.started_at)
            .as_secs();
        let body: Element<'_, Message> = match &self.screen {
            Screen::Starting => container(text(ctx.t("starting")).size(theme::text::H2))
                .center(Length::Fill)
                .into(),
            Screen::OutOfOrder(problem) => out_of_order(&ctx, problem),
            Screen::Attract => attract::view(&ctx, seconds).map(Message::Attract),
            Screen::Scan(s) => s.view(&ctx).map(Message::Scan),
            Screen::Product(p) => p.view(&ctx).map(Message::Product),
            Screen::InStore(s) => s.view(&ctx).map(Message::InStore),
            Screen::PickUp(s) => s.view(&ctx).map(Message::PickUp),
            Screen::Similar(s) => s.view(&ctx).map(Message::Similar),
            Screen::BackInStock(f) => f.view(&ctx).map(Message::BackInStock),
            Screen::Order(o) => o.view(&ctx).map(Message::Order),
            Screen::Done(d) => {
                let left = self
                    .reset_at
                    .map_or(0, |at| at.saturating_duration_since(self.now).as_secs());
                d.view(&ctx, left).map(Message::Done)
            }
            Screen::ManagerPin(entry) => entry.view(&ctx).map(Message::ManagerPin),
            Screen::Manager(dashboard) => match &self.services {
                Some(services) => dashboard.view(&ctx, services).map(Message::Manager),
                None => space::horizontal().into(),
            },
        };
        let shopper_screen = !matches!(
            self.screen,
            Screen::OutOfOrder(_) | Screen::Starting | Screen::ManagerPin(_) | Screen::Manager(_)
        );
        let mut page = column![].width(Length::Fill).height(Length::Fill);
        if shopper_screen {
            page = page.push(self.header(&ctx));
        }
        page = page.push(container(body).height(Length::Fill));
        if shopper_screen {
            page = page.push(self.footer(&ctx));
        }
        let page = container(page)
            .style(theme::page(palette))
            .width(Length::Fill)
            .height(Length::Fill);
        match self.idle_countdown() {
            // The prompt replaces the screen: a passer-by does not see the shopper's name,
            // address or size behind it while it counts down.
            Some(left) => container(idle_prompt(
                &ctx,
                left,
                matches!(self.screen, Screen::Manager(_)),
            ))
            .style(theme::page(palette))
            .width(Length::Fill)
            .height(Length::Fill)
            .into(),
            None => page.into(),
        }
    }
}

/// Runs the kiosk window until it is closed.
pub fn run(loaded: Result<LoadedConfig, ConfigError>) -> iced::Result {
    let ui = loaded
        .as_ref()
        .map(|l| l.config.ui.clone())
        .unwrap_or_default();
    let (width, height) = (ui.window_width as f32, ui.window_height as f32);
    let boot = move || Kiosk::new(loaded.clone());
    iced::application(boot, Kiosk::update, Kiosk::view)
        .title("Endless aisle")
        .subscription(Kiosk::subscription)
        .theme(Kiosk::theme)
        .style(Kiosk::window_style)
        .scale_factor(Kiosk::scale_factor)
        // The compiled-in font, so every kiosk (and the CI screenshots) render the same.
        .default_font(iced::Font::with_name("Fira Sans"))
        .window(iced::window::Settings {
            size: Size::new(width, height),
            fullscreen: ui.fullscreen,
            decorations: !ui.fullscreen,
            // On the kiosk (fullscreen) a close request (Alt+F4, a compositor gesture) is
            // ignored: staff leave through manager mode ("Quit kiosk").
            exit_on_close_request: !ui.fullscreen,
            ..iced::window::Settings::default()
        })
        .run()
}
