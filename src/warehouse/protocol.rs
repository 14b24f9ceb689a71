//! The warehouse protocol's JSON bodies, shared by the reference server and the client so the
//! two cannot drift apart. Documented in `docs/warehouse-api.yaml`. Requests reject unknown
//! fields (strict JSON); responses tolerate them (a newer server may add fields).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Largest page a client may ask for.
pub const MAX_PAGE: u32 = 5_000;
/// Default page size.
pub const DEFAULT_PAGE: u32 = 1_000;
/// Most GTINs in one availability request (a style has at most a few dozen sizes).
pub const MAX_AVAILABILITY_GTINS: usize = 200;

/// `?cursor=…&limit=…` of the paged feeds. The cursor is opaque to the client.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
    /// `true`: also say how many changes remain after this page (for a progress bar; costs
    /// the server a count, so clients ask on a feed's first page only).
    #[serde(default)]
    pub count: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleRecord {
    pub style_code: String,
    pub brand: String,
    pub name: String,
    pub colour: String,
    pub gender: String,
    pub price_cents: i64,
    pub currency: String,
    pub image: String,
    pub description: String,
    pub fit_note: String,
    /// What kind of shoe ("running", "trail", "boot", "loafer", "court"…): "shoes like this"
    /// come from the same category first. Empty: not said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub category: String,
    /// The colour in broad words ("black", "white", "blue", "brown", "neutral"…), for the
    /// same purpose.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub colour_family: String,
    /// Free words the chain uses ("waterproof", "leather", "road"), lower case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The catalog's own translations of the texts above, by language tag (`"es"`): what a
    /// shopper reads in their language. Absent or empty for a text: the text above.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, StyleTexts>,
}

/// A style's texts in one language; an empty one is not translated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleTexts {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub colour: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fit_note: String,
}

/// Which of a style's texts (see [`StyleRecord::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleText {
    Name,
    Colour,
    Description,
    FitNote,
}

