//! The reference warehouse's data behind one interface ([`Backend`]) with two implementations:
//! SQLite ([`sqlite`], one file, one writer: the embedded demo and small installs) and
//! PostgreSQL ([`postgres`], one database shared by any number of `warehouse serve` processes).
//! Both keep the same guarantees: a reservation and its order are one atomic step (two kiosks
//! racing for the last pair get one order and one refusal), an Idempotency-Key gives one order,
//! tokens are kept as hashes and scoped to a store, and the change feeds' cursors never skip a
//! change. The rules that are not storage (what a valid order, heartbeat or store is) live in
//! [`rules`], once for both.

pub mod postgres;
pub mod rules;
pub mod sqlite;

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use thiserror::Error;

use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::{
    Address, AssociateRequest, AssociateResponse, Availability, CatalogPage, CodeEmailResponse,
    Contact, DaySummary, FleetKiosk, Heartbeat, Location, OrderRequest, OrderResponse, Pickup,
    StockAlertMail, StockAlertRequest, StockAlertResponse, StockPage,
};

use super::report::ChainReport;
pub use postgres::PostgresWarehouse;
pub use sqlite::SqliteWarehouse;

/// Working days from order to door for anything the distribution centre holds.
pub const DELIVERY_DAYS: u32 = 3;

/// Days a back-in-stock request is kept unless the server is told otherwise.
pub const DEFAULT_STOCK_ALERT_DAYS: u32 = 90;

/// Hours a pick-up reservation is held unless the server is told otherwise.
pub const DEFAULT_PICKUP_HOLD_HOURS: u32 = 48;

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
    /// Well-formed and of the documented shape, but not meaningful (a date that does not
    /// exist, a day not begun yet, a row given twice).
    #[error("{0}")]
    Unprocessable(String),
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

/// Where a token came from, which decides how it ends (see sqlite.sql).
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
    pub fn as_str(self) -> &'static str {
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

/// The chain's terms a server applies (the same for every back-end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Shipping charged per order delivered home (0: free delivery).
    pub shipping_cents: i64,
    /// How long a pair reserved for pick-up is held before it goes back on the shelf.
    pub pickup_hold_hours: u32,
    /// Days a "tell me when it is back" address is kept at most.
    pub stock_alert_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            shipping_cents: 0,
            pickup_hold_hours: DEFAULT_PICKUP_HOLD_HOURS,
            stock_alert_days: DEFAULT_STOCK_ALERT_DAYS,
        }
    }
}

/// A position in a change feed: after the change `seq` written by transaction `txid`.
///
/// SQLite has one writer, so its sequence numbers are handed out in commit order and `txid` is
/// always 0 (its cursors are plain digits). PostgreSQL's are not: see `postgres.rs`. Both read
/// either form, so a cursor is never refused only for its shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub txid: i64,
    pub seq: i64,
}

impl Cursor {
    /// `""` (the beginning), `SEQ` or `TXID-SEQ`, each number up to 19 digits.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let number = |part: &str| {
            (!part.is_empty() && part.len() <= 19 && part.bytes().all(|b| b.is_ascii_digit())).then(
                || {
                    part.parse::<u64>()
                        .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX))
                },
            )
        };
        let bad = || StoreError::Invalid(format!("cursor {text:?} is not one this server issued"));
        if text.is_empty() {
            return Ok(Self::default());
        }
        match text.split_once('-') {
            None => Ok(Self {
                txid: 0,
                seq: number(text).ok_or_else(bad)?,
            }),
            Some((txid, seq)) => Ok(Self {
                txid: number(txid).ok_or_else(bad)?,
                seq: number(seq).ok_or_else(bad)?,
            }),
        }
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.txid == 0 {
            write!(f, "{}", self.seq)
        } else {
            write!(f, "{}-{}", self.txid, self.seq)
        }
    }
}

