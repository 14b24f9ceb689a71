//! `[warehouse]` and `[warehouse.mapped]`: how the kiosk reaches its warehouse, and how an existing inventory API is described (one typed struct per operation's fields).

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::rules::*;
use super::{Millis, Seconds};
use url::Url;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WarehouseMode {
    /// Start the reference warehouse in-process on 127.0.0.1 (demos, trials).
    Embedded,
    /// Talk to the warehouse at `url`.
    Remote,
    /// Talk to an existing inventory API at `url`, described in `[warehouse.mapped]`.
    Mapped,
}

/// `[warehouse.mapped]`: an existing inventory API (a commerce platform's) described without
/// code. Worked examples: `docs/examples/`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Mapped {
    /// CSV `gtin,sku` relating the catalog's GTINs to the API's SKUs or item ids (relative to
    /// the config file). "" = the API knows the GTINs themselves.
    pub sku_map: PathBuf,
    /// Working days to the shopper's door when the API does not say.
    pub delivery_days: u32,
    /// Shipping cost shown to the shopper when the API does not say.
    pub shipping_cents: i64,
    /// The platform's order statuses for each of the kiosk's: `confirmed`, `shipped`,
    /// `delivered`, `cancelled` (compared without case). Statuses not listed are read by
    /// their words (cancel… → cancelled, deliver… → delivered, ship…/fulfil… → shipped).
    pub statuses: std::collections::BTreeMap<String, Vec<String>>,
    pub availability: Option<Operation<AvailabilityFields>>,
    pub stock_changes: Option<Operation<StockChangesFields>>,
    pub create_order: Option<Operation<CreateOrderFields>>,
    pub order_status: Option<Operation<OrderStatusFields>>,
}

impl Default for Mapped {
    fn default() -> Self {
        Self {
            sku_map: PathBuf::new(),
            delivery_days: 3,
            shipping_cents: 0,
            statuses: std::collections::BTreeMap::new(),
            availability: None,
            stock_changes: None,
            create_order: None,
            order_status: None,
        }
    }
}

/// One HTTP call of a mapped API: templates (minijinja: `{{ skus|join(",") }}`,
/// `{{ order|tojson }}`) for the URL, headers and body, and where each field is found in the
/// answer (JSON Pointers, RFC 6901: `/inventory_levels`, `/node/stocks/0/quantity`).
///
/// `F` says which fields the operation has: each its own struct, so a missing one or a
/// misspelt one is an error where the file says it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Operation<F> {
    /// GET (default), POST, PUT or PATCH.
    #[serde(default)]
    pub method: HttpMethod,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Request body template ("" = none); sent as JSON.
    #[serde(default)]
    pub body: String,
    pub fields: F,
    /// create_order only: "key" (the default: the request carries `{{ idempotency_key }}`) or
    /// "none" (the platform has no such thing; an order whose fate is unknown is never sent
    /// again by itself and waits as "needs checking" for a manager).
    #[serde(default)]
    pub idempotency: Option<Idempotency>,
}

/// A mapped operation's fields by name (JSON Pointers), as the adapter reads an answer.
pub type FieldMap = std::collections::BTreeMap<String, String>;

impl<F: Serialize> Operation<F> {
    /// The same operation with its fields by name; optional fields not given are left out.
    pub fn by_name(&self) -> Operation<FieldMap> {
        let fields = match serde_json::to_value(&self.fields) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) if !s.is_empty() => Some((k, s)),
                    _ => None,
                })
                .collect(),
            _ => FieldMap::new(),
        };
        Operation {
            method: self.method,
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            fields,
            idempotency: self.idempotency,
        }
    }
}

/// Where an availability answer keeps its items and what each says.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityFields {
    /// The list of items.
    pub items: String,
    /// In each item: its SKU (or GTIN), its quantity on hand.
    pub sku: String,
    pub quantity: String,
    /// Optional: the quantity already promised (subtracted), working days to deliver.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reserved: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub delivery_days: String,
}

/// Where a stock-changes answer keeps its items, and how it pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StockChangesFields {
    pub items: String,
    pub sku: String,
    pub quantity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reserved: String,
    /// Optional: each item's change time (the newest becomes the next cursor).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub updated_at: String,
    /// Optional: the platform's own cursor for the next page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub next_cursor: String,
}

