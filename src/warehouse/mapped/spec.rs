//! What a mapping must say, checked when the config is loaded: each field pointer's form,
//! known order statuses, templates that compile with the variables their operation has.

#![allow(clippy::wildcard_imports)]
use super::*;

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
pub(super) fn check(config: &Mapped) -> Result<Templates, Fault> {
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
        // Which fields an operation has is its type's business (config::*Fields): a missing
        // or unknown one does not parse. What is left to check is each pointer's form.
        for (field, pointer) in &op.fields {
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

pub(super) fn order_state_named(name: &str) -> Option<OrderState> {
    match name {
        "confirmed" => Some(OrderState::Confirmed),
        "shipped" => Some(OrderState::Shipped),
        "delivered" => Some(OrderState::Delivered),
        "cancelled" => Some(OrderState::Cancelled),
        _ => None,
    }
}
