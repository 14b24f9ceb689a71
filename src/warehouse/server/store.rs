//! The reference warehouse's data: catalog with a change sequence, distribution-centre stock,
//! each store's stock, tokens, orders with idempotency keys, associate requests. SQLite, one
//! connection behind a mutex: every write is serialised, which is what makes a reservation and
//! its order one atomic step (two kiosks racing for the last pair get one order, one refusal).

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use thiserror::Error;

use crate::barcode::Gtin;
use crate::warehouse::protocol::{
    AssociateRequest, AssociateResponse, Availability, CatalogPage, OrderRequest, OrderResponse,
    OrderState, StockPage, StockRecord, StyleRecord, VariantRecord,
};

/// Working days from order to door for anything the distribution centre holds.
pub const DELIVERY_DAYS: u32 = 3;

#[derive(Debug, Clone, Error)]
pub enum StoreError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    OutOfStock(String),
    #[error("{0}")]
    PriceChanged(String),
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyMismatch,
    #[error("not found")]
    NotFound,
    #[error("storage error: {0}")]
    Storage(String),
    #[error("{file}: {message}")]
    Fixture { file: String, message: String },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.to_string())
    }
}

/// The outcome of creating an order: a new one, or the original for a repeated key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOutcome {
    Created(OrderResponse),
    Replayed(OrderResponse),
}

#[derive(Clone)]
pub struct WarehouseStore {
    conn: Arc<Mutex<Connection>>,
    shipping_cents: i64,
}

fn now() -> String {
    crate::db::now_rfc3339()
}

fn gtin_text(raw: i64) -> String {
    format!("{raw:014}")
}

fn parse_gtin(text: &str) -> Result<Gtin, StoreError> {
    text.parse::<Gtin>()
        .map_err(|e| StoreError::Invalid(format!("gtin {text:?}: {e}")))
}

fn next_seq(tx: &Transaction) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "UPDATE change_seq SET value = value + 1 WHERE id = 1 RETURNING value",
        [],
        |r| r.get(0),
    )?)
}

fn delivery_estimate(days: u32) -> Option<String> {
    let today = jiff::Zoned::now().date();
    let mut date = today;
    let mut left = days;
    while left > 0 {
        date = date.tomorrow().ok()?;
        if !matches!(
            date.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            left -= 1;
        }
    }
    Some(date.to_string())
}

