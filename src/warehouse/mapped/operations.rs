//! The four operations carried out against the platform through the shared client.

#![allow(clippy::wildcard_imports)]
use super::*;

#[derive(Serialize)]
pub(super) struct OrderLineContext {
    pub(super) gtin: String,
    pub(super) sku: String,
    pub(super) quantity: u32,
    pub(super) unit_price_cents: i64,
}

impl WarehouseClient {
    /// Renders and sends one mapped operation (`context`: its own variables; `base` and
    /// `token` are added); the answer as JSON.
    pub(super) async fn mapped_call<'m>(
        &self,
        mapping: &'m Mapping,
        name: Op,
        context: Value,
        retries: usize,
    ) -> Result<(Value, &'m Operation<FieldMap>), ClientError> {
        let op = mapping.ops.get(&name).ok_or_else(|| not_mapped(name))?;
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
        let method = match op.method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
            HttpMethod::Put => Method::PUT,
            HttpMethod::Patch => Method::PATCH,
        };
        let value = self.call_raw(retries, method, url, headers, body).await?;
        Ok((value, op))
    }

    pub(crate) async fn mapped_availability(
        &self,
        mapping: &Mapping,
        gtins: Vec<String>,
    ) -> Result<AvailabilityResponse, ClientError> {
        let skus: Vec<String> = gtins.iter().map(|g| mapping.sku(g)).collect();
        let context = serde_json::json!({
            "gtins": gtins,
            "skus": skus,
        });
        let retries = self.options().max_retries.min(1);
        let (answer, op) = self
            .mapped_call(mapping, Op::Availability, context, retries)
            .await?;
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
                    // Other stores' shelves are not among the mapped operations yet.
                    stores: Vec::new(),
                }
            })
            .collect();
        Ok(AvailabilityResponse {
            items,
            as_of: crate::db::now_rfc3339(),
            locations: Vec::new(),
        })
    }

    pub(crate) async fn mapped_stock_changes(
        &self,
        mapping: &Mapping,
        store_id: &str,
        cursor: &str,
        limit: u32,
    ) -> Result<StockPage, ClientError> {
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
        let (answer, op) = self
            .mapped_call(mapping, Op::StockChanges, context, retries)
            .await?;
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

    pub(crate) async fn mapped_create_order(
        &self,
        mapping: &Mapping,
        idempotency_key: &str,
        order: &OrderRequest,
    ) -> Result<OrderResponse, ClientError> {
        // The kiosk offers nothing else with a mapped warehouse (`offers_pickup`).
        if !order.fulfilment.is_home() {
            return Err(MappingError::error(
                "create_order",
                "",
                "a mapped warehouse takes home deliveries only",
            ));
        }
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
        let (answer, op) = self
            .mapped_call(mapping, Op::CreateOrder, context, retries)
            .await?;
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
            pickup: None,
        })
    }

    pub(crate) async fn mapped_order_status(
        &self,
        mapping: &Mapping,
        order_id: &str,
    ) -> Result<OrderResponse, ClientError> {
        let context = serde_json::json!({
            "order_id": order_id,
        });
        let retries = self.options().max_retries;
        let (answer, op) = self
            .mapped_call(mapping, Op::OrderStatus, context, retries)
            .await?;
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
        Ok(OrderResponse {
            order_id: order_id.to_owned(),
            kiosk_order_id: String::new(),
            status: mapping.order_state(&status),
            created_at: String::new(),
            delivery_estimate: None,
            total_cents: 0,
            currency: String::new(),
            pickup: None,
        })
    }

    /// Mapped APIs have no catalog feed: the catalog comes from `kiosk import-catalog`.
    pub(crate) fn mapped_catalog(&self, cursor: &str) -> CatalogPage {
        CatalogPage {
            styles: Vec::new(),
            variants: Vec::new(),
            next_cursor: cursor.to_owned(),
            has_more: false,
            remaining: Some(0),
        }
    }
}

pub(super) fn not_mapped(operation: Op) -> ClientError {
    MappingError::error(
        operation,
        String::new(),
        format!("[warehouse.mapped.{operation}] is not configured"),
    )
}
