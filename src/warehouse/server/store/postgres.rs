//! The reference warehouse on PostgreSQL: one database shared by any number of
//! `kiosk warehouse serve` processes behind a load balancer. No server keeps state another
//! needs: tokens, orders, holds, stock and the feeds' positions are all in the database (only
//! the rate limits are per process: a token may send `--rate` to each server).
//!
//! How the guarantees hold with several writers:
//! - **The last pair**: `UPDATE … SET quantity = quantity - n WHERE … AND quantity >= n`. Two
//!   transactions racing for one row are serialised by its row lock, and the second re-reads
//!   the row after the first commits, so it finds 0 and reserves nothing.
//! - **One order per Idempotency-Key**: a transaction-scoped advisory lock on (store, key)
//!   before looking for the key, so a repeat waits for the first and then finds its order.
//! - **Feeds that never skip a change**: a sequence number alone cannot be a cursor here.
//!   Transaction A may take number 10, B number 11, B commit first and a kiosk read up to 11;
//!   when A commits, 10 is behind the kiosk's cursor and lost. So every change also records the
//!   id of the transaction that wrote it (`txid`, by trigger), pages are in (txid, seq) order,
//!   and a page holds only changes whose transaction is older than the oldest one still
//!   running in this database when the page was read (`feed_horizon()` in the schema: the
//!   reading statement's snapshot). Everything before that horizon has committed or rolled
//!   back, and any later writer gets a larger txid, so no change can appear behind a cursor
//!   once handed out. The cost: a change waits for older writing transactions still open to
//!   end before any kiosk sees it (milliseconds here, since every transaction of this server
//!   is short; a long write by another tool on this database delays the feeds as long, and
//!   read-only work never does). Cursors read `TXID-SEQ`.
//! - **Background work** (holds that end, back-in-stock mails) claims its rows in one
//!   statement, so two servers never put a pair back twice or mail a request twice.
//!
//! Methods block: they run on a small runtime of this back-end's own, so the HTTP handlers
//! (on tokio's blocking pool), the CLI and the tests can all call them the same way.

use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::RwLock;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

use crate::warehouse::protocol::MAX_STORES_PER_SIZE;

use super::rules::{self, gtin_text, new_token_id, now, parse_gtin, text_sha256, token_hash};
use super::{Backend, Cursor, OrderOutcome, Policy, StoreError, TokenInfo, TokenSource};
use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::{
    Address, AssociateRequest, AssociateResponse, Availability, CatalogPage, CodeEmailResponse,
    Contact, DaySummary, FleetKiosk, Fulfilment, Heartbeat, Location, OrderRequest, OrderResponse,
    Pickup, StockAlertMail, StockAlertRequest, StockAlertResponse, StockPage, StockRecord,
    StoreQuantity, StyleRecord, VariantRecord,
};
use crate::warehouse::server::report::{ChainReport, LostSale};

