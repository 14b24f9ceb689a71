//! The mapped adapter: the kiosk's warehouse operations (availability, store stock changes,
//! create order, order status) carried out against an existing inventory API that
//! `[warehouse.mapped]` describes — method, URL, headers and body templates, and JSON Pointers
//! to the fields of the answer. Requests go through the same client (timeouts, retries,
//! circuit breaker) as the kiosk's own protocol.

use std::collections::HashMap;
use std::path::Path;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::ClientError;
use super::client::WarehouseClient;
use super::protocol::{
    Availability, AvailabilityResponse, CatalogPage, OrderRequest, OrderResponse, OrderState,
    StockPage, StockRecord,
};
use crate::config::{Mapped, Operation};

/// The operations, by the name used in config keys and error messages.
const OPERATIONS: [&str; 4] = [
    "availability",
    "stock_changes",
    "create_order",
    "order_status",
];

/// The fields each operation must map, and those it may.
fn fields_of(operation: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match operation {
        "availability" => (
            &["items", "sku", "quantity"],
            &["reserved", "delivery_days"],
        ),
        "stock_changes" => (
            &["items", "sku", "quantity"],
            &["reserved", "updated_at", "next_cursor"],
        ),
        "create_order" => (&["order_id"], &["status"]),
        "order_status" => (&["status"], &[]),
        _ => (&[], &[]),
    }
}

fn operation<'a>(config: &'a Mapped, name: &str) -> Option<&'a Operation> {
    match name {
        "availability" => config.availability.as_ref(),
        "stock_changes" => config.stock_changes.as_ref(),
        "create_order" => config.create_order.as_ref(),
        "order_status" => config.order_status.as_ref(),
        _ => None,
    }
}

/// Checks a mapping when the config is loaded: `(key, problem, fix)` for the first fault.
pub fn check_config(config: &Mapped) -> Result<(), (String, String, String)> {
    if let Some(unknown) = config
        .statuses
        .keys()
        .find(|k| order_state_named(k).is_none())
    {
        return Err((
            format!("warehouse.mapped.statuses.{unknown}"),
            format!("the kiosk has no order status {unknown:?}"),
            "use confirmed, shipped, delivered or cancelled".into(),
        ));
    }
    if config.availability.is_none() {
        return Err((
            "warehouse.mapped.availability".into(),
            "a mapped warehouse needs at least the availability operation".into(),
            "add [warehouse.mapped.availability] (see docs/examples/)".into(),
        ));
    }
    let env = minijinja::Environment::new();
    for name in OPERATIONS {
        let Some(op) = operation(config, name) else {
            continue;
        };
        let key = |rest: &str| format!("warehouse.mapped.{name}.{rest}");
        if !["", "GET", "POST", "PUT", "PATCH"].contains(&op.method.to_ascii_uppercase().as_str()) {
            return Err((
                key("method"),
                format!("{:?} is not a method the kiosk uses", op.method),
                "use GET, POST, PUT or PATCH".into(),
            ));
        }
        let templates = [("url", &op.url), ("body", &op.body)]
            .into_iter()
            .map(|(k, t)| (k.to_owned(), t))
            .chain(op.headers.iter().map(|(h, t)| (format!("headers.{h}"), t)));
        for (field, template) in templates {
            if let Err(e) = env.template_from_str(template) {
                return Err((
                    key(&field),
                    format!("the template does not parse: {e}"),
                    "write it as minijinja, e.g. {{ skus|join(\",\") }}".into(),
                ));
            }
        }
        if op.url.is_empty() {
            return Err((key("url"), "no URL".into(), "give the URL template".into()));
        }
        let (required, optional) = fields_of(name);
        for field in required {
            if !op.fields.contains_key(*field) {
                return Err((
                    key(&format!("fields.{field}")),
                    format!("{name} needs to know where `{field}` is in the answer"),
                    "give a JSON Pointer such as \"/items\"".into(),
                ));
            }
        }
        for (field, pointer) in &op.fields {
            if !required.contains(&field.as_str()) && !optional.contains(&field.as_str()) {
                let mut known: Vec<&str> = required.to_vec();
                known.extend(optional);
                return Err((
                    key(&format!("fields.{field}")),
                    format!("{name} has no field `{field}`"),
                    format!("use one of: {}", known.join(", ")),
                ));
            }
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return Err((
                    key(&format!("fields.{field}")),
                    format!("{pointer:?} is not a JSON Pointer"),
                    "start it with \"/\", e.g. \"/inventory_levels\"".into(),
                ));
            }
        }
    }
    Ok(())
}

