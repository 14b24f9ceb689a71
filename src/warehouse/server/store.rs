//! The reference warehouse's data: catalog with a change sequence, distribution-centre stock,
//! each store's stock, tokens, orders with idempotency keys, associate requests. SQLite, one
//! connection behind a mutex: every write is serialised, which is what makes a reservation and
//! its order one atomic step (two kiosks racing for the last pair get one order, one refusal).

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use thiserror::Error;

use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::{
    AssociateRequest, AssociateResponse, Availability, CatalogPage, CodeEmailResponse, FleetKiosk,
    Fulfilment, Heartbeat, Location, MAX_STORES_PER_SIZE, OrderRequest, OrderResponse, OrderState,
    PickUpHold, Pickup, StockAlertMail, StockAlertRequest, StockAlertResponse, StockPage,
    StockRecord, StoreQuantity, StyleRecord, VariantRecord,
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
    /// Well-formed, but no parcel could arrive: a postcode that is not the country's, a
    /// country the chain does not ship to, an e-mail address that cannot be one.
    #[error("{0}")]
    InvalidAddress(String),
    /// Well-formed, but the resource's state does not allow it.
    #[error("{0}")]
    Conflict(String),
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
    /// How long a pair reserved for pick-up is held before it goes back on the shelf.
    pickup_hold: jiff::SignedDuration,
    /// Days a "tell me when it is back" address is kept at most.
    stock_alert_days: u32,
}

/// Days a back-in-stock request is kept unless the server is told otherwise.
pub const DEFAULT_STOCK_ALERT_DAYS: u32 = 90;

/// Hours a pick-up reservation is held unless the server is told otherwise.
pub const DEFAULT_PICKUP_HOLD_HOURS: u32 = 48;

/// A short random public name for a token (`tok-` and 8 hex digits).
fn new_token_id() -> String {
    format!("tok-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

/// Tokens must be long enough not to be guessed, and printable (they travel in a header).
fn check_token(token: &str) -> Result<(), StoreError> {
    if token.len() < 16 || token.len() > 512 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(StoreError::Invalid(
            "a token must be 16 to 512 printable characters without spaces".into(),
        ));
    }
    Ok(())
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

/// A store must have an id that travels in URLs and a name a shopper can read.
fn check_location(l: &Location) -> Result<(), StoreError> {
    let bad = |what: String| {
        Err(StoreError::Invalid(format!(
            "store {:?}: {what}",
            l.store_id
        )))
    };
    if l.store_id.is_empty()
        || l.store_id.len() > 64
        || !l
            .store_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return bad("the id must be 1-64 letters, digits, '-' or '_'".into());
    }
    for (field, value, max) in [("name", &l.name, 80), ("address", &l.address, 200)] {
        if value.trim().is_empty() || value.chars().count() > max {
            return bad(format!("{field} must be 1-{max} characters"));
        }
        if value.chars().any(char::is_control) {
            return bad(format!("{field} must be one line of text"));
        }
    }
    if (l.latitude.is_some() || l.longitude.is_some()) && l.position().is_none() {
        return bad(
            "latitude must be -90 to 90 and longitude -180 to 180, both given (degrees)".into(),
        );
    }
    Ok(())
}

/// Where a token came from, which decides how it ends (see schema.sql).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `kiosk warehouse token add`: kept until revoked.
    Cli,
    /// `--token-file` and `$KIOSK_WAREHOUSE_TOKEN` at `serve`: the set given at the last start.
    Startup,
    /// The kiosk's in-process server: one fresh token per run.
    Embedded,
}

impl TokenSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Cli => "cli",
            Self::Startup => "startup",
            Self::Embedded => "embedded",
        }
    }
}

/// A registered token as `kiosk warehouse token list` shows it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub store_id: String,
    pub source: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

fn text_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The request as kept with the order: the shopper's details blanked (they live in
/// `order_shoppers` until their retention ends).
fn without_shopper(req: &OrderRequest) -> OrderRequest {
    let mut kept = req.clone();
    kept.ship_to = crate::warehouse::protocol::Address {
        name: String::new(),
        line1: String::new(),
        line2: String::new(),
        postal_code: String::new(),
        city: String::new(),
        country: req.ship_to.country.clone(),
    };
    kept.contact = crate::warehouse::protocol::Contact {
        email: String::new(),
        phone: String::new(),
    };
    kept
}

