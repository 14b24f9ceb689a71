//! Reading a platform's answer through the mapping's JSON Pointers, and the errors that name
//! the operation, the path and the answer's shape — never its values.

#![allow(clippy::wildcard_imports)]
use super::*;

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
    pub(super) fn walk(value: &Value, out: &mut String, depth: usize) {
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
pub(super) struct Reader<'a> {
    pub(super) operation: Op,
    pub(super) fields: &'a std::collections::BTreeMap<String, String>,
    pub(super) whole: &'a Value,
}

impl<'a> Reader<'a> {
    pub(super) fn error(&self, path: &str, problem: impl Into<String>) -> ClientError {
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
    pub(super) fn found(&self, value: &Value) -> String {
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
    pub(super) fn at(
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

    pub(super) fn required(
        &self,
        within: &'a Value,
        base: &str,
        name: &str,
    ) -> Result<&'a Value, ClientError> {
        self.at(within, base, name)?
            .ok_or_else(|| self.error(base, format!("no pointer for `{name}`")))
    }

    pub(super) fn text(&self, value: &Value, path: &str) -> Result<String, ClientError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(self.error(
                path,
                format!("expected text or a number, found {}", self.found(other)),
            )),
        }
    }

    pub(super) fn count(&self, value: &Value, path: &str) -> Result<u64, ClientError> {
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

    pub(super) fn items(&self) -> Result<&'a Vec<Value>, ClientError> {
        let pointer = self.fields.get("items").map(String::as_str).unwrap_or("");
        match self.whole.pointer(pointer) {
            Some(Value::Array(items)) => Ok(items),
            Some(other) => {
                Err(self.error(pointer, format!("expected a list, found {}", kind(other))))
            }
            None => Err(self.error(pointer, "missing")),
        }
    }

    pub(super) fn path(&self, index: usize, name: &str) -> String {
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
    pub(super) fn available(&self, item: &'a Value, index: usize) -> Result<u64, ClientError> {
        let quantity = self.count_or_none(item, index, "quantity")?;
        let reserved = self.count_or_none(item, index, "reserved")?;
        Ok(quantity.saturating_sub(reserved))
    }

    pub(super) fn count_or_none(
        &self,
        item: &'a Value,
        index: usize,
        name: &str,
    ) -> Result<u64, ClientError> {
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

pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Counts per GTIN (summed over items: the same SKU at several locations) and delivery days,
/// from an availability answer.
pub(super) type Counts = (HashMap<String, u64>, HashMap<String, u32>);

pub(super) fn read_availability(
    mapping: &Mapping,
    op: &Operation<FieldMap>,
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
    let typed = Operation {
        url: "{{ base }}".into(),
        fields: crate::config::AvailabilityFields {
            items: "/data/edges".into(),
            sku: "/node/sku".into(),
            quantity: "/node/stocks/0/quantity".into(),
            reserved: "/node/stocks/0/quantityAllocated".into(),
            delivery_days: "/node/days".into(),
        },
        ..Operation::default()
    };
    let op = typed.by_name();
    let config = Mapped {
        availability: Some(typed),
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