impl StyleRecord {
    /// A text in `lang` when the catalog carries it, else the catalog's own; `None` when the
    /// catalog has no translation (so the caller may try its own vocabulary).
    pub fn translated(&self, lang: &str, which: StyleText) -> Option<&str> {
        let texts = self.translations.get(lang)?;
        let text = match which {
            StyleText::Name => &texts.name,
            StyleText::Colour => &texts.colour,
            StyleText::Description => &texts.description,
            StyleText::FitNote => &texts.fit_note,
        };
        (!text.trim().is_empty()).then_some(text.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantRecord {
    /// GTIN-14, digits.
    pub gtin: String,
    pub style_code: String,
    pub size_mm: u16,
    /// `N`, `M`, `W` or `XW`.
    pub width: String,
    /// The variant was withdrawn from the catalog: remove it.
    #[serde(default)]
    pub discontinued: bool,
}

/// One page of catalog changes, in change order: styles before the variants that need them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatalogPage {
    pub styles: Vec<StyleRecord>,
    pub variants: Vec<VariantRecord>,
    /// Where the next page starts; save it with this page's changes.
    pub next_cursor: String,
    pub has_more: bool,
    /// Changes after this page, when asked for with `count=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockRecord {
    pub gtin: String,
    pub quantity: u32,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StockPage {
    pub items: Vec<StockRecord>,
    pub next_cursor: String,
    pub has_more: bool,
    /// Changes after this page, when asked for with `count=true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityRequest {
    pub gtins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    pub gtin: String,
    /// Pairs at the distribution centre that can still be ordered.
    pub quantity: u32,
    /// Working days from order to the shopper's door; absent when not orderable.
    pub delivery_days: Option<u32>,
    /// The date that makes, from today.
    pub delivery_estimate: Option<String>,
    pub shipping_cents: i64,
    pub currency: String,
    /// The chain's other stores that have this size on the shelf now, nearest to the asking
    /// store first (at most [`MAX_STORES_PER_SIZE`]); each is described in
    /// [`AvailabilityResponse::locations`]. Empty when no other store has it, or the
    /// warehouse does not know other stores' stock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<StoreQuantity>,
}

/// Most other stores named per size: the nearest few are the ones a shopper would go to.
pub const MAX_STORES_PER_SIZE: usize = 5;

/// Pairs of a size on another store's shelf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreQuantity {
    pub store_id: String,
    pub quantity: u32,
    /// Metres from the asking store, when the warehouse knows where both are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
}

/// A store of the chain, as a shopper finds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub store_id: String,
    /// Short, as shoppers call it ("Old Town").
    pub name: String,
    /// One line: street, postcode and town.
    pub address: String,
    /// Degrees (WGS 84); absent when the chain has not placed the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

impl Location {
    /// Where the store is, when it was placed on the globe.
    pub fn position(&self) -> Option<crate::domain::geo::Position> {
        crate::domain::geo::Position::checked(self.latitude, self.longitude)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AvailabilityResponse {
    pub items: Vec<Availability>,
    /// When the server read its stock (RFC 3339).
    pub as_of: String,
    /// Every store named in the items' `stores`, once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub gtin: String,
    pub quantity: u32,
    /// The price the shopper was shown; the server refuses the order if it no longer holds.
    pub unit_price_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    pub store_id: String,
    /// The kiosk's own order number, shown to the shopper.
    pub kiosk_order_id: String,
    pub lines: Vec<OrderLine>,
    pub currency: String,
    pub shipping_cents: i64,
    pub ship_to: Address,
    pub contact: Contact,
    /// How the pair reaches the shopper; home delivery when absent.
    #[serde(default, skip_serializing_if = "Fulfilment::is_home")]
    pub fulfilment: Fulfilment,
}

/// How an order reaches the shopper. Only home delivery needs a street address: the others
/// carry the shopper's name (in `ship_to.name`) and a contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FulfilmentWire", into = "FulfilmentWire")]
pub enum Fulfilment {
    /// From the distribution centre to `ship_to`.
    #[default]
    Home,
    /// From the distribution centre to the ordering store, where the shopper collects it.
    ShipToStore,
    /// Held for the shopper at another store of the chain, from its shelf, until the hold
    /// ends (then the pair goes back on that store's shelf).
    PickUp { store_id: String },
}

impl Fulfilment {
    pub fn is_home(&self) -> bool {
        *self == Self::Home
    }
}

/// [`Fulfilment`] as JSON: `{"kind": "pick_up", "store_id": "…"}`. A struct, because serde's
/// internally tagged enums let unknown fields through (strict JSON refuses them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FulfilmentWire {
    kind: FulfilmentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    store_id: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FulfilmentKind {
    Home,
    ShipToStore,
    PickUp,
}

impl TryFrom<FulfilmentWire> for Fulfilment {
    type Error = String;
    fn try_from(wire: FulfilmentWire) -> Result<Self, String> {
        match (wire.kind, wire.store_id) {
            (FulfilmentKind::Home, None) => Ok(Self::Home),
            (FulfilmentKind::ShipToStore, None) => Ok(Self::ShipToStore),
            (FulfilmentKind::PickUp, Some(store_id)) => Ok(Self::PickUp { store_id }),
            (FulfilmentKind::PickUp, None) => Err("fulfilment: pick_up needs a store_id".into()),
            (_, Some(_)) => Err("fulfilment: only pick_up takes a store_id".into()),
        }
    }
}

impl From<Fulfilment> for FulfilmentWire {
    fn from(f: Fulfilment) -> Self {
        let (kind, store_id) = match f {
            Fulfilment::Home => (FulfilmentKind::Home, None),
            Fulfilment::ShipToStore => (FulfilmentKind::ShipToStore, None),
            Fulfilment::PickUp { store_id } => (FulfilmentKind::PickUp, Some(store_id)),
        };
        Self { kind, store_id }
    }
}

/// An order a store hands over at its counter, as its pick list shows it: no shopper data, the
/// shopper shows the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pickup {
    /// The kiosk's order number: what the shopper shows (text or QR).
    pub code: String,
    pub order_id: String,
    /// `hold`: a pair from this store's shelf, set aside now; `arriving`: shipped here from
    /// the distribution centre.
    pub kind: String,
    /// `open`, `collected`, or `expired` (a hold not collected in time; the pair went back).
    pub state: String,
    pub gtin: String,
    pub quantity: u32,
    /// The shoe, as staff look for it: brand, name, colour, size and style code.
    pub style: String,
    /// The store whose kiosk took the order.
    pub ordering_store: String,
    pub ordered_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PickupList {
    pub items: Vec<Pickup>,
}

/// A pair held for a shopper at a store: where, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickUpHold {
    pub store_id: String,
    /// RFC 3339; after it the pair goes back on the shelf.
    pub expires_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Confirmed,
    Shipped,
    Delivered,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderResponse {
    pub order_id: String,
    pub kiosk_order_id: String,
    pub status: OrderState,
    pub created_at: String,
    pub delivery_estimate: Option<String>,
    pub total_cents: i64,
    pub currency: String,
    /// For a pick-up at another store: where the pair is held and until when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<PickUpHold>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociateRequest {
    /// The size wanted; empty for a general "call an associate".
    #[serde(default)]
    pub gtin: String,
    /// What the shopper asked for, as shown to them (e.g. "EU 42").
    pub size_label: String,
    pub kiosk_id: String,
    /// The shoe, as staff look for it: brand, name, colour and style code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub style: String,
    /// Sizes to bring as well (half a size down or up), at most two.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AssociateSize>,
}

/// One more size to bring with an associate request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociateSize {
    pub gtin: String,
    pub size_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociateResponse {
    pub request_id: String,
    pub created_at: String,
}

/// A kiosk's health, as it reports it to the warehouse for the chain's fleet view: the facts
/// of its local health status (`runtime::health`), never shopper data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub version: String,
    /// When the kiosk gathered these facts (RFC 3339).
    pub at: String,
    /// The last completed catalog or stock sync, if any.
    #[serde(default)]
    pub last_sync_at: Option<String>,
    /// Orders not confirmed by the warehouse yet.
    pub outbox_pending: u64,
    /// "active", "unavailable", "starting", "off" or "none".
    pub camera: String,
    pub ok: bool,
    #[serde(default)]
    pub problems: Vec<String>,
}

/// One finished day of one kiosk's shopper analytics, as the kiosk summarised it: counts only,
/// anonymous (no session, no shopper). Sent once the day is over; sending the same day again
/// replaces it (so a retry can never count a day twice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaySummary {
    /// The store-local date, `YYYY-MM-DD`.
    pub day: String,
    /// Counts by kind (`scan`, `size_missing`, `funnel_scanned`, …); style and size are set for
    /// `size_missing` only (a size asked for that the store did not have).
    pub counts: Vec<DayCount>,
    /// Scans in each store-local hour, 0-23 (absent or empty: not known).
    #[serde(default)]
    pub scans_per_hour: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayCount {
    pub kind: String,
    #[serde(default)]
    pub style_code: String,
    #[serde(default)]
    pub size_mm: u32,
    pub count: u64,
}

/// Most rows one day summary may carry.
pub const MAX_DAY_COUNTS: usize = 10_000;

/// The warehouse kept a day summary, at this time (its clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySummaryAck {
    pub received_at: String,
}

/// The warehouse took a heartbeat, at this time (its clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatAck {
    pub received_at: String,
}

/// A kiosk as the fleet list shows it: its last heartbeat and when the warehouse got it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetKiosk {
    pub store_id: String,
    pub kiosk_id: String,
    /// When the warehouse received the last heartbeat (its own clock).
    pub received_at: String,
    pub age_s: u64,
    /// No heartbeat for longer than the list was asked to allow.
    pub stale: bool,
    pub heartbeat: Heartbeat,
}