impl WarehouseStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Storage(format!("{}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // Deleted shopper details and tokens are overwritten, not left as free bytes.
        conn.pragma_update(None, "secure_delete", true)?;
        // A server answering every store's kiosks keeps its hot pages: with SQLite's 2 MB
        // default, each page of a million-size catalog feed re-read its rows from the file
        // (40 ms a page of 5,000). Pages are allocated only as they are read.
        conn.pragma_update(None, "cache_size", -256 * 1024)?;
        Self::upgrade_older_file(&mut conn)?;
        conn.execute_batch(include_str!("schema.sql"))?;
        Self::move_shopper_details_out(&mut conn)?;
        Ok(Self {
            stock_alert_days: DEFAULT_STOCK_ALERT_DAYS,
            pickup_hold: jiff::SignedDuration::from_hours(i64::from(DEFAULT_PICKUP_HOLD_HOURS)),
            conn: Arc::new(Mutex::new(conn)),
            shipping_cents: 0,
        })
    }

    /// Files written before tokens were hashed and shopper details kept apart: plaintext
    /// tokens become hashes (as startup tokens, so the next start's set replaces them), and
    /// `orders` gains `request_sha256`.
    fn upgrade_older_file(conn: &mut Connection) -> Result<(), StoreError> {
        let has = |table: &str, column: &str| -> Result<bool, StoreError> {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
                (table, column),
                |r| r.get(0),
            )?;
            Ok(n > 0)
        };
        if has("styles", "style_code")? && !has("styles", "translations")? {
            conn.execute_batch(
                "ALTER TABLE styles ADD COLUMN translations TEXT NOT NULL DEFAULT '{}'",
            )?;
        }
        if has("associate_requests", "request_id")? && !has("associate_requests", "style")? {
            conn.execute_batch(
                "ALTER TABLE associate_requests ADD COLUMN style TEXT NOT NULL DEFAULT '';
                 ALTER TABLE associate_requests ADD COLUMN also TEXT NOT NULL DEFAULT '[]';",
            )?;
        }
        if has("styles", "style_code")? && !has("styles", "category")? {
            conn.execute_batch(
                "ALTER TABLE styles ADD COLUMN category TEXT NOT NULL DEFAULT '';
                 ALTER TABLE styles ADD COLUMN colour_family TEXT NOT NULL DEFAULT '';
                 ALTER TABLE styles ADD COLUMN tags TEXT NOT NULL DEFAULT '';",
            )?;
        }
        if has("stores", "store_id")? && !has("stores", "pickup_webhook")? {
            conn.execute_batch("ALTER TABLE stores ADD COLUMN pickup_webhook TEXT")?;
        }
        if has("orders", "order_id")? && !has("orders", "request_sha256")? {
            conn.execute_batch("ALTER TABLE orders ADD COLUMN request_sha256 TEXT")?;
        }
        if has("tokens", "token")? {
            conn.execute_batch(include_str!("schema.sql"))?;
            let tx = conn.transaction()?;
            let old: Vec<(String, String)> = tx
                .prepare("SELECT token, store_id FROM tokens")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (token, store_id) in old {
                tx.execute(
                    "INSERT OR IGNORE INTO store_tokens VALUES (?1, ?2, ?3, 'startup', ?4, NULL)",
                    params![new_token_id(), token_hash(&token), store_id, now()],
                )?;
            }
            tx.execute_batch("DROP TABLE tokens")?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Orders written before the split: hash the whole request, move the shopper's details
    /// to `order_shoppers`, keep the rest.
    fn move_shopper_details_out(conn: &mut Connection) -> Result<(), StoreError> {
        let tx = conn.transaction()?;
        let old: Vec<(String, String, String)> = tx
            .prepare("SELECT order_id, request_json, created_at FROM orders WHERE request_sha256 IS NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (order_id, request_json, created_at) in old {
            let hash = text_sha256(&request_json);
            if let Ok(req) = serde_json::from_str::<OrderRequest>(&request_json) {
                let kept = serde_json::to_string(&without_shopper(&req))
                    .map_err(|e| StoreError::Storage(e.to_string()))?;
                tx.execute(
                    "INSERT OR IGNORE INTO order_shoppers VALUES (?1, ?2, ?3, ?4)",
                    params![
                        order_id,
                        serde_json::to_string(&req.ship_to).unwrap_or_default(),
                        serde_json::to_string(&req.contact).unwrap_or_default(),
                        created_at
                    ],
                )?;
                tx.execute(
                    "UPDATE orders SET request_json = ?2, request_sha256 = ?3 WHERE order_id = ?1",
                    params![order_id, kept, hash],
                )?;
            } else {
                tx.execute(
                    "UPDATE orders SET request_json = '{}', request_sha256 = ?2 WHERE order_id = ?1",
                    params![order_id, hash],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Shipping charged per order (0: free delivery, shown up front on the kiosk).
    /// Days a back-in-stock address is kept at most (1 to 365).
    pub fn with_stock_alert_days(mut self, days: u32) -> Self {
        self.stock_alert_days = days.clamp(1, 365);
        self
    }

    /// Hours a pick-up reservation is held (1 to 720).
    pub fn with_pickup_hold_hours(mut self, hours: u32) -> Self {
        self.pickup_hold = jiff::SignedDuration::from_hours(i64::from(hours.clamp(1, 720)));
        self
    }

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

    /// Registers a token (kept until revoked) and returns its id.
    pub fn add_token(&self, token: &str, store_id: &str) -> Result<String, StoreError> {
        check_token(token)?;
        let id = new_token_id();
        self.lock().execute(
            "INSERT INTO store_tokens VALUES (?1, ?2, ?3, 'cli', ?4, NULL)
             ON CONFLICT (token_sha256) DO UPDATE SET store_id = ?3, source = 'cli'",
            params![id, token_hash(token), store_id, now()],
        )?;
        Ok(id)
    }

    /// Makes `tokens` the whole set of `source`'s tokens: those given before and not now stop
    /// working.
    pub fn replace_tokens(
        &self,
        source: TokenSource,
        tokens: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (_, token) in tokens {
            check_token(token)?;
        }
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM store_tokens WHERE source = ?1",
            [source.as_str()],
        )?;
        for (store_id, token) in tokens {
            tx.execute(
                "INSERT INTO store_tokens VALUES (?1, ?2, ?3, ?4, ?5, NULL)
                 ON CONFLICT (token_sha256) DO UPDATE SET store_id = ?3",
                params![
                    new_token_id(),
                    token_hash(token),
                    store_id,
                    source.as_str(),
                    now()
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Revokes the token with this id; `false` if there is none.
    pub fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .execute("DELETE FROM store_tokens WHERE id = ?1", [id])?
            > 0)
    }

    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, store_id, source, created_at, last_used_at FROM store_tokens
              ORDER BY store_id, created_at",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TokenInfo {
                    id: r.get(0)?,
                    store_id: r.get(1)?,
                    source: r.get(2)?,
                    created_at: r.get(3)?,
                    last_used_at: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The store a bearer token belongs to. The file holds only SHA-256 hashes: the lookup is
    /// by the hash of what was sent, so timing can reveal at most something about a hash, and
    /// the found hash is compared again in constant time.
    pub fn store_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        use subtle::ConstantTimeEq;
        let hash = token_hash(token);
        let conn = self.lock();
        let found: Option<(String, String, Vec<u8>, Option<String>)> = conn
            .query_row(
                "SELECT id, store_id, token_sha256, last_used_at FROM store_tokens
                  WHERE token_sha256 = ?1",
                [&hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, store_id, stored, last_used)) = found else {
            return Ok(None);
        };
        if !bool::from(stored.ct_eq(&hash)) {
            return Ok(None);
        }
        // The last use to the minute: enough to see a token nobody uses, without a write
        // per request.
        let now = now();
        if last_used.as_deref().map(|t| &t[..t.len().min(16)]) != Some(&now[..now.len().min(16)]) {
            conn.execute(
                "UPDATE store_tokens SET last_used_at = ?2 WHERE id = ?1",
                (id, now),
            )?;
        }
        Ok(Some(store_id))
    }

    /// Deletes the address and contact of orders created more than `days` ago and returns how
    /// many; the orders themselves stay. Checkpoints the log so the text leaves it too.
    pub fn purge_shopper_details(&self, days: u32) -> Result<u64, StoreError> {
        let cutoff = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))
            .map_or_else(|_| String::new(), |t| t.to_string());
        let conn = self.lock();
        let n = conn.execute(
            "DELETE FROM order_shoppers WHERE julianday(created_at) <= julianday(?1)",
            [cutoff],
        )? as u64;
        if n > 0 {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n)
    }

    /// The shipping address and contact of an order, while they are kept.
    pub fn order_shopper(
        &self,
        order_id: &str,
    ) -> Result<
        Option<(
            crate::warehouse::protocol::Address,
            crate::warehouse::protocol::Contact,
        )>,
        StoreError,
    > {
        let row: Option<(String, String)> = self
            .lock()
            .query_row(
                "SELECT ship_to, contact FROM order_shoppers WHERE order_id = ?1",
                [order_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(a, c)| {
            Ok((
                serde_json::from_str(&a).map_err(|e| StoreError::Storage(e.to_string()))?,
                serde_json::from_str(&c).map_err(|e| StoreError::Storage(e.to_string()))?,
            ))
        })
        .transpose()
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
        let translations =
            crate::domain::seed::read_style_texts(dir).map_err(|e| StoreError::Fixture {
                file: dir.join("style_texts.csv").display().to_string(),
                message: e.to_string(),
            })?;
        let variants = read("variants.csv")?;
        let dc = read("warehouse_stock.csv")?;
        let store = read("store_stock.csv")?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for s in &styles {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                     currency, image, description, fit_note, seq, translations, category,
                     colour_family, tags)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
                    seq,
                    serde_json::to_string(&translations.get(&s[0]).cloned().unwrap_or_default())
                        .unwrap_or_else(|_| "{}".into()),
                    // Optional columns, after the others: category, colour family, tags.
                    s.get(10).unwrap_or_default(),
                    s.get(11).unwrap_or_default(),
                    crate::domain::substitutes::split_tags(s.get(12).unwrap_or_default()).join(";"),
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

    /// Runs `f` in one write transaction (committed when it returns `Ok`): for tools that fill
    /// the store in bulk (`kiosk::devtools`).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    pub fn catalog_page(
        &self,
        cursor: i64,
        limit: u32,
        count: bool,
    ) -> Result<CatalogPage, StoreError> {
        let conn = self.lock();
        // The next `limit` changes of either kind, in sequence order, a variant's row with it
        // (one statement, not a lookup per variant).
        let mut events = conn.prepare_cached(
            "SELECT seq, 0, style_code, NULL, NULL, NULL, NULL FROM styles WHERE seq > ?1
             UNION ALL
             SELECT seq, 1, style_code, gtin, size_mm, width, discontinued FROM variants
              WHERE seq > ?1
             ORDER BY 1 LIMIT ?2",
        )?;
        type Event = (i64, Option<String>, Option<VariantRecord>);
        let mut rows: Vec<Event> = events
            .query_map(params![cursor, limit + 1], |r| {
                let code: Option<String> = r.get(2)?;
                let variant = match r.get::<_, Option<i64>>(3)? {
                    Some(gtin) => Some(VariantRecord {
                        gtin: gtin_text(gtin),
                        style_code: code.clone().unwrap_or_default(),
                        size_mm: r.get(4)?,
                        width: r.get(5)?,
                        discontinued: r.get(6)?,
                    }),
                    None => None,
                };
                Ok((r.get(0)?, code, variant))
            })?
            .collect::<Result<_, _>>()?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = rows.last().map_or(cursor, |r| r.0);
        let mut style_codes: Vec<String> = Vec::new();
        let mut variants = Vec::new();
        for (_, code, variant) in rows {
            match (code, variant) {
                // A variant travels with its style, whose own change may come later.
                (_, Some(v)) => {
                    style_codes.push(v.style_code.clone());
                    variants.push(v);
                }
                (Some(code), None) => style_codes.push(code),
                (None, None) => {}
            }
        }
        style_codes.sort();
        style_codes.dedup();
        let mut get_style = conn.prepare_cached(
            "SELECT style_code, brand, name, colour, gender, price_cents, currency, image,
                    description, fit_note, translations, category, colour_family, tags
               FROM styles WHERE style_code = ?1",
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
                        translations: serde_json::from_str(&r.get::<_, String>(10)?)
                            .unwrap_or_default(),
                        category: r.get(11)?,
                        colour_family: r.get(12)?,
                        tags: crate::domain::substitutes::split_tags(&r.get::<_, String>(13)?),
                    })
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
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

    /// What the distribution centre can ship of each of `gtins`, and which of the chain's
    /// other stores (nearest to `asking_store` first) have it on the shelf, with those stores
    /// described once.
    pub fn availability(
        &self,
        asking_store: &str,
        gtins: &[String],
    ) -> Result<(Vec<Availability>, Vec<Location>), StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT coalesce(d.quantity, 0), s.currency, v.discontinued
               FROM variants v JOIN styles s USING (style_code)
               LEFT JOIN dc_stock d ON d.gtin = v.gtin
              WHERE v.gtin = ?1",
        )?;
        let mut shelves = conn.prepare_cached(
            "SELECT ss.store_id, ss.quantity
               FROM store_stock ss JOIN stores USING (store_id)
              WHERE ss.gtin = ?1 AND ss.quantity > 0 AND ss.store_id <> ?2",
        )?;
        let stores = Self::stores_by_id(&conn)?;
        let from = stores.get(asking_store).and_then(Location::position);
        let estimate = delivery_estimate(DELIVERY_DAYS);
        let mut named = std::collections::BTreeSet::new();
        let items = gtins
            .iter()
            .map(|text| {
                let gtin = parse_gtin(text)?;
                let found: Option<(u32, String, bool)> = stmt
                    .query_row([gtin.as_i64()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                let (quantity, currency, discontinued) = match found {
                    Some((q, c, false)) => (q, c, false),
                    Some((_, c, true)) => (0, c, true),
                    None => (0, "EUR".to_owned(), true),
                };
                let mut on_shelves: Vec<StoreQuantity> = if discontinued {
                    Vec::new()
                } else {
                    shelves
                        .query_map(params![gtin.as_i64(), asking_store], |r| {
                            Ok(StoreQuantity {
                                store_id: r.get(0)?,
                                quantity: r.get(1)?,
                                distance_m: None,
                            })
                        })?
                        .collect::<Result<_, _>>()?
                };
                // Nearest first; stores nobody placed go last, by id.
                for q in &mut on_shelves {
                    let there = stores.get(&q.store_id).and_then(Location::position);
                    q.distance_m = from
                        .zip(there)
                        .map(|(a, b)| (a.distance_km(b) * 1000.0).round() as u32);
                }
                on_shelves.sort_by(|a, b| {
                    (a.distance_m.is_none(), a.distance_m, &a.store_id).cmp(&(
                        b.distance_m.is_none(),
                        b.distance_m,
                        &b.store_id,
                    ))
                });
                on_shelves.truncate(MAX_STORES_PER_SIZE);
                named.extend(on_shelves.iter().map(|q| q.store_id.clone()));
                Ok(Availability {
                    gtin: gtin.to_string(),
                    quantity,
                    delivery_days: (quantity > 0).then_some(DELIVERY_DAYS),
                    delivery_estimate: if quantity > 0 { estimate.clone() } else { None },
                    shipping_cents: self.shipping_cents,
                    currency,
                    stores: on_shelves,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let locations = named
            .iter()
            .filter_map(|id| stores.get(id).cloned())
            .collect();
        Ok((items, locations))
    }

    fn stores_by_id(
        conn: &Connection,
    ) -> Result<std::collections::HashMap<String, Location>, StoreError> {
        let mut stmt =
            conn.prepare_cached("SELECT store_id, name, address, latitude, longitude FROM stores")?;
        let rows = stmt.query_map([], |r| {
            Ok(Location {
                store_id: r.get(0)?,
                name: r.get(1)?,
                address: r.get(2)?,
                latitude: r.get(3)?,
                longitude: r.get(4)?,
            })
        })?;
        Ok(rows
            .map(|row| row.map(|l| (l.store_id.clone(), l)))
            .collect::<Result<_, _>>()?)
    }

    /// Adds or changes the stores in a CSV file with the columns `store_id,name,address,
    /// latitude,longitude` (the two last may be empty) and optionally `pickup_webhook`: all or
    /// nothing, and a bad row is named by its line. Returns how many stores the file held.
    pub fn import_stores_csv(&self, file: &Path) -> Result<usize, StoreError> {
        let fixture = |message: String| StoreError::Fixture {
            file: file.display().to_string(),
            message,
        };
        /// A row of the file: the store as shoppers find it, and where its counter is told.
        #[derive(serde::Deserialize)]
        struct Row {
            store_id: String,
            name: String,
            address: String,
            latitude: Option<f64>,
            longitude: Option<f64>,
            #[serde(default)]
            pickup_webhook: Option<String>,
        }
        let mut reader = csv::Reader::from_path(file).map_err(|e| fixture(e.to_string()))?;
        let mut rows: Vec<(Location, Option<String>)> = Vec::new();
        for (index, row) in reader.deserialize::<Row>().enumerate() {
            let line = index + 2;
            let row = row.map_err(|e| fixture(format!("line {line}: {e}")))?;
            let location = Location {
                store_id: row.store_id,
                name: row.name,
                address: row.address,
                latitude: row.latitude,
                longitude: row.longitude,
            };
            check_location(&location).map_err(|e| fixture(format!("line {line}: {e}")))?;
            let webhook = row.pickup_webhook.filter(|w| !w.trim().is_empty());
            if let Some(w) = &webhook {
                let parsed = url::Url::parse(w.trim()).ok();
                if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
                    return Err(fixture(format!(
                        "line {line}: pickup_webhook is not an http(s) URL"
                    )));
                }
            }
            rows.push((location, webhook));
        }
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for (l, webhook) in &rows {
            tx.execute(
                "INSERT INTO stores (store_id, name, address, latitude, longitude, pickup_webhook)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (store_id) DO UPDATE SET name = ?2, address = ?3, latitude = ?4,
                                                      longitude = ?5, pickup_webhook = ?6",
                params![
                    l.store_id,
                    l.name,
                    l.address,
                    l.latitude,
                    l.longitude,
                    webhook
                ],
            )?;
        }
        tx.commit()?;
        Ok(rows.len())
    }

    /// Where `store_id`'s counter is told of a pair held there, if anywhere.
    pub fn pickup_webhook(&self, store_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT pickup_webhook FROM stores WHERE store_id = ?1",
                [store_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The chain's stores, by id.
    pub fn stores(&self) -> Result<Vec<Location>, StoreError> {
        let mut stores: Vec<Location> = Self::stores_by_id(&self.lock())?.into_values().collect();
        stores.sort_by(|a, b| a.store_id.cmp(&b.store_id));
        Ok(stores)
    }

    /// Loads the chain's other stores from the demo fixtures, once: `stores.csv` (who and
    /// where) and `chain_stock.csv` (their shelves; rows for `own_store` are skipped, its
    /// stock is `store_stock.csv`). Both files are optional; a warehouse that already knows
    /// stores is left alone.
    pub fn seed_chain_from_fixtures(&self, dir: &Path, own_store: &str) -> Result<(), StoreError> {
        let has_stores: bool =
            self.lock()
                .query_row("SELECT EXISTS (SELECT 1 FROM stores)", [], |r| r.get(0))?;
        let stores_file = dir.join("stores.csv");
        if has_stores || !stores_file.exists() {
            return Ok(());
        }
        self.import_stores_csv(&stores_file)?;
        let fixture = |file: &Path, message: String| StoreError::Fixture {
            file: file.display().to_string(),
            message,
        };
        #[derive(serde::Deserialize)]
        struct Shelf {
            store_id: String,
            gtin: String,
            quantity: u32,
        }
        let stock_file = dir.join("chain_stock.csv");
        let shelves: Vec<Shelf> = if stock_file.exists() {
            csv::Reader::from_path(&stock_file)
                .and_then(|mut r| r.deserialize().collect::<Result<_, _>>())
                .map_err(|e| fixture(&stock_file, e.to_string()))?
        } else {
            Vec::new()
        };
        let now = now();
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for shelf in shelves.iter().filter(|s| s.store_id != own_store) {
            let gtin = parse_gtin(&shelf.gtin).map_err(|e| fixture(&stock_file, e.to_string()))?;
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO store_stock VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (store_id, gtin) DO UPDATE SET quantity = ?3, updated_at = ?4, seq = ?5",
                params![shelf.store_id, gtin.as_i64(), shelf.quantity, now, seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Reads an order request body as the server does, and checks it as far as it can without
    /// a catalog (the fuzz target drives this; bad bytes are an error, never a panic).
    #[doc(hidden)]
    pub fn check_order_body(body: &[u8]) -> Result<i64, StoreError> {
        let req: OrderRequest =
            serde_json::from_slice(body).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Self::validate_order(&req)?;
        let _ = req.redact(&String::from_utf8_lossy(body));
        req.total_cents()
            .ok_or_else(|| StoreError::Invalid("the order's total is out of range".into()))
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
        if a.country.len() != 2 || !a.country.chars().all(|c| c.is_ascii_uppercase()) {
            return bad("ship_to.country: an ISO 3166-1 alpha-2 code such as \"DE\"");
        }
        if req.fulfilment.is_home() {
            for (field, value) in [
                ("ship_to.name", &a.name),
                ("ship_to.line1", &a.line1),
                ("ship_to.postal_code", &a.postal_code),
                ("ship_to.city", &a.city),
            ] {
                // Well-formed, but no parcel could arrive.
                if value.trim().is_empty() {
                    return Err(StoreError::InvalidAddress(format!(
                        "{field}: required for home delivery"
                    )));
                }
            }
        } else {
            // Collected in a store: the shopper's name and a contact, never a street address
            // (nothing is kept that the order does not need).
            if a.name.trim().is_empty() {
                return bad("ship_to.name: required");
            }
            if [&a.line1, &a.line2, &a.postal_code, &a.city]
                .iter()
                .any(|v| !v.is_empty())
            {
                return Err(StoreError::InvalidAddress(
                    "ship_to: an order collected in a store carries only a name (and the store's country)"
                        .into(),
                ));
            }
        }
        if req.contact.email.trim().is_empty() && req.contact.phone.trim().is_empty() {
            return bad("contact: an email or a phone number is required");
        }
        // The same rules as the kiosk's form (it must not be trusted to have used them). The
        // message names the field, never the value: it may be logged.
        if req.fulfilment.is_home() {
            crate::domain::address::check_postcode(&a.country, &a.postal_code).map_err(|e| {
                StoreError::InvalidAddress(match e {
                    crate::domain::address::AddressError::UnknownCountry(_) => {
                        "ship_to.country: not a country this warehouse ships to".to_owned()
                    }
                    _ => format!(
                        "ship_to.postal_code: not a postcode of {} (for example {})",
                        a.country,
                        crate::domain::address::country(&a.country).map_or("", |c| c.example())
                    ),
                })
            })?;
        }
        if !req.contact.email.trim().is_empty()
            && crate::domain::address::check_email(&req.contact.email).is_err()
        {
            return Err(StoreError::InvalidAddress(
                "contact.email: not an e-mail address".into(),
            ));
        }
        if req.kiosk_order_id.trim().is_empty()
            || req.kiosk_order_id.chars().count() > 64
            || req.kiosk_order_id.chars().any(char::is_control)
        {
            return bad("kiosk_order_id: 1 to 64 characters, no control characters");
        }
        if req.currency.len() != 3 || !req.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return bad("currency: an ISO 4217 code such as \"EUR\"");
        }
        if req.lines.len() > 20 {
            return bad("lines: at most 20 lines");
        }
        req.check_shopper_text().map_err(StoreError::Invalid)?;
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
        let request_sha256 = text_sha256(&canonical);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let previous: Option<(String, String)> = tx
            .query_row(
                "SELECT request_sha256, response FROM orders WHERE store_id = ?1 AND idempotency_key = ?2",
                (store_id, idempotency_key),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((previous_sha256, response)) = previous {
            if previous_sha256 != request_sha256 {
                return Err(StoreError::IdempotencyMismatch);
            }
            let response: OrderResponse =
                serde_json::from_str(&response).map_err(|e| StoreError::Storage(e.to_string()))?;
            return Ok(OrderOutcome::Replayed(response));
        }
        Self::validate_order(req)?;
        // Prices, shipping and the total are the warehouse's own figures; the order's must
        // match them (the shopper saw them), and every sum is checked. Collected in a store,
        // nothing is shipped to the shopper: no shipping cost.
        let shipping = if req.fulfilment.is_home() {
            self.shipping_cents
        } else {
            0
        };
        if req.shipping_cents != shipping {
            return Err(StoreError::PriceChanged(format!(
                "shipping costs {shipping} (the order says {})",
                req.shipping_cents
            )));
        }
        let now = now();
        let holding_store = match &req.fulfilment {
            Fulfilment::PickUp { store_id: holding } => {
                let known: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM stores WHERE store_id = ?1)",
                    [holding],
                    |r| r.get(0),
                )?;
                if !known || holding == store_id {
                    return Err(StoreError::InvalidAddress(format!(
                        "fulfilment.store_id: {holding:?} is not another store of the chain"
                    )));
                }
                Some(holding.clone())
            }
            _ => None,
        };
        let overflow = || StoreError::Invalid("the order's total is out of range".into());
        let mut total = shipping;
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
                // A well-formed GTIN this catalog does not hold: a fact about the catalog,
                // not a malformed request (409, like a size no longer sold).
                return Err(StoreError::OutOfStock(format!(
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
            // The reservation: succeeds only while enough pairs remain — at the distribution
            // centre, or on the holding store's shelf (its stock feed shows the pair gone).
            let reserved = match &holding_store {
                None => tx.execute(
                    "UPDATE dc_stock SET quantity = quantity - ?2 WHERE gtin = ?1 AND quantity >= ?2",
                    params![gtin.as_i64(), line.quantity],
                )?,
                Some(holding) => {
                    let seq = next_seq(&tx)?;
                    tx.execute(
                        "UPDATE store_stock SET quantity = quantity - ?3, updated_at = ?4, seq = ?5
                          WHERE store_id = ?1 AND gtin = ?2 AND quantity >= ?3",
                        params![holding, gtin.as_i64(), line.quantity, now, seq],
                    )?
                }
            };
            if reserved == 0 {
                return Err(StoreError::OutOfStock(format!(
                    "{gtin} is no longer available"
                )));
            }
            total = price
                .checked_mul(i64::from(line.quantity))
                .and_then(|line_total| total.checked_add(line_total))
                .ok_or_else(overflow)?;
            currency = style_currency;
        }
        let expires_at = holding_store.as_ref().map(|_| {
            jiff::Timestamp::now()
                .checked_add(self.pickup_hold)
                .unwrap_or(jiff::Timestamp::MAX)
                .round(jiff::Unit::Second)
                .unwrap_or(jiff::Timestamp::MAX)
                .to_string()
        });
        let response = OrderResponse {
            order_id: format!("WH-{}", uuid::Uuid::new_v4().simple()),
            kiosk_order_id: req.kiosk_order_id.clone(),
            status: OrderState::Confirmed,
            created_at: now.clone(),
            // A hold is there today; everything else comes from the distribution centre.
            delivery_estimate: match holding_store {
                Some(_) => None,
                None => delivery_estimate(DELIVERY_DAYS),
            },
            total_cents: total,
            currency,
            pickup: holding_store
                .clone()
                .zip(expires_at.clone())
                .map(|(store_id, expires_at)| PickUpHold {
                    store_id,
                    expires_at,
                }),
        };
        let response_json =
            serde_json::to_string(&response).map_err(|e| StoreError::Storage(e.to_string()))?;
        let kept = serde_json::to_string(&without_shopper(req))
            .map_err(|e| StoreError::Storage(e.to_string()))?;
        tx.execute(
            "INSERT INTO orders (order_id, store_id, idempotency_key, request_json, response,
                                 created_at, request_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                response.order_id,
                store_id,
                idempotency_key,
                kept,
                response_json,
                response.created_at,
                request_sha256
            ],
        )?;
        tx.execute(
            "INSERT INTO order_shoppers VALUES (?1, ?2, ?3, ?4)",
            params![
                response.order_id,
                serde_json::to_string(&req.ship_to)
                    .map_err(|e| StoreError::Storage(e.to_string()))?,
                serde_json::to_string(&req.contact)
                    .map_err(|e| StoreError::Storage(e.to_string()))?,
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
        // The counter's pick list: a hold at the other store, or a parcel coming here. An
        // order collected in a store has one line (the kiosk orders one pair).
        if let (false, Some(line)) = (req.fulfilment.is_home(), req.lines.first()) {
            tx.execute(
                "INSERT INTO pickups (order_id, kind, holding_store, ordering_store, code, gtin,
                                      quantity, ordered_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    response.order_id,
                    if holding_store.is_some() {
                        "hold"
                    } else {
                        "arriving"
                    },
                    holding_store.as_deref().unwrap_or(store_id),
                    store_id,
                    req.kiosk_order_id,
                    parse_gtin(&line.gtin)?.as_i64(),
                    line.quantity,
                    now,
                    expires_at
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
        let mut response: OrderResponse =
            serde_json::from_str(&response).map_err(|e| StoreError::Storage(e.to_string()))?;
        // Collected is delivered; a hold that ended uncollected is cancelled.
        let state: Option<String> = self
            .lock()
            .query_row(
                "SELECT state FROM pickups WHERE order_id = ?1",
                [order_id],
                |r| r.get(0),
            )
            .optional()?;
        match state.as_deref() {
            Some("collected") => response.status = OrderState::Delivered,
            Some("expired") => response.status = OrderState::Cancelled,
            _ => {}
        }
        Ok(response)
    }

    /// Keeps a shopper's "tell me when it is back" for `gtin`; asking again for the same size
    /// and address renews it (one mail, never two).
    pub fn create_stock_alert(
        &self,
        store_id: &str,
        req: &StockAlertRequest,
    ) -> Result<StockAlertResponse, StoreError> {
        let gtin = parse_gtin(&req.gtin)?;
        let lang = req.lang.trim();
        if lang.len() > 35 || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(StoreError::Invalid(
                "lang: a language tag such as \"es\"".into(),
            ));
        }
        let email = req.email.trim();
        // The message names the field, never the value: it may be logged.
        if crate::domain::address::check_email(email).is_err() {
            return Err(StoreError::InvalidAddress(
                "email: not an e-mail address".into(),
            ));
        }
        let known: bool = self.lock().query_row(
            "SELECT EXISTS (SELECT 1 FROM variants WHERE gtin = ?1 AND NOT discontinued)",
            [gtin.as_i64()],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::OutOfStock(format!(
                "gtin {gtin}: not a size this chain sells"
            )));
        }
        let days = req
            .keep_days
            .map_or(self.stock_alert_days, |d| d.clamp(1, self.stock_alert_days));
        let created = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now());
        let expires_at = created
            .checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
            .unwrap_or(jiff::Timestamp::MAX)
            .to_string();
        let alert_id = format!("SA-{}", uuid::Uuid::new_v4().simple());
        let alert_id: String = self.lock().query_row(
            "INSERT INTO stock_alerts (alert_id, store_id, gtin, email, lang, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (store_id, gtin, email) DO UPDATE SET lang = ?5, expires_at = ?7
             RETURNING alert_id",
            params![
                alert_id,
                store_id,
                gtin.as_i64(),
                email,
                lang,
                created.to_string(),
                expires_at
            ],
            |r| r.get(0),
        )?;
        Ok(StockAlertResponse {
            alert_id,
            to: crate::warehouse::protocol::mask_email(email),
            days,
            expires_at,
        })
    }

    /// Requests whose size is back — at the distribution centre, or on the shelf of the store
    /// that took the request — as mails for the chain's mailer.
    pub fn due_stock_alerts(&self) -> Result<Vec<StockAlertMail>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT a.alert_id, a.email, a.lang, a.gtin, a.store_id,
                    s.brand || ' ' || s.name || ' · ' || s.colour || ' · ' || v.size_mm || ' mm '
                      || v.width || ' (' || s.style_code || ')'
               FROM stock_alerts a
               JOIN variants v ON v.gtin = a.gtin
               JOIN styles s USING (style_code)
              WHERE a.expires_at > ?1
                AND (EXISTS (SELECT 1 FROM dc_stock d WHERE d.gtin = a.gtin AND d.quantity > 0)
                     OR EXISTS (SELECT 1 FROM store_stock t
                                 WHERE t.store_id = a.store_id AND t.gtin = a.gtin
                                   AND t.quantity > 0))",
        )?;
        let rows = stmt.query_map([now()], |r| {
            Ok(StockAlertMail {
                kind: "back_in_stock".into(),
                alert_id: r.get(0)?,
                to: r.get(1)?,
                lang: r.get(2)?,
                gtin: gtin_text(r.get(3)?),
                store_id: r.get(4)?,
                style: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The mail for `alert_id` went to the mailer: the request and its address go (and the
    /// log is checkpointed, so no copy of the address stays in it).
    pub fn stock_alert_sent(&self, alert_id: &str) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute("DELETE FROM stock_alerts WHERE alert_id = ?1", [alert_id])?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Requests past their time go, with their addresses, overwritten in the file and the log.
    /// Returns how many.
    pub fn purge_expired_stock_alerts(&self) -> Result<u64, StoreError> {
        let conn = self.lock();
        let n = conn.execute("DELETE FROM stock_alerts WHERE expires_at <= ?1", [now()])?;
        if n > 0 {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n as u64)
    }

    /// Keeps `kiosk_id`'s latest heartbeat (one row per kiosk).
    pub fn record_heartbeat(
        &self,
        store_id: &str,
        kiosk_id: &str,
        heartbeat: &Heartbeat,
    ) -> Result<(), StoreError> {
        if kiosk_id.is_empty()
            || kiosk_id.len() > 64
            || !kiosk_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(StoreError::Invalid(
                "kiosk_id: 1-64 letters, digits, '-' or '_'".into(),
            ));
        }
        if heartbeat.problems.len() > 20
            || heartbeat.problems.iter().any(|p| p.chars().count() > 500)
            || heartbeat.version.chars().count() > 64
            || heartbeat.camera.chars().count() > 32
        {
            return Err(StoreError::Invalid(
                "heartbeat: at most 20 problems of 500 characters; version and camera short".into(),
            ));
        }
        let json =
            serde_json::to_string(heartbeat).map_err(|e| StoreError::Storage(e.to_string()))?;
        self.lock().execute(
            "INSERT INTO kiosks (store_id, kiosk_id, received_at, heartbeat) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (store_id, kiosk_id) DO UPDATE SET received_at = ?3, heartbeat = ?4",
            params![store_id, kiosk_id, now(), json],
        )?;
        Ok(())
    }

    /// Every kiosk that ever reported, by store and kiosk; `stale_after`: no heartbeat for
    /// longer marks it stale.
    pub fn fleet(&self, stale_after: std::time::Duration) -> Result<Vec<FleetKiosk>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT store_id, kiosk_id, received_at, heartbeat FROM kiosks
              ORDER BY store_id, kiosk_id",
        )?;
        let now = jiff::Timestamp::now();
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut fleet = Vec::new();
        for row in rows {
            let (store_id, kiosk_id, received_at, json) = row?;
            let heartbeat: Heartbeat =
                serde_json::from_str(&json).map_err(|e| StoreError::Storage(e.to_string()))?;
            let age_s = received_at
                .parse::<jiff::Timestamp>()
                .map(|t| now.duration_since(t).as_secs().max(0) as u64)
                .unwrap_or(u64::MAX);
            fleet.push(FleetKiosk {
                store_id,
                kiosk_id,
                received_at,
                age_s,
                stale: age_s > stale_after.as_secs(),
                heartbeat,
            });
        }
        Ok(fleet)
    }

    /// Requests waiting (tests and `config check`).
    pub fn stock_alert_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM stock_alerts", [], |r| r.get(0))?)
    }

    /// Holds whose time is up go back on their store's shelf (with a new change, so that
    /// store's kiosks see the pair again). Returns how many ended.
    pub fn release_expired_holds(&self) -> Result<u64, StoreError> {
        let now = now();
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ended: Vec<(String, String, i64, u32)> = tx
            .prepare(
                "SELECT order_id, holding_store, gtin, quantity FROM pickups
                  WHERE state = 'open' AND kind = 'hold' AND expires_at <= ?1",
            )?
            .query_map([&now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        for (order_id, holding, gtin, quantity) in &ended {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO store_stock VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (store_id, gtin) DO UPDATE SET quantity = quantity + ?3,
                                                            updated_at = ?4, seq = ?5",
                params![holding, gtin, quantity, now, seq],
            )?;
            tx.execute(
                "UPDATE pickups SET state = 'expired' WHERE order_id = ?1",
                [order_id],
            )?;
        }
        tx.commit()?;
        Ok(ended.len() as u64)
    }

    /// What `holding_store`'s counter hands over: open holds and parcels, oldest first, or
    /// every pick-up of the last 30 days with `all`.
    pub fn pickups(&self, holding_store: &str, all: bool) -> Result<Vec<Pickup>, StoreError> {
        self.release_expired_holds()?;
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT p.code, p.order_id, p.kind, p.state, p.gtin, p.quantity, p.ordering_store,
                    p.ordered_at, p.expires_at, s.brand, s.name, s.colour, v.size_mm, v.width,
                    s.style_code
               FROM pickups p
               JOIN variants v ON v.gtin = p.gtin
               JOIN styles s USING (style_code)
              WHERE p.holding_store = ?1 AND (?2 OR p.state = 'open')
                AND p.ordered_at >= ?3
              ORDER BY p.ordered_at",
        )?;
        let since = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(30 * 24))
            .unwrap_or(jiff::Timestamp::MIN)
            .to_string();
        let rows = stmt.query_map(params![holding_store, all, since], |r| {
            let size_mm: u32 = r.get(12)?;
            let width: String = r.get(13)?;
            Ok(Pickup {
                code: r.get(0)?,
                order_id: r.get(1)?,
                kind: r.get(2)?,
                state: r.get(3)?,
                gtin: gtin_text(r.get(4)?),
                quantity: r.get(5)?,
                ordering_store: r.get(6)?,
                ordered_at: r.get(7)?,
                expires_at: r.get(8)?,
                style: format!(
                    "{} {} · {} · {} mm {} ({})",
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, String>(11)?,
                    size_mm,
                    width,
                    r.get::<_, String>(14)?
                ),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The shopper collected order `code` at `holding_store`'s counter. Saying it twice is
    /// harmless; a hold that already ended is refused (its pair went back on the shelf).
    pub fn collect(&self, holding_store: &str, code: &str) -> Result<Pickup, StoreError> {
        self.release_expired_holds()?;
        let state: Option<String> = self
            .lock()
            .query_row(
                "SELECT state FROM pickups WHERE holding_store = ?1 AND code = ?2",
                [holding_store, code],
                |r| r.get(0),
            )
            .optional()?;
        match state.as_deref() {
            None => return Err(StoreError::NotFound),
            Some("expired") => {
                return Err(StoreError::Conflict(
                    "the hold ended before it was collected; the pair went back on the shelf"
                        .into(),
                ));
            }
            Some("open") => {
                self.lock().execute(
                    "UPDATE pickups SET state = 'collected' WHERE holding_store = ?1 AND code = ?2",
                    [holding_store, code],
                )?;
            }
            _ => {}
        }
        self.pickups(holding_store, true)?
            .into_iter()
            .find(|p| p.code == code)
            .ok_or(StoreError::NotFound)
    }

    /// Queues the order code for the mailer, for an order of `store_id` whose shopper gave an
    /// e-mail (and whose details are still kept). At most three per order: a kiosk button must
    /// not become a way to flood someone's inbox.
    pub fn request_code_email(
        &self,
        store_id: &str,
        order_id: &str,
    ) -> Result<CodeEmailResponse, StoreError> {
        self.order(store_id, order_id)?;
        let contact = self.order_shopper(order_id)?.map(|(_, contact)| contact);
        let Some(email) = contact.map(|c| c.email).filter(|e| !e.trim().is_empty()) else {
            return Err(StoreError::Conflict(
                "this order has no e-mail address (or its details are no longer kept)".into(),
            ));
        };
        let conn = self.lock();
        let sent: u64 = conn.query_row(
            "SELECT count(*) FROM code_emails WHERE order_id = ?1",
            [order_id],
            |r| r.get(0),
        )?;
        if sent >= 3 {
            return Err(StoreError::Conflict(
                "the code of this order was already sent three times".into(),
            ));
        }
        conn.execute(
            "INSERT INTO code_emails (order_id, requested_at) VALUES (?1, ?2)",
            (order_id, now()),
        )?;
        Ok(CodeEmailResponse {
            to: crate::warehouse::protocol::mask_email(&email),
        })
    }

    pub fn code_email_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM code_emails", [], |r| r.get(0))?)
    }

    /// The latest associate request: what staff are asked to bring, and where.
    pub fn last_associate_request(&self) -> Result<Option<AssociateRequest>, StoreError> {
        let row: Option<(i64, String, String, String, String)> = self
            .lock()
            .query_row(
                "SELECT gtin, size_label, kiosk_id, style, also FROM associate_requests
                 ORDER BY rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        Ok(row.map(
            |(gtin, size_label, kiosk_id, style, also)| AssociateRequest {
                gtin: if gtin == 0 {
                    String::new()
                } else {
                    format!("{gtin:014}")
                },
                size_label,
                kiosk_id,
                style,
                also: serde_json::from_str(&also).unwrap_or_default(),
            },
        ))
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
        if req.also.len() > 2 {
            return Err(StoreError::Invalid("also: at most two more sizes".into()));
        }
        for extra in &req.also {
            parse_gtin(&extra.gtin)?;
        }
        let also_labels = req
            .also
            .iter()
            .map(|a| ("also.size_label", &a.size_label, 40));
        for (field, value, max) in [
            ("size_label", &req.size_label, 40),
            ("kiosk_id", &req.kiosk_id, 64),
            ("style", &req.style, 200),
        ]
        .into_iter()
        .chain(also_labels)
        {
            if value.chars().count() > max
                || value
                    .chars()
                    .any(crate::warehouse::protocol::is_forbidden_in_shopper_text)
            {
                return Err(StoreError::Invalid(format!(
                    "{field}: at most {max} characters, no control characters"
                )));
            }
        }
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
            "INSERT INTO associate_requests
                 (request_id, store_id, gtin, size_label, kiosk_id, created_at, style, also)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                response.request_id,
                store_id,
                gtin,
                req.size_label,
                req.kiosk_id,
                response.created_at,
                req.style,
                serde_json::to_string(&req.also).unwrap_or_else(|_| "[]".into()),
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

    /// Pairs of `gtin` on `store_id`'s shelf, as the chain knows it.
    pub fn store_stock(&self, store_id: &str, gtin: Gtin) -> Result<Option<u32>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT quantity FROM store_stock WHERE store_id = ?1 AND gtin = ?2",
                params![store_id, gtin.as_i64()],
                |r| r.get(0),
            )
            .optional()?)
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
