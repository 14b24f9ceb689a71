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
use crate::config::{FieldMap, HttpMethod, Idempotency, Mapped, Operation};

mod mapping;
mod operations;
mod reader;
mod spec;
mod templates;
/// Minijinja with values percent-encoded in templates named `*.url` (the web shop link uses it too).
pub(crate) use templates::environment as template_environment;

pub use mapping::{Mapping, MappingConfigError, order_state};
pub use reader::{MappingError, read_answer_for_fuzzing, shape};
pub use spec::{check_config, config_issues};
pub use templates::{COMMON_VARIABLES, Op};
use templates::{Fault, Part, Templates};
#[allow(clippy::wildcard_imports)]
use {reader::*, spec::*};

#[cfg(test)]
mod tests {
    use super::*;

    fn saleor_fields() -> crate::config::AvailabilityFields {
        crate::config::AvailabilityFields {
            items: "/edges".into(),
            sku: "/node/sku".into(),
            quantity: "/node/stocks/0/quantity".into(),
            reserved: "/node/stocks/0/quantityAllocated".into(),
            delivery_days: String::new(),
        }
    }

    #[test]
    fn an_item_without_a_stock_record_has_none_but_a_wrong_pointer_is_an_error() {
        let fields = Operation {
            fields: saleor_fields(),
            ..Operation::default()
        }
        .by_name()
        .fields;
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