/// Schema versions, applied in order (`schema_version` holds the last one applied).
const MIGRATIONS: &[&str] = &[
    include_str!("postgres/v1_warehouse.sql"),
    include_str!("postgres/v2_chain_analytics.sql"),
    include_str!("postgres/v3_store_neighbours.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Connections per server process.
const POOL_SIZE: usize = 16;

/// Longest wait for a connection: for a free one in the pool, or for a new one to open.
const POOL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Advisory lock keys (one namespace for this application's locks).
const LOCK_MIGRATE: i64 = 0x6b69_6f73_6b00_0001;
const LOCK_SEED: i64 = 0x6b69_6f73_6b00_0002;
const LOCK_TOKENS: i64 = 0x6b69_6f73_6b00_0003;

/// Minutes a server owns a back-in-stock request it is mailing.
const MAIL_CLAIM_MINUTES: i64 = 5;

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's message and code, never its DETAIL: that may quote a row's values
        // (an address in a unique-key violation).
        match e.as_db_error() {
            Some(db) => Self::Storage(format!("PostgreSQL {}: {}", db.code().code(), db.message())),
            None => Self::Storage(format!("PostgreSQL: {e}")),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => Self::Storage(format!("PostgreSQL connection pool: {other}")),
        }
    }
}

pub struct PostgresWarehouse {
    pool: Pool,
    /// Runs the connections and the queries; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    policy: RwLock<Policy>,
}

impl Drop for PostgresWarehouse {
    fn drop(&mut self) {
        // Without blocking: the last handle may be dropped inside an async task.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn quantity(q: i64) -> u32 {
    u32::try_from(q.max(0)).unwrap_or(u32::MAX)
}

/// Where a connection string points, without its password (for errors and logs).
fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    format!(
        "PostgreSQL database {:?} on {}",
        config.get_dbname().unwrap_or("(default)"),
        if hosts.is_empty() {
            "localhost".to_owned()
        } else {
            hosts.join(",")
        }
    )
}

impl PostgresWarehouse {
    /// Connects to `url` (`postgres://user@host/db`, or a libpq `key=value` string; a unix
    /// socket as `host=/path`) and brings the schema to this version.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("not a PostgreSQL connection string: {e}")))?;
        let target = describe(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("warehouse-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Storage(e.to_string()))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        // A database that is down or unreachable is an error within seconds (the kiosk's
        // client retries and then serves from its cache), never a request that hangs.
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Storage(e.to_string()))?;
        let store = Self {
            pool,
            runtime: Some(runtime),
            policy: RwLock::new(Policy::default()),
        };
        store.migrate().map_err(|e| match e {
            StoreError::Storage(message) => StoreError::Storage(format!("{target}: {message}")),
            other => other,
        })?;
        Ok(store)
    }

    /// Runs `work` on this back-end's runtime and waits for it.
    fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| StoreError::Storage("the PostgreSQL back-end is closing".into()))?;
        let (done, result) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let _ = done.send(work.await);
        });
        result
            .recv()
            .map_err(|_| StoreError::Storage("a PostgreSQL query task failed".into()))?
    }

    /// One statement's rows, on a pooled connection.
    fn query(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn ToSql + Send + Sync>>,
    ) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            let statement = client.prepare_cached(sql).await?;
            let refs: Vec<&(dyn ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                .collect();
            Ok(client.query(&statement, &refs).await?)
        })
    }

    fn execute(
        &self,
        sql: &'static str,
        params: Vec<Box<dyn ToSql + Send + Sync>>,
    ) -> Result<u64, StoreError> {
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            let statement = client.prepare_cached(sql).await?;
            let refs: Vec<&(dyn ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                .collect();
            Ok(client.execute(&statement, &refs).await?)
        })
    }

    /// Frees the dead row versions of `table` now, after shopper data was deleted from it.
    /// PostgreSQL never overwrites a row in place: a deleted address stays in the table's
    /// free space (until reused) and in the write-ahead log (until recycled), where SQLite's
    /// `secure_delete` overwrites it. VACUUM at once makes the space the next rows reuse;
    /// the rest is the deployment's (an encrypted volume; see SCALING.md).
    fn vacuum(&self, table: &'static str) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            // Not in a transaction block, so by the simple protocol.
            client.batch_execute(&format!("VACUUM {table}")).await?;
            Ok(())
        })
    }

    fn count(&self, sql: &'static str) -> Result<u64, StoreError> {
        let rows = self.query(sql, Vec::new())?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)).max(0) as u64)
    }

    /// Brings the schema to [`MIGRATIONS`]' last version, one server at a time; refuses a
    /// database a newer version wrote.
    fn migrate(&self) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        self.run(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_MIGRATE])
                .await?;
            // Quietly: "already exists, skipping" is the normal case, not news for a log.
            tx.batch_execute(
                "SET LOCAL client_min_messages = warning;
                 CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
            )
            .await?;
            let found: i64 = tx
                .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])
                .await?
                .get(0);
            let known = MIGRATIONS.len() as i64;
            if found > known {
                return Err(StoreError::Storage(format!(
                    "the database is at schema version {found}, newer than this program's {known}: \
                     run the newer program, or restore a backup"
                )));
            }
            for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
                tx.batch_execute(sql).await?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    &[&(index as i64 + 1)],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    async fn stores_by_id(
        client: &deadpool_postgres::Client,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, Location>, StoreError> {
        let statement = client
            .prepare_cached(
                "SELECT store_id, name, address, latitude, longitude FROM stores
                  WHERE store_id = ANY($1)",
            )
            .await?;
        let rows = client.query(&statement, &[&ids]).await?;
        Ok(rows
            .iter()
            .map(|r| {
                let l = location(r);
                (l.store_id.clone(), l)
            })
            .collect())
    }

    async fn release_holds(pool: &Pool) -> Result<u64, StoreError> {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        // Claimed in one statement: a hold another server is ending is not ended twice.
        let ended = tx
            .query(
                "UPDATE pickups SET state = 'expired'
                  WHERE state = 'open' AND kind = 'hold' AND expires_at <= $1
                 RETURNING holding_store, gtin, quantity",
                &[&now()],
            )
            .await?;
        for row in &ended {
            let (holding, gtin, quantity): (String, i64, i64) =
                (row.get(0), row.get(1), row.get(2));
            tx.execute(
                "INSERT INTO store_stock (store_id, gtin, quantity, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (store_id, gtin) DO UPDATE
                   SET quantity = store_stock.quantity + excluded.quantity,
                       updated_at = excluded.updated_at",
                &[&holding, &gtin, &quantity, &now()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ended.len() as u64)
    }

    async fn pickup_list(
        pool: &Pool,
        holding_store: String,
        all: bool,
    ) -> Result<Vec<Pickup>, StoreError> {
        let client = pool.get().await?;
        let statement = client
            .prepare_cached(
                "SELECT p.code, p.order_id, p.kind, p.state, p.gtin, p.quantity, p.ordering_store,
                        p.ordered_at, p.expires_at, s.brand, s.name, s.colour, v.size_mm, v.width,
                        s.style_code
                   FROM pickups p
                   JOIN variants v ON v.gtin = p.gtin
                   JOIN styles s ON s.style_code = v.style_code
                  WHERE p.holding_store = $1 AND ($2 OR p.state = 'open')
                    AND p.ordered_at >= $3
                  ORDER BY p.ordered_at",
            )
            .await?;
        let rows = client
            .query(
                &statement,
                &[&holding_store, &all, &rules::hours_ago(30 * 24)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Pickup {
                code: r.get(0),
                order_id: r.get(1),
                kind: r.get(2),
                state: r.get(3),
                gtin: gtin_text(r.get(4)),
                quantity: quantity(r.get(5)),
                ordering_store: r.get(6),
                ordered_at: r.get(7),
                expires_at: r.get(8),
                style: rules::pickup_style(
                    r.get(9),
                    r.get(10),
                    r.get(11),
                    quantity(r.get(12)),
                    r.get(13),
                    r.get(14),
                ),
            })
            .collect())
    }

    /// Seeds the demo data in one transaction, unless another server already did.
    async fn seed(
        pool: &Pool,
        dir: std::path::PathBuf,
        store_id: String,
    ) -> Result<(), StoreError> {
        let seed = rules::read_seed(&dir)?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_SEED])
            .await?;
        let empty: bool = tx
            .query_one("SELECT NOT EXISTS (SELECT 1 FROM styles)", &[])
            .await?
            .get(0);
        if !empty {
            return Ok(());
        }
        let style = tx
            .prepare(
                "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                     currency, image, description, fit_note, translations, category,
                     colour_family, tags)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .await?;
        for s in &seed.styles {
            tx.execute(
                &style,
                &[
                    &s.style_code,
                    &s.brand,
                    &s.name,
                    &s.colour,
                    &s.gender,
                    &s.price_cents,
                    &s.currency,
                    &s.image,
                    &s.description,
                    &s.fit_note,
                    &rules::json(&s.translations)?,
                    &s.category,
                    &s.colour_family,
                    &s.tags.join(";"),
                ],
            )
            .await?;
        }
        let variant = tx
            .prepare(
                "INSERT INTO variants (gtin, style_code, size_mm, width) VALUES ($1, $2, $3, $4)",
            )
            .await?;
        for (gtin, style, size_mm, width) in &seed.variants {
            tx.execute(&variant, &[gtin, style, size_mm, width]).await?;
        }
        let dc = tx
            .prepare("INSERT INTO dc_stock (gtin, quantity) VALUES ($1, $2)")
            .await?;
        for (gtin, quantity) in &seed.dc {
            tx.execute(&dc, &[gtin, quantity]).await?;
        }
        let shelf = tx
            .prepare(
                "INSERT INTO store_stock (store_id, gtin, quantity, updated_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .await?;
        for (gtin, quantity, updated_at) in &seed.shelf {
            tx.execute(&shelf, &[&store_id, gtin, quantity, updated_at])
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every placed store's nearest placed stores ([`rules::nearest_neighbours`]).
    async fn keep_neighbours(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), StoreError> {
        let stores: Vec<Location> = tx
            .query(
                "SELECT store_id, name, address, latitude, longitude FROM stores",
                &[],
            )
            .await?
            .iter()
            .map(location)
            .collect();
        let rows = rules::nearest_neighbours(&stores);
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let ranks: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let neighbours: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        let metres: Vec<i64> = rows.iter().map(|r| r.3).collect();
        tx.execute("DELETE FROM store_neighbours", &[]).await?;
        tx.execute(
            "INSERT INTO store_neighbours
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])",
            &[&ids, &ranks, &neighbours, &metres],
        )
        .await?;
        Ok(())
    }

    async fn upsert_stores(
        pool: &Pool,
        rows: Vec<rules::StoreRow>,
        shelves: Vec<(String, i64, u32)>,
        only_if_none: bool,
    ) -> Result<usize, StoreError> {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        if only_if_none {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_SEED])
                .await?;
            let has: bool = tx
                .query_one("SELECT EXISTS (SELECT 1 FROM stores)", &[])
                .await?
                .get(0);
            if has {
                return Ok(0);
            }
        }
        for (l, webhook) in &rows {
            tx.execute(
                "INSERT INTO stores (store_id, name, address, latitude, longitude, pickup_webhook)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (store_id) DO UPDATE SET name = $2, address = $3, latitude = $4,
                                                      longitude = $5, pickup_webhook = $6",
                &[
                    &l.store_id,
                    &l.name,
                    &l.address,
                    &l.latitude,
                    &l.longitude,
                    webhook,
                ],
            )
            .await?;
        }
        Self::keep_neighbours(&tx).await?;
        let now = now();
        for (store_id, gtin, quantity) in &shelves {
            tx.execute(
                "INSERT INTO store_stock (store_id, gtin, quantity, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (store_id, gtin) DO UPDATE SET quantity = $3, updated_at = $4",
                &[store_id, gtin, &i64::from(*quantity), &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }
}

fn location(r: &tokio_postgres::Row) -> Location {
    Location {
        store_id: r.get(0),
        name: r.get(1),
        address: r.get(2),
        latitude: r.get(3),
        longitude: r.get(4),
    }
}

/// Boxes parameters for [`PostgresWarehouse::query`] and [`PostgresWarehouse::execute`].
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$(Box::new($value) as Box<dyn ToSql + Send + Sync>),*]
    };
}