/// A mapping ready to use: the operations, the GTIN↔SKU table, the store's currency.
#[derive(Debug)]
pub struct Mapping {
    config: Mapped,
    sku_of: HashMap<String, String>,
    gtin_of: HashMap<String, String>,
    currency: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SkuMapError {
    pub path: String,
    pub message: String,
}

impl Mapping {
    pub fn new(
        config: &Mapped,
        sku_map: Option<&Path>,
        currency: &str,
    ) -> Result<Self, SkuMapError> {
        let mut sku_of = HashMap::new();
        let mut gtin_of = HashMap::new();
        if let Some(path) = sku_map {
            let fail = |message: String| SkuMapError {
                path: path.display().to_string(),
                message,
            };
            let mut reader = csv::Reader::from_path(path).map_err(|e| fail(e.to_string()))?;
            for (i, row) in reader.records().enumerate() {
                let row = row.map_err(|e| fail(e.to_string()))?;
                let line = i + 2;
                let (Some(gtin), Some(sku)) = (row.get(0), row.get(1)) else {
                    return Err(fail(format!("line {line}: expected gtin,sku")));
                };
                let gtin: crate::barcode::Gtin = gtin
                    .trim()
                    .parse()
                    .map_err(|e| fail(format!("line {line}: {e}")))?;
                sku_of.insert(gtin.to_string(), sku.trim().to_owned());
                gtin_of.insert(sku.trim().to_owned(), gtin.to_string());
            }
        }
        Ok(Self {
            config: config.clone(),
            sku_of,
            gtin_of,
            currency: currency.to_owned(),
        })
    }

    fn sku(&self, gtin: &str) -> String {
        self.sku_of
            .get(gtin)
            .cloned()
            .unwrap_or_else(|| gtin.to_owned())
    }

    /// The catalog's GTIN for an API's SKU; without a table the API's ids are GTINs.
    fn gtin(&self, sku: &str) -> Option<String> {
        if self.sku_of.is_empty() {
            sku.parse::<crate::barcode::Gtin>()
                .ok()
                .map(|g| g.to_string())
        } else {
            self.gtin_of.get(sku).cloned()
        }
    }
}

/// A mapped API's answer that does not fit the mapping: which operation, where, what, and the
/// start of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub operation: String,
    pub path: String,
    pub problem: String,
    pub sample: String,
}

impl MappingError {
    /// The client error carrying this mapping error.
    pub fn error(
        operation: impl Into<String>,
        path: impl Into<String>,
        problem: impl Into<String>,
        sample: impl Into<String>,
    ) -> ClientError {
        ClientError::Mapping(Box::new(Self {
            operation: operation.into(),
            path: path.into(),
            problem: problem.into(),
            sample: sample.into(),
        }))
    }
}

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.operation, self.path, self.problem)?;
        if !self.sample.is_empty() {
            write!(f, " — the answer began: {}", self.sample)?;
        }
        Ok(())
    }
}

/// The part of an answer shown in mapping errors.
fn sample(whole: &Value) -> String {
    let text = whole.to_string();
    let mut cut: String = text.chars().take(240).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// Reads fields of one operation's answer, with errors that say where.
struct Reader<'a> {
    operation: &'static str,
    fields: &'a std::collections::BTreeMap<String, String>,
    whole: &'a Value,
}

impl<'a> Reader<'a> {
    fn error(&self, path: &str, problem: impl Into<String>) -> ClientError {
        MappingError::error(
            self.operation.to_owned(),
            path.to_owned(),
            problem.into(),
            sample(self.whole),
        )
    }