impl WarehouseStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.execute_batch(include_str!("schema.sql"))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            shipping_cents: 0,
        })
    }

    /// Shipping charged per order (0: free delivery, shown up front on the kiosk).
    pub fn with_shipping_cents(mut self, cents: i64) -> Self {
        self.shipping_cents = cents;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = self
            .lock()
            .query_row("SELECT count(*) FROM styles", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    pub fn add_token(&self, token: &str, store_id: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO tokens (token, store_id) VALUES (?1, ?2)
             ON CONFLICT (token) DO UPDATE SET store_id = ?2",
            (token, store_id),
        )?;
        Ok(())
    }

    pub fn store_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT store_id FROM tokens WHERE token = ?1",
                [token],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Loads `styles.csv`, `variants.csv`, `warehouse_stock.csv` and, as `store_id`'s stock,
    /// `store_stock.csv` from the demo fixtures.
    pub fn seed_from_fixtures(&self, dir: &Path, store_id: &str) -> Result<(), StoreError> {
        let read = |name: &str| -> Result<Vec<csv::StringRecord>, StoreError> {
            let file = dir.join(name);
            let fixture = |message: String| StoreError::Fixture {
                file: file.display().to_string(),
                message,
            };
            let mut reader = csv::Reader::from_path(&file).map_err(|e| fixture(e.to_string()))?;
            reader
                .records()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| fixture(e.to_string()))
        };
        let styles = read("styles.csv")?;
        let variants = read("variants.csv")?;
        let dc = read("warehouse_stock.csv")?;
        let store = read("store_stock.csv")?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for s in &styles {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO styles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    &s[0],
                    &s[1],
                    &s[2],
                    &s[3],
                    &s[4],
                    s[5].parse::<i64>().unwrap_or(0),
                    &s[6],
                    &s[7],
                    &s[8],
                    &s[9],
                    seq
                ],
            )?;
        }
        for v in &variants {
            let seq = next_seq(&tx)?;
            let gtin = parse_gtin(&v[0])?;
            tx.execute(
                "INSERT INTO variants (gtin, style_code, size_mm, width, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![gtin.as_i64(), &v[1], v[2].parse::<i64>().unwrap_or(0), &v[3], seq],
            )?;
        }
        for d in &dc {
            tx.execute(
                "INSERT INTO dc_stock VALUES (?1, ?2)",
                params![
                    parse_gtin(&d[0])?.as_i64(),
                    d[1].parse::<i64>().unwrap_or(0)
                ],
            )?;
        }
        for s in &store {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO store_stock VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    store_id,
                    parse_gtin(&s[0])?.as_i64(),
                    s[1].parse::<i64>().unwrap_or(0),
                    &s[2],
                    seq
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A generated catalog of `variants` sizes with stock for `store_id` (benchmarks).
    pub fn seed_generated(&self, variants: u64, store_id: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        {
            let mut style = tx.prepare(
                "INSERT INTO styles VALUES (?1, 'Benchmark', ?2, 'Black', 'unisex', 9999, 'EUR', '', '', '', ?3)",
            )?;
            let mut variant = tx.prepare("INSERT INTO variants (gtin, style_code, size_mm, width, seq) VALUES (?1, ?2, ?3, 'M', ?4)")?;
            let mut dc = tx.prepare("INSERT INTO dc_stock VALUES (?1, ?2)")?;
            let mut stock = tx.prepare(
                "INSERT INTO store_stock VALUES (?1, ?2, ?3, '2026-11-20T08:00:00Z', ?4)",
            )?;
            let per_style = crate::bench_data::SIZES_PER_STYLE;
            let mut seq = 0i64;
            for i in 0..variants {
                let code = format!("BENCH-{:07}", i / per_style + 1);
                if i % per_style == 0 {
                    seq += 1;
                    style.execute(params![&code, format!("Style {}", i / per_style + 1), seq])?;
                }
                let gtin = crate::bench_data::gtin(i).as_i64();
                seq += 1;
                variant.execute(params![gtin, &code, 220 + 5 * (i % per_style) as i64, seq])?;
                dc.execute(params![gtin, (i * 13) % 50])?;
                seq += 1;
                stock.execute(params![store_id, gtin, (i * 7) % 9, seq])?;
            }
            tx.execute("UPDATE change_seq SET value = ?1 WHERE id = 1", [seq])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn catalog_page(
        &self,
        cursor: i64,
        limit: u32,
        count: bool,
    ) -> Result<CatalogPage, StoreError> {
        let conn = self.lock();
        // The next `limit` changes of either kind, in sequence order.
        let mut events = conn.prepare_cached(
            "SELECT seq, 0, style_code, NULL FROM styles WHERE seq > ?1
             UNION ALL
             SELECT seq, 1, NULL, gtin FROM variants WHERE seq > ?1
             ORDER BY 1 LIMIT ?2",
        )?;
        let rows: Vec<(i64, i64, Option<String>, Option<i64>)> = events
            .query_map(params![cursor, limit + 1], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        let has_more = rows.len() > limit as usize;
        let rows = &rows[..rows.len().min(limit as usize)];
        let mut style_codes: Vec<String> = Vec::new();
        let mut variants = Vec::new();
        let mut get_variant = conn.prepare_cached(
            "SELECT style_code, size_mm, width, discontinued FROM variants WHERE gtin = ?1",
        )?;
        for (_, kind, code, gtin) in rows {
            match (kind, code, gtin) {
                (0, Some(code), _) => style_codes.push(code.clone()),
                (_, _, Some(gtin)) => {
                    let v = get_variant.query_row([gtin], |r| {
                        Ok(VariantRecord {
                            gtin: gtin_text(*gtin),
                            style_code: r.get(0)?,
                            size_mm: r.get(1)?,
                            width: r.get(2)?,
                            discontinued: r.get(3)?,
                        })
                    })?;
                    // A variant travels with its style, whose own change may come later.
                    style_codes.push(v.style_code.clone());
                    variants.push(v);
                }
                _ => {}
            }
        }
        style_codes.sort();
        style_codes.dedup();
        let mut get_style = conn.prepare_cached(
            "SELECT style_code, brand, name, colour, gender, price_cents, currency, image,
                    description, fit_note FROM styles WHERE style_code = ?1",
        )?;
        let styles = style_codes
            .iter()
            .map(|code| {
                get_style.query_row([code], |r| {
                    Ok(StyleRecord {
                        style_code: r.get(0)?,
                        brand: r.get(1)?,
                        name: r.get(2)?,
                        colour: r.get(3)?,
                        gender: r.get(4)?,
                        price_cents: r.get(5)?,
                        currency: r.get(6)?,
                        image: r.get(7)?,
                        description: r.get(8)?,
                        fit_note: r.get(9)?,
                    })
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let next = rows.last().map_or(cursor, |r| r.0);
        let remaining = if count {
            Some(conn.query_row(
                "SELECT (SELECT count(*) FROM styles WHERE seq > ?1)
                      + (SELECT count(*) FROM variants WHERE seq > ?1)",
                [next],
                |r| r.get(0),
            )?)
        } else {
            None
        };
        Ok(CatalogPage {
            styles,
            variants,
            next_cursor: next.to_string(),
            has_more,
            remaining,
        })
    }

    pub fn stock_page(
        &self,
        store_id: &str,
        cursor: i64,
        limit: u32,
        count: bool,
    ) -> Result<StockPage, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, gtin, quantity, updated_at FROM store_stock
              WHERE store_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows: Vec<(i64, StockRecord)> = stmt
            .query_map(params![store_id, cursor, limit + 1], |r| {
                Ok((
                    r.get(0)?,
                    StockRecord {
                        gtin: gtin_text(r.get(1)?),
                        quantity: r.get(2)?,
                        updated_at: r.get(3)?,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let has_more = rows.len() > limit as usize;
        let items: Vec<(i64, StockRecord)> = rows.into_iter().take(limit as usize).collect();
        let next = items.last().map_or(cursor, |r| r.0);
        let remaining = if count {
            Some(conn.query_row(
                "SELECT count(*) FROM store_stock WHERE store_id = ?1 AND seq > ?2",
                params![store_id, next],
                |r| r.get(0),
            )?)
        } else {
            None
        };
        Ok(StockPage {
            items: items.into_iter().map(|(_, r)| r).collect(),
            next_cursor: next.to_string(),
            has_more,
            remaining,
        })
    }

    pub fn availability(&self, gtins: &[String]) -> Result<Vec<Availability>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT coalesce(d.quantity, 0), s.currency, v.discontinued
               FROM variants v JOIN styles s USING (style_code)
               LEFT JOIN dc_stock d ON d.gtin = v.gtin
              WHERE v.gtin = ?1",
        )?;
        let estimate = delivery_estimate(DELIVERY_DAYS);
        gtins
            .iter()
            .map(|text| {
                let gtin = parse_gtin(text)?;
                let found: Option<(u32, String, bool)> = stmt
                    .query_row([gtin.as_i64()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                let (quantity, currency) = match found {
                    Some((q, c, false)) => (q, c),
                    Some((_, c, true)) => (0, c),
                    None => (0, "EUR".to_owned()),
                };
                Ok(Availability {
                    gtin: gtin.to_string(),
                    quantity,
                    delivery_days: (quantity > 0).then_some(DELIVERY_DAYS),
                    delivery_estimate: if quantity > 0 { estimate.clone() } else { None },
                    shipping_cents: self.shipping_cents,
                    currency,
                })
            })
            .collect()
    }

    fn validate_order(req: &OrderRequest) -> Result<(), StoreError> {
        let bad = |m: &str| Err(StoreError::Invalid(m.to_owned()));
        if req.lines.is_empty() {
            return bad("lines: an order needs at least one line");
        }
        if req.lines.iter().any(|l| l.quantity == 0 || l.quantity > 10) {
            return bad("lines[].quantity: must be 1 to 10");
        }
        let a = &req.ship_to;
        for (field, value) in [
            ("ship_to.name", &a.name),
            ("ship_to.line1", &a.line1),
            ("ship_to.postal_code", &a.postal_code),
            ("ship_to.city", &a.city),
        ] {
            if value.trim().is_empty() {
                return Err(StoreError::Invalid(format!("{field}: required")));
            }
        }
        if a.country.len() != 2 || !a.country.chars().all(|c| c.is_ascii_uppercase()) {
            return bad("ship_to.country: an ISO 3166-1 alpha-2 code such as \"DE\"");
        }
        if req.contact.email.trim().is_empty() && req.contact.phone.trim().is_empty() {
            return bad("contact: an email or a phone number is required");
        }
        if req.kiosk_order_id.trim().is_empty() {
            return bad("kiosk_order_id: required");
        }
        Ok(())
    }

    /// Creates an order, reserving stock in the same transaction; a repeated key with the same
    /// request returns the original order, with a different request is refused.
    pub fn create_order(
        &self,
        store_id: &str,
        idempotency_key: &str,
        req: &OrderRequest,
    ) -> Result<OrderOutcome, StoreError> {
        let canonical =
            serde_json::to_string(req).map_err(|e| StoreError::Storage(e.to_string()))?;
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let previous: Option<(String, String)> = tx
            .query_row(
                "SELECT request_json, response FROM orders WHERE store_id = ?1 AND idempotency_key = ?2",
                (store_id, idempotency_key),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((request_json, response)) = previous {
            if request_json != canonical {
                return Err(StoreError::IdempotencyMismatch);
            }
            let response: OrderResponse =
                serde_json::from_str(&response).map_err(|e| StoreError::Storage(e.to_string()))?;
            return Ok(OrderOutcome::Replayed(response));
        }
        Self::validate_order(req)?;
        let mut total = req.shipping_cents;
        let mut currency = req.currency.clone();
        for (i, line) in req.lines.iter().enumerate() {
            let gtin = parse_gtin(&line.gtin)?;
            let found: Option<(i64, String, bool)> = tx
                .query_row(
                    "SELECT s.price_cents, s.currency, v.discontinued FROM variants v
                       JOIN styles s USING (style_code) WHERE v.gtin = ?1",
                    [gtin.as_i64()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((price, style_currency, discontinued)) = found else {
                return Err(StoreError::Invalid(format!(
                    "lines[{i}].gtin {gtin}: not in the catalog"
                )));
            };
            if discontinued {
                return Err(StoreError::OutOfStock(format!("{gtin} is no longer sold")));
            }
            if price != line.unit_price_cents || style_currency != req.currency {
                return Err(StoreError::PriceChanged(format!(
                    "{gtin} now costs {price} {style_currency} (the order says {} {})",
                    line.unit_price_cents, req.currency
                )));
            }
            // The reservation: succeeds only while enough pairs remain.
            let reserved = tx.execute(
                "UPDATE dc_stock SET quantity = quantity - ?2 WHERE gtin = ?1 AND quantity >= ?2",
                params![gtin.as_i64(), line.quantity],
            )?;
            if reserved == 0 {
                return Err(StoreError::OutOfStock(format!(
                    "{gtin} is no longer available"
                )));
            }
            total += price * i64::from(line.quantity);
            currency = style_currency;
        }
        let response = OrderResponse {
            order_id: format!("WH-{}", uuid::Uuid::new_v4().simple()),
            kiosk_order_id: req.kiosk_order_id.clone(),
            status: OrderState::Confirmed,
            created_at: now(),
            delivery_estimate: delivery_estimate(DELIVERY_DAYS),
            total_cents: total,
            currency,
        };
        let response_json =
            serde_json::to_string(&response).map_err(|e| StoreError::Storage(e.to_string()))?;
        tx.execute(
            "INSERT INTO orders VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                response.order_id,
                store_id,
                idempotency_key,
                canonical,
                response_json,
                response.created_at
            ],
        )?;
        for line in &req.lines {
            tx.execute(
                "INSERT INTO order_lines VALUES (?1, ?2, ?3, ?4)",
                params![
                    response.order_id,
                    parse_gtin(&line.gtin)?.as_i64(),
                    line.quantity,
                    line.unit_price_cents
                ],
            )?;
        }
        tx.commit()?;
        Ok(OrderOutcome::Created(response))
    }

    pub fn order(&self, store_id: &str, order_id: &str) -> Result<OrderResponse, StoreError> {
        let response: Option<String> = self
            .lock()
            .query_row(
                "SELECT response FROM orders WHERE store_id = ?1 AND order_id = ?2",
                (store_id, order_id),
                |r| r.get(0),
            )
            .optional()?;
        let response = response.ok_or(StoreError::NotFound)?;
        serde_json::from_str(&response).map_err(|e| StoreError::Storage(e.to_string()))
    }

    pub fn associate_request_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM associate_requests", [], |r| r.get(0))?)
    }

    pub fn order_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)
    }

    pub fn associate_request(
        &self,
        store_id: &str,
        req: &AssociateRequest,
    ) -> Result<AssociateResponse, StoreError> {
        // No GTIN: a general "call an associate" from the kiosk.
        let gtin = if req.gtin.is_empty() {
            0
        } else {
            parse_gtin(&req.gtin)?.as_i64()
        };
        let response = AssociateResponse {
            request_id: format!("AR-{}", uuid::Uuid::new_v4().simple()),
            created_at: now(),
        };
        self.lock().execute(
            "INSERT INTO associate_requests VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                response.request_id,
                store_id,
                gtin,
                req.size_label,
                req.kiosk_id,
                response.created_at
            ],
        )?;
        Ok(response)
    }

    // Changes made at the chain's end (admin operations; tests use them to change the catalog).

    pub fn set_price(&self, style_code: &str, price_cents: i64) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let seq = next_seq(&tx)?;
        let n = tx.execute(
            "UPDATE styles SET price_cents = ?2, seq = ?3 WHERE style_code = ?1",
            params![style_code, price_cents, seq],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit()?;
        Ok(())
    }

    pub fn discontinue(&self, gtin: Gtin) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let seq = next_seq(&tx)?;
        tx.execute(
            "UPDATE variants SET discontinued = 1, seq = ?2 WHERE gtin = ?1",
            params![gtin.as_i64(), seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_store_stock(
        &self,
        store_id: &str,
        gtin: Gtin,
        quantity: u32,
    ) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let seq = next_seq(&tx)?;
        tx.execute(
            "INSERT INTO store_stock VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (store_id, gtin) DO UPDATE SET quantity = ?3, updated_at = ?4, seq = ?5",
            params![store_id, gtin.as_i64(), quantity, now(), seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_dc_stock(&self, gtin: Gtin, quantity: u32) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO dc_stock VALUES (?1, ?2) ON CONFLICT (gtin) DO UPDATE SET quantity = ?2",
            params![gtin.as_i64(), quantity],
        )?;
        Ok(())
    }

    pub fn dc_stock(&self, gtin: Gtin) -> Result<u32, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT quantity FROM dc_stock WHERE gtin = ?1",
                [gtin.as_i64()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }
}
