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
use crate::config::{Idempotency, Mapped, Operation};

mod templates;

pub use templates::{COMMON_VARIABLES, Op};
use templates::{Fault, Part, Templates};

/// The fields each operation must map, and those it may.
fn fields_of(operation: Op) -> (&'static [&'static str], &'static [&'static str]) {
    match operation {
        Op::Availability => (
            &["items", "sku", "quantity"],
            &["reserved", "delivery_days"],
        ),
        Op::StockChanges => (
            &["items", "sku", "quantity"],
            &["reserved", "updated_at", "next_cursor"],
        ),
        Op::CreateOrder => (&["order_id"], &["status"]),
        Op::OrderStatus => (&["status"], &[]),
    }
}

/// Checks a mapping when the config is loaded: `(key, problem, fix)` for the first fault.
pub fn check_config(config: &Mapped) -> Result<(), Fault> {
    check(config).map(|_| ())
}

/// The config's rules about a mapped warehouse (templates compile and use only variables the
/// operation has, statuses are known, ...), as config issues; none in the other modes.
pub fn config_issues(config: &crate::config::Config) -> Vec<crate::config::Issue> {
    if config.warehouse.mode != crate::config::WarehouseMode::Mapped {
        return Vec::new();
    }
    match check_config(&config.warehouse.mapped) {
        Ok(()) => Vec::new(),
        Err((key, problem, fix)) => vec![crate::config::Issue {
            key: key.into(),
            problem,
            fix,
        }],
    }
}

