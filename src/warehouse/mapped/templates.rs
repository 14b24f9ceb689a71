//! The mapped operations' request templates, compiled once when the config is loaded.
//!
//! Values are encoded for where they go, whatever the template says: in a JSON body every
//! `{{ value }}` is written as JSON (a string gets its quotes and escapes), in a URL every value
//! is percent-encoded (`base` excepted: it is the configured URL), and a header that would carry
//! a line break or another control character is refused. A variable the operation does not have
//! is an error when the config is loaded, never an empty or `null` value at run time: a typo in
//! `{{ idempotency_key }}` must not send two orders under one reference.

use std::collections::BTreeMap;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::{FieldMap, Mapped, Operation};

/// Everything in a URL part is encoded except the unreserved characters of RFC 3986 (and not
/// even `.`, so that a value cannot become a `..` path segment).
const URL_PART: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// The escape mode of URL templates (minijinja's own modes are HTML, JSON and none).
const URL_ESCAPE: AutoEscape = AutoEscape::Custom("url");

/// The operations a mapped platform is given, named in config keys and error messages as
/// [`Op::name`] says. An enum, so a misspelt operation is a compile error, not a lookup miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Availability,
    StockChanges,
    CreateOrder,
    OrderStatus,
}

impl Op {
    pub const ALL: [Op; 4] = [
        Op::Availability,
        Op::StockChanges,
        Op::CreateOrder,
        Op::OrderStatus,
    ];

    /// As in `[warehouse.mapped.NAME]`.
    pub fn name(self) -> &'static str {
        match self {
            Op::Availability => "availability",
            Op::StockChanges => "stock_changes",
            Op::CreateOrder => "create_order",
            Op::OrderStatus => "order_status",
        }
    }

    /// The variables of this operation's templates (besides [`COMMON_VARIABLES`]).
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Op::Availability => &["gtins", "skus"],
            Op::StockChanges => &["store_id", "cursor", "limit"],
            Op::CreateOrder => &["idempotency_key", "order", "lines"],
            Op::OrderStatus => &["order_id"],
        }
    }

    /// Its configuration with the fields by name, when the platform has this operation.
    pub fn config(self, mapped: &Mapped) -> Option<Operation<FieldMap>> {
        match self {
            Op::Availability => mapped.availability.as_ref().map(Operation::by_name),
            Op::StockChanges => mapped.stock_changes.as_ref().map(Operation::by_name),
            Op::CreateOrder => mapped.create_order.as_ref().map(Operation::by_name),
            Op::OrderStatus => mapped.order_status.as_ref().map(Operation::by_name),
        }
    }
}

/// Errors keep the operation by name.
impl From<Op> for String {
    fn from(op: Op) -> String {
        op.name().to_owned()
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Variables every operation's templates have.
pub const COMMON_VARIABLES: [&str; 2] = ["base", "token"];

/// minijinja's global functions, which a template may call without them being variables.
const GLOBALS: [&str; 4] = ["range", "dict", "namespace", "debug"];

/// A template fault found at load: the config key, the problem, the fix.
pub type Fault = (String, String, String);

/// The part of an operation a template fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    Url,
    Body,
    Header(&'a str),
}

impl Part<'_> {
    fn name(&self, operation: Op) -> String {
        match self {
            Part::Url => format!("{operation}.url"),
            Part::Body => format!("{operation}.body"),
            Part::Header(h) => format!("{operation}.headers.{h}"),
        }
    }

    /// The config key under `[warehouse.mapped.OPERATION]`.
    pub fn key(&self) -> String {
        match self {
            Part::Url => "url".into(),
            Part::Body => "body".into(),
            Part::Header(h) => format!("headers.{h}"),
        }
    }
}

/// The compiled templates of every configured operation.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".body") {
            AutoEscape::Json
        } else if name.ends_with(".url") {
            URL_ESCAPE
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == URL_ESCAPE && !value.is_safe() {
            let text = value.to_string();
            write!(out, "{}", utf8_percent_encode(&text, URL_PART)).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
            })
        } else if state.auto_escape() == URL_ESCAPE {
            write!(out, "{value}").map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
            })
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    // `urlencode` marks what it encodes as done, so a URL template that already says
    // `|urlencode` is not encoded twice.
    env.add_filter(
        "urlencode",
        |value: Value| -> Result<Value, minijinja::Error> {
            if value.as_str().is_some() {
                let text = value.as_str().unwrap_or_default().to_owned();
                Ok(Value::from_safe_string(
                    utf8_percent_encode(&text, URL_PART).to_string(),
                ))
            } else {
                minijinja::filters::urlencode(&value).map(Value::from_safe_string)
            }
        },
    );
    env
}

