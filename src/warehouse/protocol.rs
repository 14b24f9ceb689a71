//! The warehouse protocol's JSON bodies, shared by the reference server and the client so the
//! two cannot drift apart. Documented in `docs/warehouse-api.yaml`. Requests reject unknown
//! fields (strict JSON); responses tolerate them (a newer server may add fields).

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AvailabilityResponse {
    pub items: Vec<Availability>,
    /// When the server read its stock (RFC 3339).
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociateResponse {
    pub request_id: String,
    pub created_at: String,
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
    pub const UNAUTHORIZED: &str = "https://kiosk.invalid/problems/unauthorized";
    pub const FORBIDDEN: &str = "https://kiosk.invalid/problems/forbidden";
    pub const NOT_FOUND: &str = "https://kiosk.invalid/problems/not-found";
    pub const INTERNAL: &str = "https://kiosk.invalid/problems/internal";
}