/// "Tell me when it is back": the size and where to write, nothing else about the shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockAlertRequest {
    pub gtin: String,
    pub email: String,
    /// The language the shopper used at the kiosk, for the e-mail ("es").
    #[serde(default)]
    pub lang: String,
    /// Days the shopper was told the address is kept at most; the warehouse keeps it no
    /// longer than this nor than its own limit. Absent: its own limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_days: Option<u32>,
}

/// The request was kept: the address masked, and the days it is kept at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAlertResponse {
    pub alert_id: String,
    pub to: String,
    pub days: u32,
    pub expires_at: String,
}

/// What the chain's mailer is sent when a size someone waits for is back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAlertMail {
    pub kind: String,
    pub alert_id: String,
    pub to: String,
    pub lang: String,
    pub gtin: String,
    /// The shoe and size, in staff's words.
    pub style: String,
    /// The store whose kiosk took the request.
    pub store_id: String,
}

/// A shopper asked for their order code by e-mail: where it goes, masked (`a•••@example.com`),
/// so the kiosk can say so without the warehouse echoing the whole address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeEmailResponse {
    pub to: String,
}

/// `ana.li@example.com` → `a•••@example.com`: enough for the shopper to recognise, too little
/// for someone reading over their shoulder.
pub fn mask_email(email: &str) -> String {
    match email.trim().split_once('@') {
        Some((user, domain)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

/// RFC 9457 problem details: the body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default)]
    pub detail: String,
}

/// Problem `type`s the client acts on.
pub mod problem_type {
    pub const OUT_OF_STOCK: &str = "https://kiosk.invalid/problems/out-of-stock";
    pub const PRICE_CHANGED: &str = "https://kiosk.invalid/problems/price-changed";
    pub const IDEMPOTENCY_MISMATCH: &str = "https://kiosk.invalid/problems/idempotency-key-reused";
    pub const RATE_LIMITED: &str = "https://kiosk.invalid/problems/rate-limited";
    pub const INVALID_REQUEST: &str = "https://kiosk.invalid/problems/invalid-request";
    pub const INVALID_ADDRESS: &str = "https://kiosk.invalid/problems/invalid-address";
    pub const CONFLICT: &str = "https://kiosk.invalid/problems/conflict";
    pub const UNAUTHORIZED: &str = "https://kiosk.invalid/problems/unauthorized";
    pub const FORBIDDEN: &str = "https://kiosk.invalid/problems/forbidden";
    pub const NOT_FOUND: &str = "https://kiosk.invalid/problems/not-found";
    pub const INTERNAL: &str = "https://kiosk.invalid/problems/internal";
}

/// Longest shopper field accepted (a name, a street line, an e-mail address).
pub const MAX_SHOPPER_FIELD: usize = 200;

/// Whether a character may not appear in shopper text: control characters (NUL, ESC, CR/LF,
/// tab, DEL, C1) and the bidirectional overrides and isolates that make a text read
/// differently on a screen or a label than it is stored.
pub fn is_forbidden_in_shopper_text(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl OrderRequest {
    /// Lines plus shipping, or `None` if the sum does not fit (no wrap-around, ever).
    pub fn total_cents(&self) -> Option<i64> {
        self.lines.iter().try_fold(self.shipping_cents, |total, l| {
            l.unit_price_cents
                .checked_mul(i64::from(l.quantity))
                .and_then(|line| total.checked_add(line))
        })
    }

    /// The shopper's fields by name, for checks and for redaction.
    pub fn shopper_fields(&self) -> [(&'static str, &str); 8] {
        let (a, c) = (&self.ship_to, &self.contact);
        [
            ("ship_to.name", &a.name),
            ("ship_to.line1", &a.line1),
            ("ship_to.line2", &a.line2),
            ("ship_to.postal_code", &a.postal_code),
            ("ship_to.city", &a.city),
            ("ship_to.country", &a.country),
            ("contact.email", &c.email),
            ("contact.phone", &c.phone),
        ]
    }

    /// The first shopper field that is too long or holds a forbidden character, named, with
    /// the reason (never the value).
    pub fn check_shopper_text(&self) -> Result<(), String> {
        for (field, value) in self.shopper_fields() {
            if value.chars().count() > MAX_SHOPPER_FIELD {
                return Err(format!(
                    "{field}: longer than {MAX_SHOPPER_FIELD} characters"
                ));
            }
            if value.chars().any(is_forbidden_in_shopper_text) {
                return Err(format!(
                    "{field}: holds a control character or a text-direction override"
                ));
            }
        }
        Ok(())
    }

    /// `text` with every shopper value of this order (and anything shaped like an e-mail
    /// address) replaced by `[redacted]`: for error texts that are logged or kept, which may
    /// echo what was sent.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let mut values: Vec<String> = self
            .shopper_fields()
            .iter()
            .filter(|(field, v)| *field != "ship_to.country" && v.trim().chars().count() >= 3)
            .flat_map(|(_, v)| {
                let v = v.trim();
                // Also the forms a JSON answer or a URL would echo.
                let json = serde_json::to_string(v).unwrap_or_default();
                let json = json.trim_matches('"').to_owned();
                let url =
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                        .to_string();
                [v.to_owned(), json, url]
            })
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        for value in values {
            out = replace_ignoring_case(&out, &value, "[redacted]");
        }
        redact_emails(&out)
    }
}

fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_owned();
    }
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; fall back to exact matching then.
    if lower_text.len() != text.len() || lower_needle.len() != needle.len() {
        return text.replace(needle, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower_text[rest..].find(&lower_needle) {
        let start = rest + found;
        out.push_str(&text[rest..start]);
        out.push_str(with);
        rest = start + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// Words with an `@` between other characters become `[e-mail]`.
pub fn redact_emails(text: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || "._%+-@".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let at = word.find('@');
        if at.is_some_and(|i| i > 0 && i + 1 < word.len()) {
            out.push_str("[e-mail]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if is_word(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}