impl Templates {
    /// Compiles and checks every template of `config`: syntax, variables the operation does not
    /// have (named), a trial render with sample values, and a body that is JSON once rendered.
    pub fn compile(config: &Mapped) -> Result<Self, Fault> {
        let mut env = environment();
        for name in Op::ALL {
            let Some(op) = name.config(config) else {
                continue;
            };
            for (part, source) in parts(&op) {
                let key = format!("warehouse.mapped.{name}.{}", part.key());
                env.add_template_owned(part.name(name), source.to_owned())
                    .map_err(|e| {
                        (
                            key.clone(),
                            format!("the template does not parse: {}", e.detail().unwrap_or("")),
                            "write it as minijinja, e.g. {{ skus|join(\",\") }}".into(),
                        )
                    })?;
            }
        }
        let templates = Self { env };
        for name in Op::ALL {
            let Some(op) = name.config(config) else {
                continue;
            };
            let sample = sample_context(name);
            for (part, _) in parts(&op) {
                templates.check(name, part, &sample)?;
            }
        }
        Ok(templates)
    }

    fn check(&self, operation: Op, part: Part, sample: &serde_json::Value) -> Result<(), Fault> {
        let key = format!("warehouse.mapped.{operation}.{}", part.key());
        let known: Vec<&str> = COMMON_VARIABLES
            .iter()
            .chain(operation.variables())
            .copied()
            .collect();
        let fix = || {
            format!(
                "{operation} has these variables: {} (kiosk.toml's comments describe them)",
                known.join(", ")
            )
        };
        let template = self
            .env
            .get_template(&part.name(operation))
            .map_err(|e| (key.clone(), e.to_string(), fix()))?;
        let mut used: Vec<String> = template.undeclared_variables(true).into_iter().collect();
        used.sort();
        for path in &used {
            let top = path.split('.').next().unwrap_or_default();
            if GLOBALS.contains(&top) {
                continue;
            }
            if !known.contains(&top) || !resolves(sample, path) {
                return Err((
                    key,
                    format!("the template uses `{path}`, which {operation} does not have"),
                    fix(),
                ));
            }
        }
        let rendered = self
            .render(operation, part, &context_value(sample))
            .map_err(|e| (key.clone(), format!("the template fails: {e}"), fix()))?;
        if part == Part::Body
            && let Err(e) = serde_json::from_str::<serde_json::Value>(&rendered)
        {
            return Err((
                key,
                format!("the body is not JSON once filled in ({e})"),
                "write values bare, {{ order.ship_to.name }}, not in quotes: they are written \
                 as JSON for you (strings get their quotes and escapes)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Fills one template. `context` comes from [`context_value`].
    pub fn render(&self, operation: Op, part: Part, context: &Value) -> Result<String, String> {
        let template = self
            .env
            .get_template(&part.name(operation))
            .map_err(|e| e.to_string())?;
        template.render(context).map_err(|e| {
            let line = e.line().map(|l| format!(" (line {l})")).unwrap_or_default();
            format!("{}{line}", e.detail().unwrap_or("undefined value"))
        })
    }

    /// Whether `operation`'s templates use `variable` anywhere.
    pub fn uses(&self, config: &Mapped, operation_name: Op, variable: &str) -> bool {
        let Some(op) = operation_name.config(config) else {
            return false;
        };
        parts(&op).iter().any(|(part, _)| {
            self.env
                .get_template(&part.name(operation_name))
                .is_ok_and(|t| t.undeclared_variables(false).contains(variable))
        })
    }
}

/// The templates of one operation: URL, body (if any), each header.
fn parts(op: &Operation<FieldMap>) -> Vec<(Part<'_>, &str)> {
    let mut parts = vec![(Part::Url, op.url.as_str())];
    if !op.body.trim().is_empty() {
        parts.push((Part::Body, op.body.as_str()));
    }
    parts.extend(
        op.headers
            .iter()
            .map(|(h, t)| (Part::Header(h), t.as_str())),
    );
    parts
}

/// Whether a dotted path (`order.ship_to.name`) names something in `sample`.
fn resolves(sample: &serde_json::Value, path: &str) -> bool {
    let mut at = sample;
    for segment in path.split('.') {
        match at.get(segment) {
            Some(next) => at = next,
            None => return false,
        }
    }
    true
}

/// A template context from JSON: `base` is the configured URL and is never encoded again.
pub fn context_value(context: &serde_json::Value) -> Value {
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(object) = context.as_object() {
        for (k, v) in object {
            let value = match (k.as_str(), v.as_str()) {
                ("base", Some(base)) => Value::from_safe_string(base.to_owned()),
                _ => Value::from_serialize(v),
            };
            map.insert(k.clone(), value);
        }
    }
    Value::from(map)
}

/// Sample values for the load-time trial render: every field filled, as at run time.
fn sample_context(operation: Op) -> serde_json::Value {
    use crate::warehouse::protocol::{Address, Contact, OrderLine, OrderRequest};
    let order = OrderRequest {
        store_id: "store-1".into(),
        kiosk_order_id: "K-ABCD-EFGH".into(),
        lines: vec![OrderLine {
            gtin: "04012345001013".into(),
            quantity: 1,
            unit_price_cents: 8999,
        }],
        currency: "EUR".into(),
        shipping_cents: 0,
        ship_to: Address {
            name: "Sample Name".into(),
            line1: "Sample Street 1".into(),
            line2: "Floor 2".into(),
            postal_code: "10115".into(),
            city: "Berlin".into(),
            country: "DE".into(),
        },
        contact: Contact {
            email: "sample@example.com".into(),
            phone: "+49 30 1234567".into(),
        },
        fulfilment: Default::default(),
    };
    let mut context = serde_json::json!({
        "base": "https://warehouse.example.com/",
        "token": "sample-token",
    });
    let extra = match operation {
        Op::Availability => serde_json::json!({
            "gtins": ["04012345001013", "04012345001020"],
            "skus": ["sku-1", "sku-2"],
        }),
        Op::StockChanges => serde_json::json!({
            "store_id": "store-1", "cursor": "", "limit": 100,
        }),
        Op::CreateOrder => serde_json::json!({
            "idempotency_key": "0b9f3c1e-5d7a-4c1e-9f2b-6a8d4e2c1b3a",
            "order": order,
            "lines": [{"gtin": "04012345001013", "sku": "sku-1", "quantity": 1,
                       "unit_price_cents": 8999}],
        }),
        Op::OrderStatus => serde_json::json!({"order_id": "1001"}),
    };
    if let (Some(all), Some(more)) = (context.as_object_mut(), extra.as_object()) {
        all.extend(more.clone());
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(op: Operation<crate::config::CreateOrderFields>) -> Mapped {
        Mapped {
            availability: Some(Operation {
                url: "{{ base }}stock?ids={{ skus|join(',') }}".into(),
                fields: crate::config::AvailabilityFields {
                    items: "/i".into(),
                    sku: "/s".into(),
                    quantity: "/q".into(),
                    ..Default::default()
                },
                ..Operation::default()
            }),
            create_order: Some(op),
            ..Mapped::default()
        }
    }

    fn order_op(body: &str) -> Operation<crate::config::CreateOrderFields> {
        Operation {
            method: crate::config::HttpMethod::Post,
            url: "{{ base }}orders".into(),
            headers: [(
                "Idempotency-Key".to_owned(),
                "{{ idempotency_key }}".to_owned(),
            )]
            .into(),
            body: body.into(),
            ..Operation::default()
        }
    }

    #[test]
    fn a_misspelt_variable_is_refused_at_load_and_named() {
        let (key, problem, fix) = Templates::compile(&mapped(order_op(
            r#"{"ref": {{ idempotency_kye }}, "name": {{ order.ship_to.name }}}"#,
        )))
        .unwrap_err();
        assert_eq!(key, "warehouse.mapped.create_order.body");
        assert!(problem.contains("`idempotency_kye`"), "{problem}");
        assert!(fix.contains("idempotency_key"), "{fix}");

        let (_, problem, _) =
            Templates::compile(&mapped(order_op(r#"{"name": {{ order.ship_to.nmae }}}"#)))
                .unwrap_err();
        assert!(problem.contains("`order.ship_to.nmae`"), "{problem}");
    }

    #[test]
    fn body_values_are_json_encoded_without_being_asked() {
        let templates = Templates::compile(&mapped(order_op(
            r#"{"name": {{ order.ship_to.name }}, "qty": {{ lines[0].quantity }}, "n": {{ order.ship_to.name|tojson }}}"#,
        )))
        .unwrap();
        let mut context = sample_context(Op::CreateOrder);
        context["order"]["ship_to"]["name"] = "Zoë \"Z\" O'Neil\n\u{1b}[31m".into();
        let body = templates
            .render(Op::CreateOrder, Part::Body, &context_value(&context))
            .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["name"], "Zoë \"Z\" O'Neil\n\u{1b}[31m");
        assert_eq!(parsed["n"], parsed["name"]);
        assert_eq!(parsed["qty"], 1);
    }

    #[test]
    fn a_quoted_value_in_a_body_is_refused_at_load() {
        let (key, problem, _) =
            Templates::compile(&mapped(order_op(r#"{"name": "{{ order.ship_to.name }}"}"#)))
                .unwrap_err();
        assert_eq!(key, "warehouse.mapped.create_order.body");
        assert!(problem.contains("not JSON"), "{problem}");
    }

    #[test]
    fn url_values_are_percent_encoded_once() {
        let mut config = mapped(order_op(r#"{"k": {{ idempotency_key }}}"#));
        config.order_status = Some(Operation {
            url: "{{ base }}orders/{{ order_id }}.json?x={{ order_id|urlencode }}".into(),
            fields: crate::config::OrderStatusFields {
                status: "/s".into(),
            },
            ..Operation::default()
        });
        let templates = Templates::compile(&config).unwrap();
        let context = serde_json::json!({
            "base": "https://shop.example/api/", "token": "t", "order_id": "../a b/&c=1",
        });
        let url = templates
            .render(Op::OrderStatus, Part::Url, &context_value(&context))
            .unwrap();
        assert_eq!(
            url,
            "https://shop.example/api/orders/%2E%2E%2Fa%20b%2F%26c%3D1.json?x=%2E%2E%2Fa%20b%2F%26c%3D1"
        );
    }

    #[test]
    fn which_variables_an_operation_uses() {
        let config = mapped(order_op(r#"{"a": 1}"#));
        let templates = Templates::compile(&config).unwrap();
        assert!(templates.uses(&config, Op::CreateOrder, "idempotency_key"));
        assert!(!templates.uses(&config, Op::Availability, "idempotency_key"));
    }
}