/// Everything the reference warehouse keeps, whatever keeps it. Methods block (they are
/// called on tokio's blocking pool by the HTTP handlers, and directly by the CLI and tests).
pub trait Backend: Send + Sync {
    /// "SQLite" or "PostgreSQL", for logs and `--help` answers.
    fn kind(&self) -> &'static str;
    fn set_policy(&self, policy: Policy);
    fn policy(&self) -> Policy;

    fn is_empty(&self) -> Result<bool, StoreError>;

    // Tokens.
    /// Registers a token (kept until revoked) and returns its id.
    fn add_token(&self, token: &str, store_id: &str) -> Result<String, StoreError>;
    /// Makes `tokens` the whole set of `source`'s tokens: those given before and not now stop
    /// working.
    fn replace_tokens(
        &self,
        source: TokenSource,
        tokens: &[(String, String)],
    ) -> Result<(), StoreError>;
    /// Revokes the token with this id; `false` if there is none.
    fn revoke_token(&self, id: &str) -> Result<bool, StoreError>;
    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// The store a bearer token belongs to (looked up by its hash, compared in constant time).
    fn store_for_token(&self, token: &str) -> Result<Option<String>, StoreError>;

    // Shopper details and their retention.
    /// Deletes the address and contact of orders created more than `days` ago; the orders
    /// stay. Returns how many.
    fn purge_shopper_details(&self, days: u32) -> Result<u64, StoreError>;
    /// The shipping address and contact of an order, while they are kept.
    fn order_shopper(&self, order_id: &str) -> Result<Option<(Address, Contact)>, StoreError>;

    // The demo data and the chain's stores.
    /// Loads the demo catalog, the distribution centre's and `store_id`'s stock.
    fn seed_from_fixtures(&self, dir: &Path, store_id: &str) -> Result<(), StoreError>;
    /// Loads the chain's other stores and their shelves from the demo fixtures, once.
    fn seed_chain_from_fixtures(&self, dir: &Path, own_store: &str) -> Result<(), StoreError>;
    /// Adds or changes the stores of a CSV file: all or nothing. Returns how many.
    fn import_stores_csv(&self, file: &Path) -> Result<usize, StoreError>;
    /// Where `store_id`'s counter is told of a pair held there, if anywhere.
    fn pickup_webhook(&self, store_id: &str) -> Result<Option<String>, StoreError>;
    /// The chain's stores, by id.
    fn stores(&self) -> Result<Vec<Location>, StoreError>;