/// [`check_config`], keeping the compiled templates.
fn check(config: &Mapped) -> Result<Templates, Fault> {
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
    for name in Op::ALL {
        let Some(op) = name.config(config) else {
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
        if op.url.is_empty() {
            return Err((key("url"), "no URL".into(), "give the URL template".into()));
        }
        if op.idempotency.is_some() && name != Op::CreateOrder {
            return Err((
                key("idempotency"),
                "only create_order has an idempotency setting".into(),
                "remove the line".into(),
            ));
        }
        if let Some(header) = op
            .headers
            .keys()
            .find(|h| reqwest::header::HeaderName::from_bytes(h.as_bytes()).is_err())
        {
            return Err((
                key(&format!("headers.{header}")),
                format!("{header:?} is not a header name"),
                "use letters, digits and '-', e.g. X-Api-Key".into(),
            ));
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
    let templates = Templates::compile(config)?;
    if config.create_order.is_some()
        && config.order_idempotency() == Idempotency::Key
        && !templates.uses(config, Op::CreateOrder, "idempotency_key")
    {
        return Err((
            "warehouse.mapped.create_order".into(),
            "the order request carries no idempotency key, so a retry after a timeout could \
             order twice"
                .into(),
            "send {{ idempotency_key }} where the platform takes one (a header such as \
             Idempotency-Key, or a reference field it keeps unique), or, if it has none, set \
             idempotency = \"none\": an order whose fate is unknown then waits for a manager \
             instead of being sent again"
                .into(),
        ));
    }
    Ok(templates)
}

/// A mapping ready to use: the operations, their compiled templates, the GTIN↔SKU table, the
/// store's currency.
#[derive(Debug)]
pub struct Mapping {
    config: Mapped,
    templates: Templates,
    sku_of: HashMap<String, String>,
    gtin_of: HashMap<String, String>,
    currency: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingConfigError {
    #[error("{path}: {message}")]
    SkuMap { path: String, message: String },
    #[error("[{}] {}: {}", .0.0, .0.1, .0.2)]
    Config(Fault),
}

impl Mapping {
    pub fn new(
        config: &Mapped,
        sku_map: Option<&Path>,
        currency: &str,
    ) -> Result<Self, MappingConfigError> {
        let templates = check(config).map_err(MappingConfigError::Config)?;
        let mut sku_of = HashMap::new();
        let mut gtin_of = HashMap::new();
        if let Some(path) = sku_map {
            let fail = |message: String| MappingConfigError::SkuMap {
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
            templates,
            sku_of,
            gtin_of,
            currency: currency.to_owned(),
        })
    }

    /// Whether the platform recognises a repeated order (the request carries the outbox's
    /// idempotency key): only then may an attempt whose outcome is unknown be sent again.
    pub fn orders_are_idempotent(&self) -> bool {
        self.config.order_idempotency() == Idempotency::Key
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

/// A mapped API's answer that does not fit the mapping (or a request that cannot be made):
/// which operation, where, what, and the answer's shape. Never the answer's values: a
/// platform's answer to an order may echo the shopper's name and address, and this text is
/// logged and kept with the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub operation: String,
    pub path: String,
    pub problem: String,
    /// The answer's keys and kinds of value (`{"levels": [{"available": text}]}`), or "".
    pub shape: String,
    /// The platform answered (2xx) before this went wrong: it may have acted on the request.
    pub answered: bool,
}

impl MappingError {
    /// The client error for a request that could not be made (nothing was sent).
    pub fn error(
        operation: impl Into<String>,
        path: impl Into<String>,
        problem: impl Into<String>,
    ) -> ClientError {
        ClientError::Mapping(Box::new(Self {
            operation: operation.into(),
            path: path.into(),
            problem: problem.into(),
            shape: String::new(),
            answered: false,
        }))
    }
}

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.operation)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.problem)?;
        if !self.shape.is_empty() {
            write!(f, " — the answer's shape: {}", self.shape)?;
        }
        Ok(())
    }
}

/// An answer's structure without its values: keys, and the kind of each value; lists show
/// their first item. Cut at 240 characters.
pub fn shape(whole: &Value) -> String {
    fn walk(value: &Value, out: &mut String, depth: usize) {
        if out.len() > 240 {
            return;
        }
        match value {
            Value::Object(map) if depth < 6 => {
                out.push('{');
                for (i, (key, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let key: String = key.chars().filter(|c| !c.is_control()).take(40).collect();
                    out.push_str(&format!("{key:?}: "));
                    walk(v, out, depth + 1);
                    if out.len() > 240 {
                        return;
                    }
                }
                out.push('}');
            }
            Value::Array(items) if depth < 6 => {
                out.push('[');
                if let Some(first) = items.first() {
                    walk(first, out, depth + 1);
                    if items.len() > 1 {
                        out.push_str(", …");
                    }
                }
                out.push(']');
            }
            other => out.push_str(kind(other)),
        }
    }
    let mut out = String::new();
    walk(whole, &mut out, 0);
    if out.len() > 240 {
        let cut: String = out.chars().take(240).collect();
        return format!("{cut}…");
    }
    out
}

/// Reads fields of one operation's answer, with errors that say where.
struct Reader<'a> {
    operation: Op,
    fields: &'a std::collections::BTreeMap<String, String>,
    whole: &'a Value,
}

impl<'a> Reader<'a> {
    fn error(&self, path: &str, problem: impl Into<String>) -> ClientError {
        ClientError::Mapping(Box::new(MappingError {
            operation: self.operation.into(),
            path: path.to_owned(),
            problem: problem.into(),
            shape: shape(self.whole),
            answered: true,
        }))
    }

    /// A value found where something else was expected, for an error text: shown only in
    /// answers to requests that carry no shopper data (an order's answer may echo it).
    fn found(&self, value: &Value) -> String {
        let text = match value {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        };
        if self.operation == Op::CreateOrder || text.chars().count() > 40 {
            kind(value).to_owned()
        } else {
            text
        }
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
            other => Err(self.error(
                path,
                format!("expected text or a number, found {}", self.found(other)),
            )),
        }
    }

    fn count(&self, value: &Value, path: &str) -> Result<u64, ClientError> {
        match value {
            Value::Number(n) => n
                .as_u64()
                .or_else(|| n.as_i64().map(|i| i.max(0) as u64))
                .ok_or_else(|| {
                    self.error(
                        path,
                        format!("expected a whole number, found {}", self.found(value)),
                    )
                }),
            Value::String(s) => s.trim().parse().map_err(|_| {
                self.error(
                    path,
                    format!("expected a whole number, found {}", self.found(value)),
                )
            }),
            other => Err(self.error(
                path,
                format!("expected a whole number, found {}", self.found(other)),
            )),
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
    /// Renders and sends one mapped operation (`context`: its own variables; `base` and
    /// `token` are added); the answer as JSON.
    async fn mapped_call(
        &self,
        name: Op,
        context: Value,
        retries: usize,
    ) -> Result<(Value, &Operation), ClientError> {
        let mapping = self.mapping().ok_or_else(|| not_mapped(name))?;
        let op = name
            .config(&mapping.config)
            .ok_or_else(|| not_mapped(name))?;
        // The variables every operation has.
        let mut context = context;
        if let Some(vars) = context.as_object_mut() {
            vars.insert("base".into(), self.base_url().as_str().into());
            vars.insert("token".into(), self.token().unwrap_or_default().into());
        }
        let context = templates::context_value(&context);
        // Errors here name the part but never the rendered text: it may hold shopper data.
        let render = |part: Part| {
            mapping.templates.render(name, part, &context).map_err(|e| {
                MappingError::error(name, part.key(), format!("the template failed: {e}"))
            })
        };
        let url = render(Part::Url)?;
        let url = reqwest::Url::parse(&url).map_err(|e| {
            MappingError::error(name, "url", format!("the filled-in URL is not a URL ({e})"))
        })?;
        let mut headers = reqwest::header::HeaderMap::new();
        for header in op.headers.keys() {
            let value = render(Part::Header(header))?;
            let name_ok = reqwest::header::HeaderName::from_bytes(header.as_bytes());
            let value_ok = reqwest::header::HeaderValue::from_str(&value);
            match (name_ok, value_ok) {
                (Ok(n), Ok(v)) => {
                    headers.insert(n, v);
                }
                _ => {
                    return Err(MappingError::error(
                        name,
                        format!("headers.{header}"),
                        "the filled-in value has a line break or another character a header \
                         cannot carry; the request was not sent",
                    ));
                }
            }
        }
        let body = if op.body.trim().is_empty() {
            None
        } else {
            Some(render(Part::Body)?)
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
        let mapping = self.mapping().ok_or_else(|| not_mapped(Op::Availability))?;
        let skus: Vec<String> = gtins.iter().map(|g| mapping.sku(g)).collect();
        let context = serde_json::json!({
            "gtins": gtins,
            "skus": skus,
        });
        let retries = self.options().max_retries.min(1);
        let (answer, op) = self.mapped_call(Op::Availability, context, retries).await?;
        let (quantity, days) = read_availability(mapping, op, &answer)?;
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
                        let span = jiff::Span::new().try_days(i64::from(d)).ok()?;
                        today.checked_add(span).ok().map(|date| date.to_string())
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
        let mapping = self.mapping().ok_or_else(|| not_mapped(Op::StockChanges))?;
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
            "store_id": store_id,
            "cursor": cursor,
            "limit": limit,
        });
        let retries = self.options().max_retries;
        let (answer, op) = self.mapped_call(Op::StockChanges, context, retries).await?;
        let reader = Reader {
            operation: Op::StockChanges,
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
        let mapping = self.mapping().ok_or_else(|| not_mapped(Op::CreateOrder))?;
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
            "idempotency_key": idempotency_key,
            "order": order,
            "lines": lines,
        });
        // Without an idempotency key in the request a retry could order twice: one attempt, and
        // the outbox holds an uncertain one for a manager (see orders::send_due).
        let retries = if mapping.orders_are_idempotent() {
            self.options().max_retries
        } else {
            0
        };
        let (answer, op) = self.mapped_call(Op::CreateOrder, context, retries).await?;
        let reader = Reader {
            operation: Op::CreateOrder,
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
            total_cents: order.total_cents().unwrap_or(i64::MAX),
            currency: order.currency.clone(),
        })
    }

    pub(super) async fn mapped_order_status(
        &self,
        order_id: &str,
    ) -> Result<OrderResponse, ClientError> {
        let context = serde_json::json!({
            "order_id": order_id,
        });
        let retries = self.options().max_retries;
        let (answer, op) = self.mapped_call(Op::OrderStatus, context, retries).await?;
        let reader = Reader {
            operation: Op::OrderStatus,
            fields: &op.fields,
            whole: &answer,
        };
        // Some platforms say nothing (null) until an order moves: that is "confirmed".
        let status = match answer.pointer(&op.fields["status"]) {
            None | Some(Value::Null) => String::new(),
            Some(v) => reader.text(v, &op.fields["status"])?,
        };
        let mapping = self.mapping().ok_or_else(|| not_mapped(Op::OrderStatus))?;
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

/// Counts per GTIN (summed over items: the same SKU at several locations) and delivery days,
/// from an availability answer.
type Counts = (HashMap<String, u64>, HashMap<String, u32>);

fn read_availability(
    mapping: &Mapping,
    op: &Operation,
    answer: &Value,
) -> Result<Counts, ClientError> {
    let reader = Reader {
        operation: Op::Availability,
        fields: &op.fields,
        whole: answer,
    };
    let items_pointer = op.fields.get("items").map(String::as_str).unwrap_or("");
    let mut quantity: HashMap<String, u64> = HashMap::new();
    let mut days: HashMap<String, u32> = HashMap::new();
    for (i, item) in reader.items()?.iter().enumerate() {
        let base = format!("{items_pointer}/{i}");
        let sku = reader.text(reader.required(item, &base, "sku")?, &reader.path(i, "sku"))?;
        let Some(gtin) = mapping.gtin(&sku) else {
            continue;
        };
        let count = quantity.entry(gtin.clone()).or_default();
        *count = count.saturating_add(reader.available(item, i)?);
        if let Some(d) = reader.at(item, &base, "delivery_days")? {
            let d = reader.count(d, &reader.path(i, "delivery_days"))?;
            days.insert(gtin, d.min(365) as u32);
        }
    }
    Ok((quantity, days))
}

/// Reads `answer` as the Saleor-like example maps availability and stock changes; for the
/// fuzz target (`fuzz/`): whatever the bytes, this must return, never panic.
#[doc(hidden)]
pub fn read_answer_for_fuzzing(answer: &[u8]) {
    let Ok(answer) = serde_json::from_slice::<Value>(answer) else {
        return;
    };
    let fields: std::collections::BTreeMap<String, String> = [
        ("items", "/data/edges"),
        ("sku", "/node/sku"),
        ("quantity", "/node/stocks/0/quantity"),
        ("reserved", "/node/stocks/0/quantityAllocated"),
        ("delivery_days", "/node/days"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let op = Operation {
        url: "{{ base }}".into(),
        fields,
        ..Operation::default()
    };
    let config = Mapped {
        availability: Some(op.clone()),
        ..Mapped::default()
    };
    let Ok(mapping) = Mapping::new(&config, None, "EUR") else {
        return;
    };
    let _ = read_availability(&mapping, &op, &answer).map(|r| r.0.len());
    let reader = Reader {
        operation: Op::CreateOrder,
        fields: &op.fields,
        whole: &answer,
    };
    if let Ok(items) = reader.items() {
        for (i, item) in items.iter().enumerate() {
            let _ = reader.available(item, i).map_err(|e| e.to_string());
        }
    }
    let _ = shape(&answer);
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

fn not_mapped(operation: Op) -> ClientError {
    MappingError::error(
        operation,
        String::new(),
        format!("[warehouse.mapped.{operation}] is not configured"),
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
            operation: Op::Availability,
            fields: &fields,
            whole: &answer,
        };
        let items = reader.items().unwrap();
        assert_eq!(reader.available(&items[0], 0).unwrap(), 4);
        assert_eq!(reader.available(&items[1], 1).unwrap(), 0);

        let nowhere = serde_json::json!({"edges": [{"node": {"sku": "a", "stock": 5}}]});
        let reader = Reader {
            operation: Op::Availability,
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
            availability: Some(Operation {
                url: "{{ base }}stock".into(),
                fields: saleor_fields(),
                ..Operation::default()
            }),
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