/// Where a created order's id (and, optionally, its status) is in the answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderFields {
    pub order_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

/// Where an order's status is in the answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusFields {
    pub status: String,
}

/// The HTTP methods a mapped operation may use.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    #[serde(alias = "get")]
    Get,
    #[serde(alias = "post")]
    Post,
    #[serde(alias = "put")]
    Put,
    #[serde(alias = "patch")]
    Patch,
}

/// Whether a platform recognises a repeated order.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Idempotency {
    /// The request carries the outbox's idempotency key; repeats are safe.
    #[default]
    Key,
    /// The platform has none: an uncertain attempt is never repeated automatically.
    None,
}

impl Mapped {
    /// The create_order operation's idempotency (the default when not said).
    pub fn order_idempotency(&self) -> Idempotency {
        self.create_order
            .as_ref()
            .and_then(|op| op.idempotency)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Warehouse {
    pub mode: WarehouseMode,
    /// The warehouse's base URL (remote and mapped modes; embedded mode picks its own).
    pub url: Url,
    pub token_env: String,
    pub token_file: PathBuf,
    #[serde(with = "Millis")]
    pub timeout_ms: Duration,
    #[serde(with = "Millis")]
    pub connect_timeout_ms: Duration,
    pub max_retries: u32,
    #[serde(with = "Millis")]
    pub retry_backoff_ms: Duration,
    #[serde(with = "Seconds")]
    pub availability_max_age_s: Duration,
    /// The embedded warehouse's own database (embedded mode only).
    pub embedded_db: PathBuf,
    #[serde(with = "Seconds")]
    pub sync_interval_s: Duration,
    pub page_size: u32,
    /// How to talk to an existing inventory API (mode = "mapped").
    pub mapped: Mapped,
}

impl Default for Warehouse {
    fn default() -> Self {
        Self {
            mode: WarehouseMode::Embedded,
            url: Url::parse("http://127.0.0.1:8700/").expect("a valid default URL"),
            token_env: "KIOSK_WAREHOUSE_TOKEN".into(),
            token_file: PathBuf::new(),
            timeout_ms: Duration::from_millis(3000),
            connect_timeout_ms: Duration::from_millis(1000),
            max_retries: 5,
            retry_backoff_ms: Duration::from_millis(250),
            availability_max_age_s: Duration::from_secs(300),
            embedded_db: "~/.local/state/kiosk/warehouse.sqlite3".into(),
            sync_interval_s: Duration::from_secs(300),
            page_size: 1000,
            mapped: Mapped::default(),
        }
    }
}

impl Warehouse {
    /// Timeouts, retries and the URL a remote warehouse needs.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let w = self;
        if w.mode != WarehouseMode::Embedded {
            issues.extend(check_http_url("warehouse.url", &w.url).err());
        }
        if !w.token_env.is_empty() && !w.token_file.as_os_str().is_empty() {
            issues.push(issue(
                "warehouse.token_file",
                "both token_env and token_file are set",
                "keep one: set token_env = \"\" to read the token from the file",
            ));
        }
        issues.extend(
            check_duration("warehouse.timeout_ms", w.timeout_ms, (100, 120_000), "ms").err(),
        );
        issues.extend(
            check_duration(
                "warehouse.connect_timeout_ms",
                w.connect_timeout_ms,
                (50, 60_000),
                "ms",
            )
            .err(),
        );
        if w.connect_timeout_ms > w.timeout_ms {
            issues.push(issue(
                "warehouse.connect_timeout_ms",
                format!(
                    "{} ms is longer than timeout_ms ({} ms), which includes it",
                    w.connect_timeout_ms.as_millis(),
                    w.timeout_ms.as_millis()
                ),
                "make connect_timeout_ms at most timeout_ms",
            ));
        }
        issues.extend(
            check_range(
                "warehouse.max_retries",
                u64::from(w.max_retries),
                0,
                20,
                "retries",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "warehouse.retry_backoff_ms",
                w.retry_backoff_ms,
                (10, 60_000),
                "ms",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "warehouse.availability_max_age_s",
                w.availability_max_age_s,
                (5, 86_400),
                "s",
            )
            .err(),
        );
        issues
    }
}