    // The feeds and availability.
    fn catalog_page(
        &self,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<CatalogPage, StoreError>;
    fn stock_page(
        &self,
        store_id: &str,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<StockPage, StoreError>;
    /// What the distribution centre can ship of each of `gtins`, and which of the chain's
    /// other stores (nearest to `asking_store` first) have it, those stores described once.
    fn availability(
        &self,
        asking_store: &str,
        gtins: &[String],
    ) -> Result<(Vec<Availability>, Vec<Location>), StoreError>;

    // Orders and pick-ups.
    /// Creates an order, reserving stock in the same transaction; a repeated key with the same
    /// request returns the original order, with a different request is refused.
    fn create_order(
        &self,
        store_id: &str,
        idempotency_key: &str,
        req: &OrderRequest,
    ) -> Result<OrderOutcome, StoreError>;
    fn order(&self, store_id: &str, order_id: &str) -> Result<OrderResponse, StoreError>;
    fn order_count(&self) -> Result<u64, StoreError>;
    /// Queues the order code for the mailer (at most three per order).
    fn request_code_email(
        &self,
        store_id: &str,
        order_id: &str,
    ) -> Result<CodeEmailResponse, StoreError>;
    fn code_email_count(&self) -> Result<u64, StoreError>;
    /// Holds whose time is up go back on their store's shelf. Returns how many ended.
    fn release_expired_holds(&self) -> Result<u64, StoreError>;
    /// What `holding_store`'s counter hands over: open ones, or the last 30 days with `all`.
    fn pickups(&self, holding_store: &str, all: bool) -> Result<Vec<Pickup>, StoreError>;
    /// The shopper collected order `code` at `holding_store` (twice is harmless; an ended
    /// hold is refused).
    fn collect(&self, holding_store: &str, code: &str) -> Result<Pickup, StoreError>;

    // Back-in-stock requests.
    fn create_stock_alert(
        &self,
        store_id: &str,
        req: &StockAlertRequest,
    ) -> Result<StockAlertResponse, StoreError>;
    /// Requests whose size is back, as mails for the chain's mailer.
    fn due_stock_alerts(&self) -> Result<Vec<StockAlertMail>, StoreError>;
    /// The mail went to the mailer: the request and its address go.
    fn stock_alert_sent(&self, alert_id: &str) -> Result<(), StoreError>;
    /// Requests past their time go, with their addresses. Returns how many.
    fn purge_expired_stock_alerts(&self) -> Result<u64, StoreError>;
    fn stock_alert_count(&self) -> Result<u64, StoreError>;

    // The store's staff and the fleet.
    fn associate_request(
        &self,
        store_id: &str,
        req: &AssociateRequest,
    ) -> Result<AssociateResponse, StoreError>;
    fn last_associate_request(&self) -> Result<Option<AssociateRequest>, StoreError>;
    fn associate_request_count(&self) -> Result<u64, StoreError>;
    /// Keeps `kiosk_id`'s latest heartbeat (one row per kiosk).
    fn record_heartbeat(
        &self,
        store_id: &str,
        kiosk_id: &str,
        heartbeat: &Heartbeat,
    ) -> Result<(), StoreError>;
    /// Every kiosk that ever reported, by store and kiosk; silent for longer than
    /// `stale_after`: stale.
    fn fleet(&self, stale_after: std::time::Duration) -> Result<Vec<FleetKiosk>, StoreError>;

    // The chain's analytics.
    /// Keeps a kiosk's finished day, replacing what it sent for that day before.
    fn record_day_summary(
        &self,
        store_id: &str,
        kiosk_id: &str,
        summary: &DaySummary,
    ) -> Result<(), StoreError>;
    /// Lost sales by style × size × store and each store's totals, days `from` to `to`
    /// (YYYY-MM-DD, both included).
    fn chain_report(&self, from: &str, to: &str) -> Result<ChainReport, StoreError>;

    // Changes made at the chain's end (admin operations; tests use them).
    fn set_price(&self, style_code: &str, price_cents: i64) -> Result<(), StoreError>;
    fn discontinue(&self, gtin: Gtin) -> Result<(), StoreError>;
    fn set_store_stock(&self, store_id: &str, gtin: Gtin, quantity: u32) -> Result<(), StoreError>;
    /// Pairs of `gtin` on `store_id`'s shelf, as the chain knows it.
    fn store_stock(&self, store_id: &str, gtin: Gtin) -> Result<Option<u32>, StoreError>;
    fn set_dc_stock(&self, gtin: Gtin, quantity: u32) -> Result<(), StoreError>;
    fn dc_stock(&self, gtin: Gtin) -> Result<u32, StoreError>;
}

/// The warehouse's data, shared by the server's handlers: either back-end behind one handle.
#[derive(Clone)]
pub struct WarehouseStore {
    backend: Arc<dyn Backend>,
    sqlite: Option<Arc<SqliteWarehouse>>,
}

impl Deref for WarehouseStore {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        self.backend.as_ref()
    }
}

/// True for a `postgres://` or `postgresql://` URL (or a libpq `key=value` string naming a
/// host), false for a SQLite file path.
pub fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://")
        || location.starts_with("postgresql://")
        || location.starts_with("host=")
}

