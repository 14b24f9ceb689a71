//! A loaded mapping: the compiled templates, the SKU map (the platform's item codes for the
//! kiosk's GTINs) and the platform's order statuses in the kiosk's words.

#![allow(clippy::wildcard_imports)]
use super::*;

/// A mapping ready to use: the operations, their compiled templates, the GTIN↔SKU table, the
/// store's currency.
#[derive(Debug)]
pub struct Mapping {
    pub(super) config: Mapped,
    /// Each operation the platform has, its fields by name, made once at load.
    pub(super) ops: HashMap<Op, Operation<FieldMap>>,
    pub(super) templates: Templates,
    pub(super) sku_of: HashMap<String, String>,
    pub(super) gtin_of: HashMap<String, String>,
    pub(super) currency: String,
}

#[derive(Debug, Clone, thiserror::Error)]
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
                let gtin: crate::domain::barcode::Gtin = gtin
                    .trim()
                    .parse()
                    .map_err(|e| fail(format!("line {line}: {e}")))?;
                sku_of.insert(gtin.to_string(), sku.trim().to_owned());
                gtin_of.insert(sku.trim().to_owned(), gtin.to_string());
            }
        }
        Ok(Self {
            config: config.clone(),
            ops: Op::ALL
                .into_iter()
                .filter_map(|name| Some((name, name.config(config)?)))
                .collect(),
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

    pub(super) fn sku(&self, gtin: &str) -> String {
        self.sku_of
            .get(gtin)
            .cloned()
            .unwrap_or_else(|| gtin.to_owned())
    }

    /// The catalog's GTIN for an API's SKU; without a table the API's ids are GTINs.
    pub(super) fn gtin(&self, sku: &str) -> Option<String> {
        if self.sku_of.is_empty() {
            sku.parse::<crate::domain::barcode::Gtin>()
                .ok()
                .map(|g| g.to_string())
        } else {
            self.gtin_of.get(sku).cloned()
        }
    }
}

impl Mapping {
    /// A platform's order status in the kiosk's words: the `statuses` table first, then
    /// [`order_state`].
    pub(super) fn order_state(&self, status: &str) -> OrderState {
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