    /// The value at field `name` inside `within` (`base` is its pointer, for messages).
    fn at(
        &self,
        within: &'a Value,
        base: &str,
        name: &str,
    ) -> Result<Option<&'a Value>, ClientError> {
        let Some(pointer) = self.fields.get(name).filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        match within.pointer(pointer) {
            Some(Value::Null) | None => Err(self.error(&format!("{base}{pointer}"), "missing")),
            Some(value) => Ok(Some(value)),
        }
    }

    fn required(
        &self,
        within: &'a Value,
        base: &str,
        name: &str,
    ) -> Result<&'a Value, ClientError> {
        self.at(within, base, name)?
            .ok_or_else(|| self.error(base, format!("no pointer for `{name}`")))
    }

    fn text(&self, value: &Value, path: &str) -> Result<String, ClientError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(self.error(path, format!("expected text or a number, found {other}"))),
        }
    }

    fn count(&self, value: &Value, path: &str) -> Result<u64, ClientError> {
        match value {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_i64().map(|i| i.max(0) as u64))
                .ok_or_else(|| self.error(path, format!("expected a whole number, found {n}"))),
            Value::String(s) => s
                .trim()
                .parse()
                .map_err(|_| self.error(path, format!("expected a whole number, found {s:?}"))),
            other => Err(self.error(path, format!("expected a whole number, found {other}"))),
        }
    }

    fn items(&self) -> Result<&'a Vec<Value>, ClientError> {
        let pointer = self.fields.get("items").map(String::as_str).unwrap_or("");
        match self.whole.pointer(pointer) {
            Some(Value::Array(items)) => Ok(items),
            Some(other) => {
                Err(self.error(pointer, format!("expected a list, found {}", kind(other))))
            }
            None => Err(self.error(pointer, "missing")),
        }
    }

    fn path(&self, index: usize, name: &str) -> String {
        format!(
            "{}/{index}{}",
            self.fields.get("items").map(String::as_str).unwrap_or(""),
            self.fields.get(name).map(String::as_str).unwrap_or("")
        )
    }

    /// Quantity of item `i`: `quantity` minus `reserved` when mapped (stocked − reserved). An
    /// item without a count (a variant with no stock record there: `"stocks": []`) has none,
    /// provided the pointer finds a count in some other item of the answer; if it finds none
    /// anywhere, the pointer is wrong and that is an error.
    fn available(&self, item: &'a Value, index: usize) -> Result<u64, ClientError> {
        let quantity = self.count_or_none(item, index, "quantity")?;
        let reserved = self.count_or_none(item, index, "reserved")?;
        Ok(quantity.saturating_sub(reserved))
    }

    fn count_or_none(&self, item: &'a Value, index: usize, name: &str) -> Result<u64, ClientError> {
        let Some(pointer) = self.fields.get(name).filter(|p| !p.is_empty()) else {
            return Ok(0);
        };
        let path = self.path(index, name);
        match item.pointer(pointer) {
            Some(Value::Null) | None => {
                let found_elsewhere = self
                    .items()?
                    .iter()
                    .any(|other| other.pointer(pointer).is_some_and(|v| !v.is_null()));
                if found_elsewhere {
                    Ok(0)
                } else {
                    Err(self.error(&path, "missing in every item"))
                }
            }
            Some(value) => self.count(value, &path),
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[derive(Serialize)]
struct OrderLineContext {
    gtin: String,
    sku: String,
    quantity: u32,
    unit_price_cents: i64,
}

impl WarehouseClient {
    /// Renders and sends one mapped operation; the answer as JSON.
    async fn mapped_call(
        &self,
        name: &'static str,
        context: Value,
        retries: usize,
    ) -> Result<(Value, &Operation), ClientError> {
        let mapping = self.mapping().ok_or_else(|| not_mapped(name))?;
        let op = operation(&mapping.config, name).ok_or_else(|| not_mapped(name))?;
        let env = minijinja::Environment::new();
        let render = |what: &str, template: &str| {
            env.render_str(template, &context).map_err(|e| {
                MappingError::error(
                    name.to_owned(),
                    what.to_owned(),
                    format!("the template failed: {e}"),
                    "",
                )
            })
        };
        let url = render("url", &op.url)?;
        let url = reqwest::Url::parse(&url).map_err(|e| {
            MappingError::error(
                name.to_owned(),
                "url",
                format!("{url:?} is not a URL: {e}"),
                "",
            )
        })?;
        let mut headers = Vec::new();
        for (header, template) in &op.headers {
            headers.push((
                header.clone(),
                render(&format!("headers.{header}"), template)?,
            ));
        }
        let body = if op.body.trim().is_empty() {
            None
        } else {
            Some(render("body", &op.body)?)
        };
        let method = match op.method.to_ascii_uppercase().as_str() {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            _ => Method::GET,
        };
        let value = self.call_raw(retries, method, url, headers, body).await?;
        Ok((value, op))
    }

    pub(super) async fn mapped_availability(
        &self,
        gtins: Vec<String>,
    ) -> Result<AvailabilityResponse, ClientError> {
        let mapping = self.mapping().ok_or_else(|| not_mapped("availability"))?;
        let skus: Vec<String> = gtins.iter().map(|g| mapping.sku(g)).collect();
        let context = serde_json::json!({
            "base": self.base_url().as_str(),
            "token": self.token().unwrap_or_default(),
            "gtins": gtins,
            "skus": skus,
        });
        let retries = self.options().max_retries.min(1);
        let (answer, op) = self.mapped_call("availability", context, retries).await?;
        let reader = Reader {
            operation: "availability",
            fields: &op.fields,
            whole: &answer,
        };
        let mut quantity: HashMap<String, u64> = HashMap::new();
        let mut days: HashMap<String, u32> = HashMap::new();
        for (i, item) in reader.items()?.iter().enumerate() {
            let base = format!("{}/{i}", op.fields["items"]);
            let sku = reader.text(reader.required(item, &base, "sku")?, &reader.path(i, "sku"))?;
            let Some(gtin) = mapping.gtin(&sku) else {
                continue;
            };
            // The same item at several locations: the warehouse can ship from any.
            *quantity.entry(gtin.clone()).or_default() += reader.available(item, i)?;
            if let Some(d) = reader.at(item, &base, "delivery_days")? {
                days.insert(
                    gtin,
                    reader.count(d, &reader.path(i, "delivery_days"))? as u32,
                );
            }
        }
        let today = jiff::Zoned::now().date();
        let items = gtins
            .into_iter()
            .map(|gtin| {
                let q = quantity
                    .get(&gtin)
                    .copied()
                    .unwrap_or(0)
                    .min(u64::from(u32::MAX)) as u32;
                let d = (q > 0).then(|| {
                    days.get(&gtin)
                        .copied()
                        .unwrap_or(mapping.config.delivery_days)
                });
                Availability {
                    quantity: q,
                    delivery_days: d,
                    delivery_estimate: d.and_then(|d| {
                        today
                            .checked_add(jiff::Span::new().days(i64::from(d)))
                            .ok()
                            .map(|date| date.to_string())
                    }),
                    shipping_cents: mapping.config.shipping_cents,
                    currency: mapping.currency.clone(),
                    gtin,
                }
            })
            .collect();
        Ok(AvailabilityResponse {
            items,
            as_of: crate::db::now_rfc3339(),
        })
    }

    pub(super) async fn mapped_stock_changes(
        &self,
        store_id: &str,
        cursor: &str,
        limit: u32,
    ) -> Result<StockPage, ClientError> {
        let mapping = self.mapping().ok_or_else(|| not_mapped("stock_changes"))?;
        if mapping.config.stock_changes.is_none() {
            // Not mapped: the store's stock comes from the POS import only.
            return Ok(StockPage {
                items: Vec::new(),
                next_cursor: cursor.to_owned(),
                has_more: false,
                remaining: Some(0),
            });
        }
        let context = serde_json::json!({
            "base": self.base_url().as_str(),
            "token": self.token().unwrap_or_default(),
            "store_id": store_id,
            "cursor": cursor,
            "limit": limit,
        });
        let retries = self.options().max_retries;
        let (answer, op) = self.mapped_call("stock_changes", context, retries).await?;
        let reader = Reader {
            operation: "stock_changes",
            fields: &op.fields,
            whole: &answer,
        };
        let now = crate::db::now_rfc3339();
        let mut items = Vec::new();
        let mut newest = String::new();
        for (i, item) in reader.items()?.iter().enumerate() {
            let base = format!("{}/{i}", op.fields["items"]);
            let sku = reader.text(reader.required(item, &base, "sku")?, &reader.path(i, "sku"))?;
            let Some(gtin) = mapping.gtin(&sku) else {
                continue;
            };
            let quantity = reader.available(item, i)?.min(u64::from(u32::MAX)) as u32;
            let updated_at = match reader.at(item, &base, "updated_at")? {
                Some(v) => reader.text(v, &reader.path(i, "updated_at"))?,
                None => now.clone(),
            };
            if updated_at > newest {
                newest.clone_from(&updated_at);
            }
            items.push(StockRecord {
                gtin,
                quantity,
                updated_at,
            });
        }
        let paging = op.fields.get("next_cursor").filter(|p| !p.is_empty());
        let (next_cursor, has_more) = match paging {
            // The API pages: follow its cursor until it gives none (missing, null, "") or the
            // same one again.
            Some(pointer) => match answer.pointer(pointer) {
                None | Some(Value::Null) => (cursor.to_owned(), false),
                Some(v) => {
                    let next = reader.text(v, pointer)?;
                    if next.is_empty() || next == cursor {
                        (cursor.to_owned(), false)
                    } else {
                        (next, true)
                    }
                }
            },
            // No paging: next time, ask for what changed after the newest change seen.
            None if op.fields.contains_key("updated_at") && !newest.is_empty() => (newest, false),
            None => (cursor.to_owned(), false),
        };
        Ok(StockPage {
            items,
            next_cursor,
            has_more,
            remaining: None,
        })
    }

    pub(super) async fn mapped_create_order(
        &self,
        idempotency_key: &str,
        order: &OrderRequest,
    ) -> Result<OrderResponse, ClientError> {
        let mapping = self.mapping().ok_or_else(|| not_mapped("create_order"))?;
        let op =
            operation(&mapping.config, "create_order").ok_or_else(|| not_mapped("create_order"))?;
        let lines: Vec<OrderLineContext> = order
            .lines
            .iter()
            .map(|l| OrderLineContext {
                sku: mapping.sku(&l.gtin),
                gtin: l.gtin.clone(),
                quantity: l.quantity,
                unit_price_cents: l.unit_price_cents,
            })
            .collect();
        let context = serde_json::json!({
            "base": self.base_url().as_str(),
            "token": self.token().unwrap_or_default(),
            "idempotency_key": idempotency_key,
            "order": order,
            "lines": lines,
        });
        // Without an idempotency key in the request a retry could order twice: one attempt;
        // the outbox tries again later and the manager sees the error.
        let uses_key = op.body.contains("idempotency_key")
            || op.headers.values().any(|h| h.contains("idempotency_key"));
        let retries = if uses_key {
            self.options().max_retries
        } else {
            0
        };
        let (answer, op) = self.mapped_call("create_order", context, retries).await?;
        let reader = Reader {
            operation: "create_order",
            fields: &op.fields,
            whole: &answer,
        };
        let id = reader.text(
            reader.required(&answer, "", "order_id")?,
            &op.fields["order_id"],
        )?;
        let status = match reader.at(&answer, "", "status") {
            Ok(Some(Value::String(s))) => mapping.order_state(s),
            _ => OrderState::Confirmed,
        };
        Ok(OrderResponse {
            order_id: id,
            kiosk_order_id: order.kiosk_order_id.clone(),
            status,
            created_at: crate::db::now_rfc3339(),
            delivery_estimate: None,
            total_cents: order
                .lines
                .iter()
                .map(|l| l.unit_price_cents * i64::from(l.quantity))
                .sum::<i64>()
                + order.shipping_cents,
            currency: order.currency.clone(),
        })
    }

    pub(super) async fn mapped_order_status(
        &self,
        order_id: &str,
    ) -> Result<OrderResponse, ClientError> {
        let context = serde_json::json!({
            "base": self.base_url().as_str(),
            "token": self.token().unwrap_or_default(),
            "order_id": order_id,
        });
        let retries = self.options().max_retries;
        let (answer, op) = self.mapped_call("order_status", context, retries).await?;
        let reader = Reader {
            operation: "order_status",
            fields: &op.fields,
            whole: &answer,
        };
        // Some platforms say nothing (null) until an order moves: that is "confirmed".
        let status = match answer.pointer(&op.fields["status"]) {
            None | Some(Value::Null) => String::new(),
            Some(v) => reader.text(v, &op.fields["status"])?,
        };
        let mapping = self.mapping().ok_or_else(|| not_mapped("order_status"))?;
        Ok(OrderResponse {
            order_id: order_id.to_owned(),
            kiosk_order_id: String::new(),
            status: mapping.order_state(&status),
            created_at: String::new(),
            delivery_estimate: None,
            total_cents: 0,
            currency: String::new(),
        })
    }

    /// Mapped APIs have no catalog feed: the catalog comes from `kiosk import-catalog`.
    pub(super) fn mapped_catalog(&self, cursor: &str) -> CatalogPage {
        CatalogPage {
            styles: Vec::new(),
            variants: Vec::new(),
            next_cursor: cursor.to_owned(),
            has_more: false,
            remaining: Some(0),
        }
    }
}

fn order_state_named(name: &str) -> Option<OrderState> {
    match name {
        "confirmed" => Some(OrderState::Confirmed),
        "shipped" => Some(OrderState::Shipped),
        "delivered" => Some(OrderState::Delivered),
        "cancelled" => Some(OrderState::Cancelled),
        _ => None,
    }
}

impl Mapping {
    /// A platform's order status in the kiosk's words: the `statuses` table first, then
    /// [`order_state`].
    fn order_state(&self, status: &str) -> OrderState {
        self.config
            .statuses
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(status.trim())))
            .and_then(|(state, _)| order_state_named(state))
            .unwrap_or_else(|| order_state(status))
    }
}