/// `location` as it may be shown: a URL's password replaced by `***`.
pub fn shown(location: &str) -> String {
    match url::Url::parse(location) {
        Ok(mut url) if is_postgres(location) && url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ if location.starts_with("host=") => location
            .split_whitespace()
            .map(|pair| {
                if pair.starts_with("password=") {
                    "password=***"
                } else {
                    pair
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => location.to_owned(),
    }
}

impl WarehouseStore {
    /// A SQLite file (created if missing).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let sqlite = Arc::new(SqliteWarehouse::open(path)?);
        Ok(Self {
            backend: sqlite.clone(),
            sqlite: Some(sqlite),
        })
    }

    /// `postgres://…` (migrated to this version's schema), or else a SQLite file path.
    pub fn open_location(location: &str) -> Result<Self, StoreError> {
        if is_postgres(location) {
            Ok(Self {
                backend: Arc::new(PostgresWarehouse::connect(location)?),
                sqlite: None,
            })
        } else {
            Self::open(Path::new(location))
        }
    }

    fn with_policy(self, change: impl FnOnce(&mut Policy)) -> Self {
        let mut policy = self.backend.policy();
        change(&mut policy);
        self.backend.set_policy(policy);
        self
    }

    /// Days a back-in-stock address is kept at most (1 to 365).
    pub fn with_stock_alert_days(self, days: u32) -> Self {
        self.with_policy(|p| p.stock_alert_days = days.clamp(1, 365))
    }

    /// Hours a pick-up reservation is held (1 to 720).
    pub fn with_pickup_hold_hours(self, hours: u32) -> Self {
        self.with_policy(|p| p.pickup_hold_hours = hours.clamp(1, 720))
    }

    /// Shipping charged per order delivered home (0: free delivery, shown up front).
    pub fn with_shipping_cents(self, cents: i64) -> Self {
        self.with_policy(|p| p.shipping_cents = cents)
    }

    /// Runs `f` in one SQLite write transaction: for tools that fill a SQLite warehouse in
    /// bulk (`kiosk::devtools`).
    pub fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.sqlite {
            Some(sqlite) => sqlite.write(f),
            None => Err(StoreError::Invalid(
                "generated bulk data is written to a SQLite warehouse only".into(),
            )),
        }
    }

    /// Reads an order request body as the server does, and checks it as far as it can without
    /// a catalog (the fuzz target drives this; bad bytes are an error, never a panic).
    #[doc(hidden)]
    pub fn check_order_body(body: &[u8]) -> Result<i64, StoreError> {
        rules::check_order_body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_both_forms_and_refuse_anything_else() {
        assert_eq!(Cursor::parse("").unwrap(), Cursor::default());
        assert_eq!(Cursor::parse("42").unwrap(), Cursor { txid: 0, seq: 42 });
        assert_eq!(Cursor::parse("7-42").unwrap(), Cursor { txid: 7, seq: 42 });
        for text in ["7-42", "42"] {
            assert_eq!(Cursor::parse(text).unwrap().to_string(), text, "round trip");
        }
        assert_eq!(
            Cursor::parse("99999999999999999999").ok(),
            None,
            "20 digits"
        );
        assert_eq!(
            Cursor::parse("9999999999999999999").unwrap().seq,
            i64::MAX,
            "past every change"
        );
        for bad in ["-1", "1-", "a", "1-2-3", " 1", "+1"] {
            assert!(Cursor::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_database_location_is_shown_without_its_password() {
        assert_eq!(
            shown("postgres://kiosk:s3cret@db.example/warehouse"),
            "postgres://kiosk:***@db.example/warehouse"
        );
        assert_eq!(
            shown("host=/run/postgresql user=kiosk password=s3cret dbname=w"),
            "host=/run/postgresql user=kiosk password=*** dbname=w"
        );
        assert_eq!(
            shown("/var/lib/kiosk/warehouse.sqlite3"),
            "/var/lib/kiosk/warehouse.sqlite3"
        );
        assert!(is_postgres("postgresql://x/y") && !is_postgres("warehouse.sqlite3"));
    }
}