impl Backend for PostgresWarehouse {
    fn kind(&self) -> &'static str {
        "PostgreSQL"
    }

    fn set_policy(&self, policy: Policy) {
        *self.policy.write().unwrap_or_else(|p| p.into_inner()) = policy;
    }

    fn policy(&self) -> Policy {
        *self.policy.read().unwrap_or_else(|p| p.into_inner())
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.count("SELECT count(*) FROM styles")? == 0)
    }

    fn add_token(&self, token: &str, store_id: &str) -> Result<String, StoreError> {
        rules::check_token(token)?;
        let id = new_token_id();
        self.execute(
            "INSERT INTO store_tokens VALUES ($1, $2, $3, 'cli', $4, NULL)
             ON CONFLICT (token_sha256) DO UPDATE SET store_id = $3, source = 'cli'",
            params![id.clone(), token_hash(token), store_id.to_owned(), now()],
        )?;
        Ok(id)
    }

    fn replace_tokens(
        &self,
        source: TokenSource,
        tokens: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (_, token) in tokens {
            rules::check_token(token)?;
        }
        let tokens = tokens.to_vec();
        let pool = self.pool.clone();
        self.run(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            // Servers starting together replace the set one after the other.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_TOKENS])
                .await?;
            tx.execute(
                "DELETE FROM store_tokens WHERE source = $1",
                &[&source.as_str()],
            )
            .await?;
            for (store_id, token) in &tokens {
                tx.execute(
                    "INSERT INTO store_tokens VALUES ($1, $2, $3, $4, $5, NULL)
                     ON CONFLICT (token_sha256) DO UPDATE SET store_id = $3",
                    &[
                        &new_token_id(),
                        &token_hash(token),
                        store_id,
                        &source.as_str(),
                        &now(),
                    ],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.execute(
            "DELETE FROM store_tokens WHERE id = $1",
            params![id.to_owned()],
        )? > 0)
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = self.query(
            "SELECT id, store_id, source, created_at, last_used_at FROM store_tokens
              ORDER BY store_id, created_at",
            Vec::new(),
        )?;
        Ok(rows
            .iter()
            .map(|r| TokenInfo {
                id: r.get(0),
                store_id: r.get(1),
                source: r.get(2),
                created_at: r.get(3),
                last_used_at: r.get(4),
            })
            .collect())
    }

    fn store_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        let hash = token_hash(token);
        let rows = self.query(
            "SELECT id, store_id, token_sha256, last_used_at FROM store_tokens
              WHERE token_sha256 = $1",
            params![hash.clone()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let (id, store_id, stored, last_used): (String, String, Vec<u8>, Option<String>) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if !rules::same_hash(&stored, &hash) {
            return Ok(None);
        }
        let now = now();
        if rules::last_use_is_stale(last_used.as_deref(), &now) {
            self.execute(
                "UPDATE store_tokens SET last_used_at = $2 WHERE id = $1",
                params![id, now],
            )?;
        }
        Ok(Some(store_id))
    }

    fn purge_shopper_details(&self, days: u32) -> Result<u64, StoreError> {
        let n = self.execute(
            "DELETE FROM order_shoppers WHERE created_at::timestamptz <= $1::text::timestamptz",
            params![rules::hours_ago(24 * i64::from(days))],
        )?;
        if n > 0 {
            self.vacuum("order_shoppers")?;
        }
        Ok(n)
    }

    fn order_shopper(&self, order_id: &str) -> Result<Option<(Address, Contact)>, StoreError> {
        let rows = self.query(
            "SELECT ship_to, contact FROM order_shoppers WHERE order_id = $1",
            params![order_id.to_owned()],
        )?;
        rows.first()
            .map(|r| {
                Ok((
                    rules::from_json(r.get::<_, &str>(0))?,
                    rules::from_json(r.get::<_, &str>(1))?,
                ))
            })
            .transpose()
    }

    fn seed_from_fixtures(&self, dir: &Path, store_id: &str) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        let dir = dir.to_owned();
        let store_id = store_id.to_owned();
        self.run(async move { Self::seed(&pool, dir, store_id).await })
    }

    fn seed_chain_from_fixtures(&self, dir: &Path, own_store: &str) -> Result<(), StoreError> {
        let stores_file = dir.join("stores.csv");
        if !stores_file.exists() {
            return Ok(());
        }
        let rows = rules::read_stores_csv(&stores_file)?;
        let shelves = rules::read_chain_shelves(dir, own_store)?;
        let pool = self.pool.clone();
        self.run(async move { Self::upsert_stores(&pool, rows, shelves, true).await })?;
        Ok(())
    }

    fn import_stores_csv(&self, file: &Path) -> Result<usize, StoreError> {
        let rows = rules::read_stores_csv(file)?;
        let pool = self.pool.clone();
        self.run(async move { Self::upsert_stores(&pool, rows, Vec::new(), false).await })
    }

    fn pickup_webhook(&self, store_id: &str) -> Result<Option<String>, StoreError> {
        let rows = self.query(
            "SELECT pickup_webhook FROM stores WHERE store_id = $1",
            params![store_id.to_owned()],
        )?;
        Ok(rows.first().and_then(|r| r.get(0)))
    }

    fn stores(&self) -> Result<Vec<Location>, StoreError> {
        let rows = self.query(
            "SELECT store_id, name, address, latitude, longitude FROM stores ORDER BY store_id",
            Vec::new(),
        )?;
        Ok(rows.iter().map(location).collect())
    }

    fn catalog_page(
        &self,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<CatalogPage, StoreError> {
        let from = Cursor::parse(cursor)?;
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            // Changes of either kind after the cursor and before the horizon (see the top of
            // this file), a variant's row with it, in (txid, seq) order.
            let events = client
                .prepare_cached(
                    "WITH horizon AS (SELECT feed_horizon() AS h)
                     SELECT txid, seq, style_code, NULL::bigint, NULL::bigint, NULL::text,
                            NULL::boolean
                       FROM styles
                      WHERE (txid, seq) > ($1, $2) AND txid < (SELECT h FROM horizon)
                     UNION ALL
                     SELECT txid, seq, style_code, gtin, size_mm, width, discontinued
                       FROM variants
                      WHERE (txid, seq) > ($1, $2) AND txid < (SELECT h FROM horizon)
                     ORDER BY 1, 2 LIMIT $3",
                )
                .await?;
            let rows = client
                .query(&events, &[&from.txid, &from.seq, &(i64::from(limit) + 1)])
                .await?;
            let has_more = rows.len() > limit as usize;
            let rows = &rows[..rows.len().min(limit as usize)];
            let next = rows.last().map_or(from, |r| Cursor {
                txid: r.get(0),
                seq: r.get(1),
            });
            let mut style_codes: Vec<String> = Vec::new();
            let mut variants = Vec::new();
            for r in rows {
                let code: String = r.get(2);
                if let Some(gtin) = r.get::<_, Option<i64>>(3) {
                    variants.push(VariantRecord {
                        gtin: gtin_text(gtin),
                        style_code: code.clone(),
                        size_mm: u16::try_from(r.get::<_, i64>(4)).unwrap_or(0),
                        width: r.get(5),
                        discontinued: r.get(6),
                    });
                }
                // A variant travels with its style, whose own change may come later.
                style_codes.push(code);
            }
            style_codes.sort();
            style_codes.dedup();
            let get_styles = client
                .prepare_cached(
                    "SELECT style_code, brand, name, colour, gender, price_cents, currency, image,
                            description, fit_note, translations, category, colour_family, tags
                       FROM styles WHERE style_code = ANY($1) ORDER BY style_code",
                )
                .await?;
            let styles = client
                .query(&get_styles, &[&style_codes])
                .await?
                .iter()
                .map(|r| StyleRecord {
                    style_code: r.get(0),
                    brand: r.get(1),
                    name: r.get(2),
                    colour: r.get(3),
                    gender: r.get(4),
                    price_cents: r.get(5),
                    currency: r.get(6),
                    image: r.get(7),
                    description: r.get(8),
                    fit_note: r.get(9),
                    translations: serde_json::from_str(r.get(10)).unwrap_or_default(),
                    category: r.get(11),
                    colour_family: r.get(12),
                    tags: crate::domain::substitutes::split_tags(r.get(13)),
                })
                .collect();
            let remaining = if count {
                let row = client
                    .query_one(
                        "SELECT (SELECT count(*) FROM styles WHERE (txid, seq) > ($1, $2))
                              + (SELECT count(*) FROM variants WHERE (txid, seq) > ($1, $2))",
                        &[&next.txid, &next.seq],
                    )
                    .await?;
                Some(row.get::<_, i64>(0).max(0) as u64)
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
        })
    }

    fn stock_page(
        &self,
        store_id: &str,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<StockPage, StoreError> {
        let from = Cursor::parse(cursor)?;
        let store_id = store_id.to_owned();
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            let statement = client
                .prepare_cached(
                    "SELECT txid, seq, gtin, quantity, updated_at FROM store_stock
                      WHERE store_id = $1 AND (txid, seq) > ($2, $3)
                        AND txid < (SELECT feed_horizon())
                      ORDER BY txid, seq LIMIT $4",
                )
                .await?;
            let rows = client
                .query(
                    &statement,
                    &[&store_id, &from.txid, &from.seq, &(i64::from(limit) + 1)],
                )
                .await?;
            let has_more = rows.len() > limit as usize;
            let rows = &rows[..rows.len().min(limit as usize)];
            let next = rows.last().map_or(from, |r| Cursor {
                txid: r.get(0),
                seq: r.get(1),
            });
            let items = rows
                .iter()
                .map(|r| StockRecord {
                    gtin: gtin_text(r.get(2)),
                    quantity: quantity(r.get(3)),
                    updated_at: r.get(4),
                })
                .collect();
            let remaining = if count {
                let row = client
                    .query_one(
                        "SELECT count(*) FROM store_stock
                          WHERE store_id = $1 AND (txid, seq) > ($2, $3)",
                        &[&store_id, &next.txid, &next.seq],
                    )
                    .await?;
                Some(row.get::<_, i64>(0).max(0) as u64)
            } else {
                None
            };
            Ok(StockPage {
                items,
                next_cursor: next.to_string(),
                has_more,
                remaining,
            })
        })
    }

    fn availability(
        &self,
        asking_store: &str,
        gtins: &[String],
    ) -> Result<(Vec<Availability>, Vec<Location>), StoreError> {
        let parsed: Vec<Gtin> = gtins
            .iter()
            .map(|g| parse_gtin(g))
            .collect::<Result<_, _>>()?;
        let asking = asking_store.to_owned();
        let policy = self.policy();
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            let raw: Vec<i64> = parsed.iter().map(|g| g.as_i64()).collect();
            // Two statements for the whole request, and only the stores it names are read
            // (a chain of thousands of stores is not read per request).
            let sizes = client
                .prepare_cached(
                    "SELECT v.gtin, coalesce(d.quantity, 0), s.currency, v.discontinued
                       FROM variants v JOIN styles s ON s.style_code = v.style_code
                       LEFT JOIN dc_stock d ON d.gtin = v.gtin
                      WHERE v.gtin = ANY($1)",
                )
                .await?;
            let shelves = client
                .prepare_cached(
                    "SELECT ss.gtin, ss.store_id, ss.quantity
                       FROM store_stock ss JOIN stores USING (store_id)
                      WHERE ss.gtin = ANY($1) AND ss.quantity > 0 AND ss.store_id <> $2",
                )
                .await?;
            let found: std::collections::HashMap<i64, (u32, String, bool)> = client
                .query(&sizes, &[&raw])
                .await?
                .iter()
                .map(|r| (r.get(0), (quantity(r.get(1)), r.get(2), r.get(3))))
                .collect();
            let mut on_shelves: std::collections::HashMap<i64, Vec<StoreQuantity>> =
                std::collections::HashMap::new();
            let mut named_ids = vec![asking.clone()];
            // The nearest stores' shelves first: when at least MAX_STORES_PER_SIZE of them
            // hold a size, they are its answer (any other store is farther). The other sizes
            // are read across every shelf, which is cheap exactly when few stores hold them.
            let nearest = client
                .prepare_cached(
                    "SELECT ss.gtin, n.neighbour, ss.quantity
                       FROM store_neighbours n
                       JOIN store_stock ss ON ss.store_id = n.neighbour
                      WHERE n.store_id = $2 AND ss.gtin = ANY($1) AND ss.quantity > 0
                      ORDER BY n.rank",
                )
                .await?;
            for r in client.query(&nearest, &[&raw, &asking]).await? {
                on_shelves.entry(r.get(0)).or_default().push(StoreQuantity {
                    store_id: r.get(1),
                    quantity: quantity(r.get(2)),
                    distance_m: None,
                });
            }
            on_shelves.retain(|_, near| near.len() >= MAX_STORES_PER_SIZE);
            let rest: Vec<i64> = raw
                .iter()
                .copied()
                .filter(|g| !on_shelves.contains_key(g))
                .collect();
            for near in on_shelves.values_mut() {
                near.truncate(MAX_STORES_PER_SIZE);
                named_ids.extend(near.iter().map(|q| q.store_id.clone()));
            }
            for r in client.query(&shelves, &[&rest, &asking]).await? {
                let store_id: String = r.get(1);
                named_ids.push(store_id.clone());
                on_shelves.entry(r.get(0)).or_default().push(StoreQuantity {
                    store_id,
                    quantity: quantity(r.get(2)),
                    distance_m: None,
                });
            }
            named_ids.sort();
            named_ids.dedup();
            let stores = Self::stores_by_id(&client, &named_ids).await?;
            let from = stores.get(&asking).and_then(Location::position);
            let estimate = rules::delivery_estimate(super::DELIVERY_DAYS);
            let mut named = std::collections::BTreeSet::new();
            let items = parsed
                .iter()
                .map(|gtin| {
                    let (quantity, currency, discontinued) = match found.get(&gtin.as_i64()) {
                        Some((q, c, false)) => (*q, c.clone(), false),
                        Some((_, c, true)) => (0, c.clone(), true),
                        None => (0, "EUR".to_owned(), true),
                    };
                    let shelves = if discontinued {
                        Vec::new()
                    } else {
                        on_shelves.remove(&gtin.as_i64()).unwrap_or_default()
                    };
                    let shelves = rules::rank_shelves(shelves, from, &stores);
                    named.extend(shelves.iter().map(|q| q.store_id.clone()));
                    Availability {
                        gtin: gtin.to_string(),
                        quantity,
                        delivery_days: (quantity > 0).then_some(super::DELIVERY_DAYS),
                        delivery_estimate: if quantity > 0 { estimate.clone() } else { None },
                        shipping_cents: policy.shipping_cents,
                        currency,
                        stores: shelves,
                    }
                })
                .collect();
            let locations = named
                .iter()
                .filter_map(|id| stores.get(id).cloned())
                .collect();
            Ok((items, locations))
        })
    }

    fn create_order(
        &self,
        store_id: &str,
        idempotency_key: &str,
        req: &OrderRequest,
    ) -> Result<OrderOutcome, StoreError> {
        let request_sha256 = text_sha256(&rules::json(req)?);
        let policy = self.policy();
        let store_id = store_id.to_owned();
        let key = idempotency_key.to_owned();
        let req = req.clone();
        let pool = self.pool.clone();
        self.run(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            // A repeat of this key waits here for the first to end, then finds its order.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))",
                &[&store_id, &key],
            )
            .await?;
            if let Some(previous) = tx
                .query_opt(
                    "SELECT request_sha256, response FROM orders
                      WHERE store_id = $1 AND idempotency_key = $2",
                    &[&store_id, &key],
                )
                .await?
            {
                if previous.get::<_, &str>(0) != request_sha256 {
                    return Err(StoreError::IdempotencyMismatch);
                }
                return Ok(OrderOutcome::Replayed(rules::from_json(previous.get(1))?));
            }
            rules::validate_order(&req)?;
            let shipping = rules::check_shipping(&req, &policy)?;
            let now = now();
            let holding_store = match &req.fulfilment {
                Fulfilment::PickUp { store_id: holding } => {
                    let known: bool = tx
                        .query_one(
                            "SELECT EXISTS (SELECT 1 FROM stores WHERE store_id = $1)",
                            &[holding],
                        )
                        .await?
                        .get(0);
                    if !known || *holding == store_id {
                        return Err(rules::not_another_store(holding));
                    }
                    Some(holding.clone())
                }
                _ => None,
            };
            let mut total = shipping;
            let mut currency = req.currency.clone();
            for (i, line) in req.lines.iter().enumerate() {
                let gtin = parse_gtin(&line.gtin)?;
                let found = tx
                    .query_opt(
                        "SELECT s.price_cents, s.currency, v.discontinued FROM variants v
                           JOIN styles s ON s.style_code = v.style_code WHERE v.gtin = $1",
                        &[&gtin.as_i64()],
                    )
                    .await?
                    .map(|r| (r.get(0), r.get(1), r.get(2)));
                let (price, style_currency) =
                    rules::check_line(i, gtin, found, line.unit_price_cents, &req.currency)?;
                // The reservation (see the top of this file for why it holds with several
                // servers).
                let wanted = i64::from(line.quantity);
                let reserved = match &holding_store {
                    None => {
                        tx.execute(
                            "UPDATE dc_stock SET quantity = quantity - $2
                              WHERE gtin = $1 AND quantity >= $2",
                            &[&gtin.as_i64(), &wanted],
                        )
                        .await?
                    }
                    Some(holding) => {
                        tx.execute(
                            "UPDATE store_stock SET quantity = quantity - $3, updated_at = $4
                              WHERE store_id = $1 AND gtin = $2 AND quantity >= $3",
                            &[holding, &gtin.as_i64(), &wanted, &now],
                        )
                        .await?
                    }
                };
                if reserved == 0 {
                    return Err(StoreError::OutOfStock(format!(
                        "{gtin} is no longer available"
                    )));
                }
                total = rules::add_line(total, price, line.quantity)?;
                currency = style_currency;
            }
            let expires_at = holding_store
                .as_ref()
                .map(|_| rules::hold_expires_at(&policy));
            let response = rules::order_response(
                &req,
                now.clone(),
                total,
                currency,
                holding_store.clone().zip(expires_at.clone()),
            );
            tx.execute(
                "INSERT INTO orders (order_id, store_id, idempotency_key, request_json, response,
                                     created_at, request_sha256)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &response.order_id,
                    &store_id,
                    &key,
                    &rules::json(&rules::without_shopper(&req))?,
                    &rules::json(&response)?,
                    &response.created_at,
                    &request_sha256,
                ],
            )
            .await?;
            tx.execute(
                "INSERT INTO order_shoppers VALUES ($1, $2, $3, $4)",
                &[
                    &response.order_id,
                    &rules::json(&req.ship_to)?,
                    &rules::json(&req.contact)?,
                    &response.created_at,
                ],
            )
            .await?;
            for line in &req.lines {
                tx.execute(
                    "INSERT INTO order_lines VALUES ($1, $2, $3, $4)",
                    &[
                        &response.order_id,
                        &parse_gtin(&line.gtin)?.as_i64(),
                        &i64::from(line.quantity),
                        &line.unit_price_cents,
                    ],
                )
                .await?;
            }
            if let (false, Some(line)) = (req.fulfilment.is_home(), req.lines.first()) {
                tx.execute(
                    "INSERT INTO pickups (order_id, kind, holding_store, ordering_store, code,
                                          gtin, quantity, ordered_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &response.order_id,
                        &if holding_store.is_some() {
                            "hold"
                        } else {
                            "arriving"
                        },
                        &holding_store.as_deref().unwrap_or(&store_id),
                        &store_id,
                        &req.kiosk_order_id,
                        &parse_gtin(&line.gtin)?.as_i64(),
                        &i64::from(line.quantity),
                        &now,
                        &expires_at,
                    ],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(OrderOutcome::Created(response))
        })
    }

    fn order(&self, store_id: &str, order_id: &str) -> Result<OrderResponse, StoreError> {
        let rows = self.query(
            "SELECT o.response, p.state FROM orders o
               LEFT JOIN pickups p ON p.order_id = o.order_id
              WHERE o.store_id = $1 AND o.order_id = $2",
            params![store_id.to_owned(), order_id.to_owned()],
        )?;
        let row = rows.first().ok_or(StoreError::NotFound)?;
        let mut response: OrderResponse = rules::from_json(row.get(0))?;
        rules::apply_pickup_state(&mut response, row.get::<_, Option<&str>>(1));
        Ok(response)
    }

    fn order_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM orders")
    }

    fn request_code_email(
        &self,
        store_id: &str,
        order_id: &str,
    ) -> Result<CodeEmailResponse, StoreError> {
        self.order(store_id, order_id)?;
        let contact = self.order_shopper(order_id)?.map(|(_, contact)| contact);
        let Some(email) = contact.map(|c| c.email).filter(|e| !e.trim().is_empty()) else {
            return Err(rules::no_email_for_code());
        };
        let order_id = order_id.to_owned();
        let pool = self.pool.clone();
        self.run(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            // The order's row lock: two requests at once count each other.
            tx.execute(
                "SELECT 1 FROM orders WHERE order_id = $1 FOR UPDATE",
                &[&order_id],
            )
            .await?;
            let sent: i64 = tx
                .query_one(
                    "SELECT count(*) FROM code_emails WHERE order_id = $1",
                    &[&order_id],
                )
                .await?
                .get(0);
            if sent >= 3 {
                return Err(rules::code_sent_enough());
            }
            tx.execute(
                "INSERT INTO code_emails (order_id, requested_at) VALUES ($1, $2)",
                &[&order_id, &now()],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })?;
        Ok(CodeEmailResponse {
            to: crate::warehouse::protocol::mask_email(&email),
        })
    }

    fn code_email_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM code_emails")
    }

    fn release_expired_holds(&self) -> Result<u64, StoreError> {
        let pool = self.pool.clone();
        self.run(async move { Self::release_holds(&pool).await })
    }

    fn pickups(&self, holding_store: &str, all: bool) -> Result<Vec<Pickup>, StoreError> {
        let pool = self.pool.clone();
        let holding_store = holding_store.to_owned();
        self.run(async move {
            Self::release_holds(&pool).await?;
            Self::pickup_list(&pool, holding_store, all).await
        })
    }

    fn collect(&self, holding_store: &str, code: &str) -> Result<Pickup, StoreError> {
        let pool = self.pool.clone();
        let holding_store = holding_store.to_owned();
        let code = code.to_owned();
        self.run(async move {
            Self::release_holds(&pool).await?;
            let client = pool.get().await?;
            let state: Option<String> = client
                .query_opt(
                    "SELECT state FROM pickups WHERE holding_store = $1 AND code = $2",
                    &[&holding_store, &code],
                )
                .await?
                .map(|r| r.get(0));
            match state.as_deref() {
                None => return Err(StoreError::NotFound),
                Some("expired") => return Err(rules::hold_ended()),
                Some("open") => {
                    client
                        .execute(
                            "UPDATE pickups SET state = 'collected'
                              WHERE holding_store = $1 AND code = $2 AND state = 'open'",
                            &[&holding_store, &code],
                        )
                        .await?;
                }
                _ => {}
            }
            drop(client);
            Self::pickup_list(&pool, holding_store, true)
                .await?
                .into_iter()
                .find(|p| p.code == code)
                .ok_or(StoreError::NotFound)
        })
    }

    fn create_stock_alert(
        &self,
        store_id: &str,
        req: &StockAlertRequest,
    ) -> Result<StockAlertResponse, StoreError> {
        let alert = rules::check_stock_alert(req, &self.policy())?;
        let known = self.query(
            "SELECT EXISTS (SELECT 1 FROM variants WHERE gtin = $1 AND NOT discontinued)",
            params![alert.gtin.as_i64()],
        )?;
        if !known.first().is_some_and(|r| r.get::<_, bool>(0)) {
            return Err(rules::not_sold(alert.gtin));
        }
        let rows = self.query(
            "INSERT INTO stock_alerts (alert_id, store_id, gtin, email, lang, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (store_id, gtin, email) DO UPDATE SET lang = $5, expires_at = $7
             RETURNING alert_id",
            params![
                format!("SA-{}", uuid::Uuid::new_v4().simple()),
                store_id.to_owned(),
                alert.gtin.as_i64(),
                alert.email.clone(),
                alert.lang.clone(),
                alert.created_at.clone(),
                alert.expires_at.clone()
            ],
        )?;
        let alert_id = rows
            .first()
            .map(|r| r.get::<_, String>(0))
            .ok_or_else(|| StoreError::Storage("the request was not kept".into()))?;
        Ok(StockAlertResponse {
            alert_id,
            to: crate::warehouse::protocol::mask_email(&alert.email),
            days: alert.days,
            expires_at: alert.expires_at,
        })
    }

    fn due_stock_alerts(&self) -> Result<Vec<StockAlertMail>, StoreError> {
        let now = now();
        let claim_until = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_mins(MAIL_CLAIM_MINUTES))
            .unwrap_or(jiff::Timestamp::MAX)
            .to_string();
        // Claimed by this server for a few minutes: another one does not mail them too.
        let rows = self.query(
            "WITH due AS (
                SELECT a.alert_id FROM stock_alerts a
                 WHERE a.expires_at > $1
                   AND (a.claimed_until IS NULL OR a.claimed_until <= $1)
                   AND (EXISTS (SELECT 1 FROM dc_stock d WHERE d.gtin = a.gtin AND d.quantity > 0)
                        OR EXISTS (SELECT 1 FROM store_stock t
                                    WHERE t.store_id = a.store_id AND t.gtin = a.gtin
                                      AND t.quantity > 0))
                 FOR UPDATE SKIP LOCKED)
             UPDATE stock_alerts a SET claimed_until = $2
               FROM due, variants v, styles s
              WHERE a.alert_id = due.alert_id AND v.gtin = a.gtin AND s.style_code = v.style_code
             RETURNING a.alert_id, a.email, a.lang, a.gtin, a.store_id,
                       s.brand || ' ' || s.name || ' · ' || s.colour || ' · ' || v.size_mm
                         || ' mm ' || v.width || ' (' || s.style_code || ')'",
            params![now, claim_until],
        )?;
        Ok(rows
            .iter()
            .map(|r| StockAlertMail {
                kind: "back_in_stock".into(),
                alert_id: r.get(0),
                to: r.get(1),
                lang: r.get(2),
                gtin: gtin_text(r.get(3)),
                store_id: r.get(4),
                style: r.get(5),
            })
            .collect())
    }

    fn stock_alert_sent(&self, alert_id: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM stock_alerts WHERE alert_id = $1",
            params![alert_id.to_owned()],
        )?;
        self.vacuum("stock_alerts")
    }

    fn purge_expired_stock_alerts(&self) -> Result<u64, StoreError> {
        let n = self.execute(
            "DELETE FROM stock_alerts WHERE expires_at <= $1",
            params![now()],
        )?;
        if n > 0 {
            self.vacuum("stock_alerts")?;
        }
        Ok(n)
    }

    fn stock_alert_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM stock_alerts")
    }

    fn associate_request(
        &self,
        store_id: &str,
        req: &AssociateRequest,
    ) -> Result<AssociateResponse, StoreError> {
        let gtin = rules::check_associate(req)?;
        let response = AssociateResponse {
            request_id: format!("AR-{}", uuid::Uuid::new_v4().simple()),
            created_at: now(),
        };
        self.execute(
            "INSERT INTO associate_requests
                 (request_id, store_id, gtin, size_label, kiosk_id, created_at, style, also)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            params![
                response.request_id.clone(),
                store_id.to_owned(),
                gtin,
                req.size_label.clone(),
                req.kiosk_id.clone(),
                response.created_at.clone(),
                req.style.clone(),
                serde_json::to_string(&req.also).unwrap_or_else(|_| "[]".into())
            ],
        )?;
        Ok(response)
    }

    fn last_associate_request(&self) -> Result<Option<AssociateRequest>, StoreError> {
        let rows = self.query(
            "SELECT gtin, size_label, kiosk_id, style, also FROM associate_requests
              ORDER BY n DESC LIMIT 1",
            Vec::new(),
        )?;
        Ok(rows
            .first()
            .map(|r| rules::associate_from_row(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))))
    }

    fn associate_request_count(&self) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM associate_requests")
    }

    fn record_heartbeat(
        &self,
        store_id: &str,
        kiosk_id: &str,
        heartbeat: &Heartbeat,
    ) -> Result<(), StoreError> {
        rules::check_heartbeat(kiosk_id, heartbeat)?;
        self.execute(
            "INSERT INTO kiosks (store_id, kiosk_id, received_at, heartbeat) VALUES ($1, $2, $3, $4)
             ON CONFLICT (store_id, kiosk_id) DO UPDATE SET received_at = $3, heartbeat = $4",
            params![
                store_id.to_owned(),
                kiosk_id.to_owned(),
                now(),
                rules::json(heartbeat)?
            ],
        )?;
        Ok(())
    }

    fn fleet(&self, stale_after: std::time::Duration) -> Result<Vec<FleetKiosk>, StoreError> {
        let rows = self.query(
            "SELECT store_id, kiosk_id, received_at, heartbeat FROM kiosks
              ORDER BY store_id, kiosk_id",
            Vec::new(),
        )?;
        rows.iter()
            .map(|r| rules::fleet_kiosk(r.get(0), r.get(1), r.get(2), r.get(3), stale_after))
            .collect()
    }

    fn record_day_summary(
        &self,
        store_id: &str,
        kiosk_id: &str,
        summary: &DaySummary,
    ) -> Result<(), StoreError> {
        rules::check_day_summary(kiosk_id, summary)?;
        let (store_id, kiosk_id, summary) =
            (store_id.to_owned(), kiosk_id.to_owned(), summary.clone());
        let pool = self.pool.clone();
        self.run(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            let key: [&(dyn ToSql + Sync); 3] = [&store_id, &kiosk_id, &summary.day];
            tx.execute(
                "DELETE FROM kiosk_day_counts WHERE store_id = $1 AND kiosk_id = $2 AND day = $3",
                &key,
            )
            .await?;
            tx.execute(
                "DELETE FROM kiosk_day_hours WHERE store_id = $1 AND kiosk_id = $2 AND day = $3",
                &key,
            )
            .await?;
            // One statement per table, the rows as arrays (a day may hold thousands).
            let kinds: Vec<&str> = summary.counts.iter().map(|c| c.kind.as_str()).collect();
            let styles: Vec<&str> = summary
                .counts
                .iter()
                .map(|c| c.style_code.as_str())
                .collect();
            let sizes: Vec<i64> = summary
                .counts
                .iter()
                .map(|c| i64::from(c.size_mm))
                .collect();
            let counts: Vec<i64> = summary.counts.iter().map(|c| c.count as i64).collect();
            tx.execute(
                "INSERT INTO kiosk_day_counts
                 SELECT $1, $2, $3, kind, style_code, size_mm, count
                   FROM unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[])
                        AS t (kind, style_code, size_mm, count)",
                &[
                    &store_id,
                    &kiosk_id,
                    &summary.day,
                    &kinds,
                    &styles,
                    &sizes,
                    &counts,
                ],
            )
            .await?;
            let (hours, scans): (Vec<i64>, Vec<i64>) = summary
                .scans_per_hour
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(h, n)| (h as i64, *n as i64))
                .unzip();
            tx.execute(
                "INSERT INTO kiosk_day_hours
                 SELECT $1, $2, $3, hour, scans FROM unnest($4::bigint[], $5::bigint[])
                        AS t (hour, scans)",
                &[&store_id, &kiosk_id, &summary.day, &hours, &scans],
            )
            .await?;
            tx.execute(
                "INSERT INTO kiosk_days VALUES ($1, $2, $3, $4)
                 ON CONFLICT (store_id, kiosk_id, day) DO UPDATE SET received_at = $4",
                &[&store_id, &kiosk_id, &summary.day, &now()],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn chain_report(&self, from: &str, to: &str) -> Result<ChainReport, StoreError> {
        rules::check_period(from, to)?;
        let (from, to) = (from.to_owned(), to.to_owned());
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await?;
            let lost = client
                .query(&rules::CHAIN_LOST_SQL.replace('?', "$"), &[&from, &to])
                .await?
                .iter()
                .map(|r| LostSale {
                    style_code: r.get(0),
                    name: r.get(1),
                    size_mm: quantity(r.get(2)),
                    store_id: r.get(3),
                    asked: r.get::<_, i64>(4).max(0) as u64,
                })
                .collect();
            let stores = client
                .query(&rules::CHAIN_STORES_SQL.replace('?', "$"), &[&from, &to])
                .await?
                .iter()
                .map(|r| {
                    let mut n = [0i64; 7];
                    for (i, v) in n.iter_mut().enumerate() {
                        *v = r.get(i + 1);
                    }
                    rules::store_totals(r.get(0), n)
                })
                .collect();
            Ok(ChainReport {
                from,
                to,
                lost,
                stores,
            })
        })
    }

    fn set_price(&self, style_code: &str, price_cents: i64) -> Result<(), StoreError> {
        let n = self.execute(
            "UPDATE styles SET price_cents = $2 WHERE style_code = $1",
            params![style_code.to_owned(), price_cents],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn discontinue(&self, gtin: Gtin) -> Result<(), StoreError> {
        self.execute(
            "UPDATE variants SET discontinued = true WHERE gtin = $1",
            params![gtin.as_i64()],
        )?;
        Ok(())
    }

    fn set_store_stock(&self, store_id: &str, gtin: Gtin, quantity: u32) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO store_stock (store_id, gtin, quantity, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (store_id, gtin) DO UPDATE SET quantity = $3, updated_at = $4",
            params![
                store_id.to_owned(),
                gtin.as_i64(),
                i64::from(quantity),
                now()
            ],
        )?;
        Ok(())
    }

    fn store_stock(&self, store_id: &str, gtin: Gtin) -> Result<Option<u32>, StoreError> {
        let rows = self.query(
            "SELECT quantity FROM store_stock WHERE store_id = $1 AND gtin = $2",
            params![store_id.to_owned(), gtin.as_i64()],
        )?;
        Ok(rows.first().map(|r| quantity(r.get(0))))
    }

    fn set_dc_stock(&self, gtin: Gtin, quantity: u32) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO dc_stock (gtin, quantity) VALUES ($1, $2)
             ON CONFLICT (gtin) DO UPDATE SET quantity = $2",
            params![gtin.as_i64(), i64::from(quantity)],
        )?;
        Ok(())
    }

    fn dc_stock(&self, gtin: Gtin) -> Result<u32, StoreError> {
        let rows = self.query(
            "SELECT quantity FROM dc_stock WHERE gtin = $1",
            params![gtin.as_i64()],
        )?;
        Ok(rows.first().map_or(0, |r| quantity(r.get(0))))
    }
}