/// A platform's order status read by its words: "cancel…" → cancelled, "deliver…" →
/// delivered, "unfulfilled"/"not shipped" → confirmed, "ship…"/"fulfil…" → shipped, anything
/// else (open, pending, paid) → confirmed.
pub fn order_state(status: &str) -> OrderState {
    let s = status.to_ascii_lowercase();
    if s.contains("unfulfil") || s.contains("unship") || s.contains("not_") || s.contains("not ") {
        OrderState::Confirmed
    } else if s.contains("cancel") {
        OrderState::Cancelled
    } else if s.contains("deliver") {
        OrderState::Delivered
    } else if s.contains("ship") || s.contains("fulfil") {
        OrderState::Shipped
    } else {
        OrderState::Confirmed
    }
}

fn not_mapped(operation: &str) -> ClientError {
    MappingError::error(
        operation.to_owned(),
        String::new(),
        format!("[warehouse.mapped.{operation}] is not configured"),
        "",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saleor_fields() -> std::collections::BTreeMap<String, String> {
        [
            ("items", "/edges"),
            ("sku", "/node/sku"),
            ("quantity", "/node/stocks/0/quantity"),
            ("reserved", "/node/stocks/0/quantityAllocated"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn an_item_without_a_stock_record_has_none_but_a_wrong_pointer_is_an_error() {
        let fields = saleor_fields();
        let answer = serde_json::json!({"edges": [
            {"node": {"sku": "a", "stocks": [{"quantity": 5, "quantityAllocated": 1}]}},
            {"node": {"sku": "b", "stocks": []}},
        ]});
        let reader = Reader {
            operation: "availability",
            fields: &fields,
            whole: &answer,
        };
        let items = reader.items().unwrap();
        assert_eq!(reader.available(&items[0], 0).unwrap(), 4);
        assert_eq!(reader.available(&items[1], 1).unwrap(), 0);

        let nowhere = serde_json::json!({"edges": [{"node": {"sku": "a", "stock": 5}}]});
        let reader = Reader {
            operation: "availability",
            fields: &fields,
            whole: &nowhere,
        };
        let error = reader
            .available(&reader.items().unwrap()[0], 0)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(
                "availability: /edges/0/node/stocks/0/quantity: missing in every item"
            ),
            "{error}"
        );
    }

    #[test]
    fn platform_statuses_read_by_their_words() {
        for (status, state) in [
            ("pending", OrderState::Confirmed),
            ("UNCONFIRMED", OrderState::Confirmed),
            ("UNFULFILLED", OrderState::Confirmed),
            ("fulfilled", OrderState::Shipped),
            ("PARTIALLY_FULFILLED", OrderState::Shipped),
            ("shipped", OrderState::Shipped),
            ("delivered", OrderState::Delivered),
            ("CANCELED", OrderState::Cancelled),
        ] {
            assert_eq!(order_state(status), state, "{status}");
        }
    }

    #[test]
    fn the_statuses_table_wins_over_the_words() {
        let config = Mapped {
            statuses: [("delivered".to_owned(), vec!["FULFILLED".to_owned()])].into(),
            ..Mapped::default()
        };
        let mapping = Mapping::new(&config, None, "EUR").unwrap();
        assert_eq!(mapping.order_state("fulfilled"), OrderState::Delivered);
        assert_eq!(mapping.order_state("CANCELED"), OrderState::Cancelled);
        let wrong = Mapped {
            statuses: [("lost".to_owned(), vec!["x".to_owned()])].into(),
            ..Mapped::default()
        };
        let (key, problem, _) = check_config(&wrong).unwrap_err();
        assert_eq!(key, "warehouse.mapped.statuses.lost");
        assert!(problem.contains("\"lost\""));
    }
}
