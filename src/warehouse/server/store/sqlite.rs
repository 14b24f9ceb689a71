//! The reference warehouse on SQLite: one file, one connection behind a mutex. Every write is
//! serialised, which is what makes a reservation and its order one atomic step (two kiosks
//! racing for the last pair get one order, one refusal), and hands out change sequence numbers
//! in commit order (so a feed's cursor is the sequence number alone). For the embedded demo
//! and small installs; a chain runs on [`super::postgres`].

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::rules::{self, gtin_text, new_token_id, now, parse_gtin, text_sha256, token_hash};
use super::{Backend, Cursor, OrderOutcome, Policy, StoreError, TokenInfo, TokenSource};
use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::MAX_STORES_PER_SIZE;
use crate::warehouse::protocol::{
    Address, AssociateRequest, AssociateResponse, Availability, CatalogPage, CodeEmailResponse,
    Contact, DaySummary, FleetKiosk, Fulfilment, Heartbeat, Location, OrderRequest, OrderResponse,
    Pickup, StockAlertMail, StockAlertRequest, StockAlertResponse, StockPage, StockRecord,
    StoreQuantity, StyleRecord, VariantRecord,
};
use crate::warehouse::server::report::{ChainReport, LostSale};

pub struct SqliteWarehouse {
    conn: Arc<Mutex<Connection>>,
    policy: RwLock<Policy>,
    /// The chain's stores as every availability answer needs them, with the file's
    /// `data_version` they were read at (it changes when another process, such as `kiosk
    /// warehouse stores import`, commits; this connection's own imports clear it).
    stores: Mutex<Option<(i64, Arc<StoresById>)>>,
}

type StoresById = std::collections::HashMap<String, Location>;

fn next_seq(tx: &Transaction) -> Result<i64, StoreError> {
    Ok(tx.query_row(
        "UPDATE change_seq SET value = value + 1 WHERE id = 1 RETURNING value",
        [],
        |r| r.get(0),
    )?)
}

impl SqliteWarehouse {
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
        conn.execute_batch(include_str!("sqlite.sql"))?;
        Self::move_shopper_details_out(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            policy: RwLock::new(Policy::default()),
            stores: Mutex::new(None),
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
            conn.execute_batch(include_str!("sqlite.sql"))?;
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
                let kept = serde_json::to_string(&rules::without_shopper(&req))
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

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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
        self.forget_stores();
        Ok(value)
    }

    fn forget_stores(&self) {
        *self.stores.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The stores, read again only when the file changed (a thousand stores cost more to
    /// read than the rest of an availability answer).
    fn stores_cached(&self, conn: &Connection) -> Result<Arc<StoresById>, StoreError> {
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut cache = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, stores)) = cache.as_ref()
            && *seen == version
        {
            return Ok(stores.clone());
        }
        let stores = Arc::new(Self::stores_by_id(conn)?);
        *cache = Some((version, stores.clone()));
        Ok(stores)
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
}

impl Backend for SqliteWarehouse {
    fn kind(&self) -> &'static str {
        "SQLite"
    }

    fn set_policy(&self, policy: Policy) {
        *self.policy.write().unwrap_or_else(|p| p.into_inner()) = policy;
    }

    fn policy(&self) -> Policy {
        *self.policy.read().unwrap_or_else(|p| p.into_inner())
    }

    fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = self
            .lock()
            .query_row("SELECT count(*) FROM styles", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// Registers a token (kept until revoked) and returns its id.
    fn add_token(&self, token: &str, store_id: &str) -> Result<String, StoreError> {
        rules::check_token(token)?;
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
    fn replace_tokens(
        &self,
        source: TokenSource,
        tokens: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (_, token) in tokens {
            rules::check_token(token)?;
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
    fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .execute("DELETE FROM store_tokens WHERE id = ?1", [id])?
            > 0)
    }

    fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
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
    fn store_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
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
        if !rules::same_hash(&stored, &hash) {
            return Ok(None);
        }
        let now = now();
        if rules::last_use_is_stale(last_used.as_deref(), &now) {
            conn.execute(
                "UPDATE store_tokens SET last_used_at = ?2 WHERE id = ?1",
                (id, now),
            )?;
        }
        Ok(Some(store_id))
    }

    /// Deletes the address and contact of orders created more than `days` ago and returns how
    /// many; the orders themselves stay. Checkpoints the log so the text leaves it too.
    fn purge_shopper_details(&self, days: u32) -> Result<u64, StoreError> {
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

    fn order_shopper(&self, order_id: &str) -> Result<Option<(Address, Contact)>, StoreError> {
        let row: Option<(String, String)> = self
            .lock()
            .query_row(
                "SELECT ship_to, contact FROM order_shoppers WHERE order_id = ?1",
                [order_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(a, c)| Ok((rules::from_json(&a)?, rules::from_json(&c)?)))
            .transpose()
    }

    fn seed_from_fixtures(&self, dir: &Path, store_id: &str) -> Result<(), StoreError> {
        let seed = rules::read_seed(dir)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for s in &seed.styles {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                     currency, image, description, fit_note, seq, translations, category,
                     colour_family, tags)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    s.style_code,
                    s.brand,
                    s.name,
                    s.colour,
                    s.gender,
                    s.price_cents,
                    s.currency,
                    s.image,
                    s.description,
                    s.fit_note,
                    seq,
                    rules::json(&s.translations)?,
                    s.category,
                    s.colour_family,
                    s.tags.join(";"),
                ],
            )?;
        }
        for (gtin, style, size_mm, width) in &seed.variants {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO variants (gtin, style_code, size_mm, width, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![gtin, style, size_mm, width, seq],
            )?;
        }
        for (gtin, quantity) in &seed.dc {
            tx.execute(
                "INSERT INTO dc_stock VALUES (?1, ?2)",
                params![gtin, quantity],
            )?;
        }
        for (gtin, quantity, updated_at) in &seed.shelf {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO store_stock VALUES (?1, ?2, ?3, ?4, ?5)",
                params![store_id, gtin, quantity, updated_at, seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn catalog_page(
        &self,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<CatalogPage, StoreError> {
        // One writer: sequence numbers are in commit order, the cursor is the number alone.
        let cursor = Cursor::parse(cursor)?.seq;
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

    fn stock_page(
        &self,
        store_id: &str,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<StockPage, StoreError> {
        let cursor = Cursor::parse(cursor)?.seq;
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
    fn availability(
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
        let mut nearest = conn.prepare_cached(
            "SELECT ss.store_id, ss.quantity
               FROM store_neighbours n
               JOIN store_stock ss ON ss.store_id = n.neighbour AND ss.gtin = ?1
              WHERE n.store_id = ?2 AND ss.quantity > 0
              ORDER BY n.rank LIMIT ?3",
        )?;
        let stores = self.stores_cached(&conn)?;
        let policy = self.policy();
        let from = stores.get(asking_store).and_then(Location::position);
        let estimate = rules::delivery_estimate(super::DELIVERY_DAYS);
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
                let shelf = |r: &rusqlite::Row| {
                    Ok(StoreQuantity {
                        store_id: r.get(0)?,
                        quantity: r.get(1)?,
                        distance_m: None,
                    })
                };
                // The nearest stores' shelves first: when at least MAX_STORES_PER_SIZE of them
                // hold the size, they are its answer (any other store is farther); else every
                // shelf, which is cheap exactly when few stores hold it.
                let near: Vec<StoreQuantity> = if discontinued {
                    Vec::new()
                } else {
                    nearest
                        .query_map(
                            params![gtin.as_i64(), asking_store, MAX_STORES_PER_SIZE],
                            shelf,
                        )?
                        .collect::<Result<_, _>>()?
                };
                let on_shelves: Vec<StoreQuantity> = if discontinued {
                    Vec::new()
                } else if near.len() >= MAX_STORES_PER_SIZE {
                    near
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
                let on_shelves = rules::rank_shelves(on_shelves, from, &stores);
                named.extend(on_shelves.iter().map(|q| q.store_id.clone()));
                Ok(Availability {
                    gtin: gtin.to_string(),
                    quantity,
                    delivery_days: (quantity > 0).then_some(super::DELIVERY_DAYS),
                    delivery_estimate: if quantity > 0 { estimate.clone() } else { None },
                    shipping_cents: policy.shipping_cents,
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

    fn import_stores_csv(&self, file: &Path) -> Result<usize, StoreError> {
        let rows = rules::read_stores_csv(file)?;
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
        let all: Vec<Location> = Self::stores_by_id(&tx)?.into_values().collect();
        tx.execute("DELETE FROM store_neighbours", [])?;
        {
            let mut insert = tx.prepare("INSERT INTO store_neighbours VALUES (?1, ?2, ?3, ?4)")?;
            for (store, rank, neighbour, metres) in rules::nearest_neighbours(&all) {
                insert.execute(params![store, rank, neighbour, metres])?;
            }
        }
        tx.commit()?;
        self.forget_stores();
        Ok(rows.len())
    }

    /// Where `store_id`'s counter is told of a pair held there, if anywhere.
    fn pickup_webhook(&self, store_id: &str) -> Result<Option<String>, StoreError> {
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
    fn stores(&self) -> Result<Vec<Location>, StoreError> {
        let mut stores: Vec<Location> = Self::stores_by_id(&self.lock())?.into_values().collect();
        stores.sort_by(|a, b| a.store_id.cmp(&b.store_id));
        Ok(stores)
    }

    /// Loads the chain's other stores from the demo fixtures, once: `stores.csv` (who and
    /// where) and `chain_stock.csv` (their shelves; rows for `own_store` are skipped, its
    /// stock is `store_stock.csv`). Both files are optional; a warehouse that already knows
    /// stores is left alone.
    fn seed_chain_from_fixtures(&self, dir: &Path, own_store: &str) -> Result<(), StoreError> {
        let has_stores: bool =
            self.lock()
                .query_row("SELECT EXISTS (SELECT 1 FROM stores)", [], |r| r.get(0))?;
        let stores_file = dir.join("stores.csv");
        if has_stores || !stores_file.exists() {
            return Ok(());
        }
        self.import_stores_csv(&stores_file)?;
        let shelves = rules::read_chain_shelves(dir, own_store)?;
        let now = now();
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for (store_id, gtin, quantity) in &shelves {
            let seq = next_seq(&tx)?;
            tx.execute(
                "INSERT INTO store_stock VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (store_id, gtin) DO UPDATE SET quantity = ?3, updated_at = ?4, seq = ?5",
                params![store_id, gtin, quantity, now, seq],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
    /// Creates an order, reserving stock in the same transaction; a repeated key with the same
    /// request returns the original order, with a different request is refused.
    fn create_order(
        &self,
        store_id: &str,
        idempotency_key: &str,
        req: &OrderRequest,
    ) -> Result<OrderOutcome, StoreError> {
        let request_sha256 = text_sha256(&rules::json(req)?);
        let policy = self.policy();
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
            return Ok(OrderOutcome::Replayed(rules::from_json(&response)?));
        }
        rules::validate_order(req)?;
        // Prices, shipping and the total are the warehouse's own figures; the order's must
        // match them (the shopper saw them), and every sum is checked.
        let shipping = rules::check_shipping(req, &policy)?;
        let now = now();
        let holding_store = match &req.fulfilment {
            Fulfilment::PickUp { store_id: holding } => {
                let known: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM stores WHERE store_id = ?1)",
                    [holding],
                    |r| r.get(0),
                )?;
                if !known || holding == store_id {
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
            let found: Option<(i64, String, bool)> = tx
                .query_row(
                    "SELECT s.price_cents, s.currency, v.discontinued FROM variants v
                       JOIN styles s USING (style_code) WHERE v.gtin = ?1",
                    [gtin.as_i64()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let (price, style_currency) =
                rules::check_line(i, gtin, found, line.unit_price_cents, &req.currency)?;
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
            total = rules::add_line(total, price, line.quantity)?;
            currency = style_currency;
        }
        let expires_at = holding_store
            .as_ref()
            .map(|_| rules::hold_expires_at(&policy));
        let response = rules::order_response(
            req,
            now.clone(),
            total,
            currency,
            holding_store.clone().zip(expires_at.clone()),
        );
        let response_json = rules::json(&response)?;
        let kept = rules::json(&rules::without_shopper(req))?;
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
                rules::json(&req.ship_to)?,
                rules::json(&req.contact)?,
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

    fn order(&self, store_id: &str, order_id: &str) -> Result<OrderResponse, StoreError> {
        let response: Option<String> = self
            .lock()
            .query_row(
                "SELECT response FROM orders WHERE store_id = ?1 AND order_id = ?2",
                (store_id, order_id),
                |r| r.get(0),
            )
            .optional()?;
        let response = response.ok_or(StoreError::NotFound)?;
        let mut response: OrderResponse = rules::from_json(&response)?;
        let state: Option<String> = self
            .lock()
            .query_row(
                "SELECT state FROM pickups WHERE order_id = ?1",
                [order_id],
                |r| r.get(0),
            )
            .optional()?;
        rules::apply_pickup_state(&mut response, state.as_deref());
        Ok(response)
    }

    /// Keeps a shopper's "tell me when it is back" for `gtin`; asking again for the same size
    /// and address renews it (one mail, never two).
    fn create_stock_alert(
        &self,
        store_id: &str,
        req: &StockAlertRequest,
    ) -> Result<StockAlertResponse, StoreError> {
        let alert = rules::check_stock_alert(req, &self.policy())?;
        let known: bool = self.lock().query_row(
            "SELECT EXISTS (SELECT 1 FROM variants WHERE gtin = ?1 AND NOT discontinued)",
            [alert.gtin.as_i64()],
            |r| r.get(0),
        )?;
        if !known {
            return Err(rules::not_sold(alert.gtin));
        }
        let alert_id = format!("SA-{}", uuid::Uuid::new_v4().simple());
        let alert_id: String = self.lock().query_row(
            "INSERT INTO stock_alerts (alert_id, store_id, gtin, email, lang, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (store_id, gtin, email) DO UPDATE SET lang = ?5, expires_at = ?7
             RETURNING alert_id",
            params![
                alert_id,
                store_id,
                alert.gtin.as_i64(),
                alert.email,
                alert.lang,
                alert.created_at,
                alert.expires_at
            ],
            |r| r.get(0),
        )?;
        Ok(StockAlertResponse {
            alert_id,
            to: crate::warehouse::protocol::mask_email(&alert.email),
            days: alert.days,
            expires_at: alert.expires_at,
        })
    }

    /// Requests whose size is back — at the distribution centre, or on the shelf of the store
    /// that took the request — as mails for the chain's mailer.
    fn due_stock_alerts(&self) -> Result<Vec<StockAlertMail>, StoreError> {
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
    fn stock_alert_sent(&self, alert_id: &str) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute("DELETE FROM stock_alerts WHERE alert_id = ?1", [alert_id])?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Requests past their time go, with their addresses, overwritten in the file and the log.
    /// Returns how many.
    fn purge_expired_stock_alerts(&self) -> Result<u64, StoreError> {
        let conn = self.lock();
        let n = conn.execute("DELETE FROM stock_alerts WHERE expires_at <= ?1", [now()])?;
        if n > 0 {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n as u64)
    }

    /// Keeps `kiosk_id`'s latest heartbeat (one row per kiosk).
    fn record_heartbeat(
        &self,
        store_id: &str,
        kiosk_id: &str,
        heartbeat: &Heartbeat,
    ) -> Result<(), StoreError> {
        rules::check_heartbeat(kiosk_id, heartbeat)?;
        let json = rules::json(heartbeat)?;
        self.lock().execute(
            "INSERT INTO kiosks (store_id, kiosk_id, received_at, heartbeat) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (store_id, kiosk_id) DO UPDATE SET received_at = ?3, heartbeat = ?4",
            params![store_id, kiosk_id, now(), json],
        )?;
        Ok(())
    }

    /// Every kiosk that ever reported, by store and kiosk; `stale_after`: no heartbeat for
    /// longer marks it stale.
    fn fleet(&self, stale_after: std::time::Duration) -> Result<Vec<FleetKiosk>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT store_id, kiosk_id, received_at, heartbeat FROM kiosks
              ORDER BY store_id, kiosk_id",
        )?;
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
            fleet.push(rules::fleet_kiosk(
                store_id,
                kiosk_id,
                received_at,
                &json,
                stale_after,
            )?);
        }
        Ok(fleet)
    }

    /// Requests waiting (tests and `config check`).
    fn stock_alert_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM stock_alerts", [], |r| r.get(0))?)
    }

    /// Holds whose time is up go back on their store's shelf (with a new change, so that
    /// store's kiosks see the pair again). Returns how many ended.
    fn release_expired_holds(&self) -> Result<u64, StoreError> {
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
    fn pickups(&self, holding_store: &str, all: bool) -> Result<Vec<Pickup>, StoreError> {
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
        let since = rules::hours_ago(30 * 24);
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
                style: rules::pickup_style(
                    &r.get::<_, String>(9)?,
                    &r.get::<_, String>(10)?,
                    &r.get::<_, String>(11)?,
                    size_mm,
                    &width,
                    &r.get::<_, String>(14)?,
                ),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The shopper collected order `code` at `holding_store`'s counter. Saying it twice is
    /// harmless; a hold that already ended is refused (its pair went back on the shelf).
    fn collect(&self, holding_store: &str, code: &str) -> Result<Pickup, StoreError> {
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
            Some("expired") => return Err(rules::hold_ended()),
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
        let conn = self.lock();
        let sent: u64 = conn.query_row(
            "SELECT count(*) FROM code_emails WHERE order_id = ?1",
            [order_id],
            |r| r.get(0),
        )?;
        if sent >= 3 {
            return Err(rules::code_sent_enough());
        }
        conn.execute(
            "INSERT INTO code_emails (order_id, requested_at) VALUES (?1, ?2)",
            (order_id, now()),
        )?;
        Ok(CodeEmailResponse {
            to: crate::warehouse::protocol::mask_email(&email),
        })
    }

    fn code_email_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM code_emails", [], |r| r.get(0))?)
    }

    /// The latest associate request: what staff are asked to bring, and where.
    fn last_associate_request(&self) -> Result<Option<AssociateRequest>, StoreError> {
        let row: Option<(i64, String, String, String, String)> = self
            .lock()
            .query_row(
                "SELECT gtin, size_label, kiosk_id, style, also FROM associate_requests
                 ORDER BY rowid DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        Ok(row.map(|(gtin, size_label, kiosk_id, style, also)| {
            rules::associate_from_row(gtin, size_label, kiosk_id, style, &also)
        }))
    }

    fn associate_request_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM associate_requests", [], |r| r.get(0))?)
    }

    fn order_count(&self) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)
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

    fn record_day_summary(
        &self,
        store_id: &str,
        kiosk_id: &str,
        summary: &DaySummary,
    ) -> Result<(), StoreError> {
        rules::check_day_summary(kiosk_id, summary)?;
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let key = params![store_id, kiosk_id, summary.day];
        tx.execute(
            "DELETE FROM kiosk_day_counts WHERE store_id = ?1 AND kiosk_id = ?2 AND day = ?3",
            key,
        )?;
        tx.execute(
            "DELETE FROM kiosk_day_hours WHERE store_id = ?1 AND kiosk_id = ?2 AND day = ?3",
            key,
        )?;
        {
            let mut count =
                tx.prepare("INSERT INTO kiosk_day_counts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
            for c in &summary.counts {
                count.execute(params![
                    store_id,
                    kiosk_id,
                    summary.day,
                    c.kind,
                    c.style_code,
                    c.size_mm,
                    c.count as i64
                ])?;
            }
            let mut hour = tx.prepare("INSERT INTO kiosk_day_hours VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for (h, scans) in summary.scans_per_hour.iter().enumerate() {
                if *scans > 0 {
                    hour.execute(params![store_id, kiosk_id, summary.day, h, *scans as i64])?;
                }
            }
        }
        tx.execute(
            "INSERT INTO kiosk_days VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (store_id, kiosk_id, day) DO UPDATE SET received_at = ?4",
            params![store_id, kiosk_id, summary.day, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn chain_report(&self, from: &str, to: &str) -> Result<ChainReport, StoreError> {
        rules::check_period(from, to)?;
        let conn = self.lock();
        let lost = conn
            .prepare(rules::CHAIN_LOST_SQL)?
            .query_map([from, to], |r| {
                Ok(LostSale {
                    style_code: r.get(0)?,
                    name: r.get(1)?,
                    size_mm: r.get(2)?,
                    store_id: r.get(3)?,
                    asked: r.get::<_, i64>(4)?.max(0) as u64,
                })
            })?
            .collect::<Result<_, _>>()?;
        let stores = conn
            .prepare(rules::CHAIN_STORES_SQL)?
            .query_map([from, to], |r| {
                let mut n = [0i64; 7];
                for (i, v) in n.iter_mut().enumerate() {
                    *v = r.get(i + 1)?;
                }
                Ok(rules::store_totals(r.get(0)?, n))
            })?
            .collect::<Result<_, _>>()?;
        Ok(ChainReport {
            from: from.to_owned(),
            to: to.to_owned(),
            lost,
            stores,
        })
    }

    // Changes made at the chain's end (admin operations; tests use them to change the catalog).

    fn set_price(&self, style_code: &str, price_cents: i64) -> Result<(), StoreError> {
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

    fn discontinue(&self, gtin: Gtin) -> Result<(), StoreError> {
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

    fn set_store_stock(&self, store_id: &str, gtin: Gtin, quantity: u32) -> Result<(), StoreError> {
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
    fn store_stock(&self, store_id: &str, gtin: Gtin) -> Result<Option<u32>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT quantity FROM store_stock WHERE store_id = ?1 AND gtin = ?2",
                params![store_id, gtin.as_i64()],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn set_dc_stock(&self, gtin: Gtin, quantity: u32) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO dc_stock VALUES (?1, ?2) ON CONFLICT (gtin) DO UPDATE SET quantity = ?2",
            params![gtin.as_i64(), quantity],
        )?;
        Ok(())
    }

    fn dc_stock(&self, gtin: Gtin) -> Result<u32, StoreError> {
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
