//! A chain of 1,000 stores × 2 kiosks against the reference warehouse: two `kiosk warehouse
//! serve` processes on one PostgreSQL database (behind a round-robin "load balancer": the
//! client alternates), and one process on SQLite, side by side, on the same generated chain.
//!
//! - **availability**: kiosks asking for a style's 12 sizes at a steady rate (open loop), p50
//!   and p99 of the round trip;
//! - **morning sync**: after a night of changes (a tenth of every store's shelf, 40 prices),
//!   every kiosk reads its store's stock feed and the catalog feed from its cursor;
//! - **order burst**: 1,000 dropship orders at once from every store, and 200 orders racing
//!   for 20 last pairs.
//!
//! `cargo bench --no-default-features --bench chain` (PostgreSQL from Debian's `postgresql`
//! package: a throwaway cluster is started; `KIOSK_BENCH_ONLY=sqlite|postgres` runs one side;
//! `KIOSK_CHAIN_STORES=100` a smaller chain).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk::devtools::bench_data::gtin;
use kiosk::devtools::pg_cluster::ThrowawayCluster;
use kiosk::warehouse::server::WarehouseStore;

const STYLES: u64 = 500;
const SIZES_PER_STYLE: u64 = 12;
const KIOSKS_PER_STORE: usize = 2;
const PRICE: i64 = 9999;

fn stores() -> usize {
    std::env::var("KIOSK_CHAIN_STORES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

fn store_id(i: usize) -> String {
    format!("store-{i:04}")
}

fn token(i: usize) -> String {
    format!("bench-token-{i:04}-0123456789abcdef")
}

/// Which variants store `s` holds (two in five), and how many.
fn shelf(s: usize, v: u64) -> Option<i64> {
    ((v + s as u64) % 5 < 2).then_some(((v * 7 + s as u64) % 5 + 1) as i64)
}

/// The chain in `store`: 500 styles × 12 sizes, the distribution centre's stock, 1,000 stores
/// placed around Madrid with two in five sizes on each shelf, a token per store.
fn generate(store: &WarehouseStore, postgres: Option<&str>) {
    let started = Instant::now();
    let stores = stores();
    let variants = STYLES * SIZES_PER_STYLE;
    let csv = std::env::temp_dir().join(format!("chain-stores-{}.csv", std::process::id()));
    let mut out = String::from("store_id,name,address,latitude,longitude\n");
    for s in 0..stores {
        let (lat, lon) = (40.0 + (s % 40) as f64 * 0.02, -3.9 + (s / 40) as f64 * 0.02);
        out.push_str(&format!(
            "{},Store {s},Calle {s} 1,{lat:.4},{lon:.4}\n",
            store_id(s)
        ));
    }
    std::fs::write(&csv, out).expect("stores csv");
    store.import_stores_csv(&csv).expect("stores");
    let _ = std::fs::remove_file(&csv);
    match postgres {
        None => store
            .write(|tx| {
                let mut style = tx.prepare(
                    "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                         currency, image, description, fit_note, seq)
                     VALUES (?1, 'Bench', ?2, 'Black', 'unisex', ?3, 'EUR', '', '', '', ?4)",
                )?;
                let mut variant = tx.prepare(
                    "INSERT INTO variants (gtin, style_code, size_mm, width, seq)
                     VALUES (?1, ?2, ?3, 'M', ?4)",
                )?;
                let mut dc = tx.prepare("INSERT INTO dc_stock VALUES (?1, ?2)")?;
                let mut shelf_row = tx.prepare(
                    "INSERT INTO store_stock VALUES (?1, ?2, ?3, '2026-12-01T20:00:00Z', ?4)",
                )?;
                let mut seq = 0i64;
                for st in 0..STYLES {
                    seq += 1;
                    style.execute(rusqlite::params![
                        format!("CH-{st:05}"),
                        format!("Style {st}"),
                        PRICE,
                        seq
                    ])?;
                }
                for v in 0..variants {
                    seq += 1;
                    let g = gtin(v).as_i64();
                    variant.execute(rusqlite::params![
                        g,
                        format!("CH-{:05}", v / SIZES_PER_STYLE),
                        220 + 5 * (v % SIZES_PER_STYLE) as i64,
                        seq
                    ])?;
                    dc.execute(rusqlite::params![g, 1_000_000])?;
                }
                for s in 0..stores {
                    for v in 0..variants {
                        if let Some(q) = shelf(s, v) {
                            seq += 1;
                            shelf_row.execute(rusqlite::params![
                                store_id(s),
                                gtin(v).as_i64(),
                                q,
                                seq
                            ])?;
                        }
                    }
                }
                tx.execute("UPDATE change_seq SET value = ?1", [seq])?;
                Ok(())
            })
            .expect("generate (SQLite)"),
        Some(url) => {
            let url = url.to_owned();
            let gtins: Vec<i64> = (0..variants).map(|v| gtin(v).as_i64()).collect();
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .expect("connect");
                tokio::spawn(connection);
                client
                    .execute(
                        "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                             currency, image, description, fit_note)
                         SELECT 'CH-' || lpad(s::text, 5, '0'), 'Bench', 'Style ' || s, 'Black',
                                'unisex', $1, 'EUR', '', '', ''
                           FROM generate_series(0, $2::bigint - 1) s",
                        &[&PRICE, &(STYLES as i64)],
                    )
                    .await
                    .expect("styles");
                client
                    .execute(
                        "INSERT INTO variants (gtin, style_code, size_mm, width)
                         SELECT g, 'CH-' || lpad(((n - 1) / $2)::text, 5, '0'),
                                220 + 5 * ((n - 1) % $2), 'M'
                           FROM unnest($1::bigint[]) WITH ORDINALITY AS t (g, n)",
                        &[&gtins, &(SIZES_PER_STYLE as i64)],
                    )
                    .await
                    .expect("variants");
                client
                    .execute(
                        "INSERT INTO dc_stock SELECT gtin, 1000000 FROM variants",
                        &[],
                    )
                    .await
                    .expect("dc");
                // The same shelves as the SQLite side: variant index v = n - 1.
                client
                    .execute(
                        "INSERT INTO store_stock (store_id, gtin, quantity, updated_at)
                         SELECT 'store-' || lpad(s::text, 4, '0'), g,
                                ((n - 1) * 7 + s) % 5 + 1, '2026-12-01T20:00:00Z'
                           FROM generate_series(0, $2::bigint - 1) s,
                                unnest($1::bigint[]) WITH ORDINALITY AS t (g, n)
                          WHERE ((n - 1) + s) % 5 < 2",
                        &[&gtins, &(stores as i64)],
                    )
                    .await
                    .expect("store stock");
                client.batch_execute("ANALYZE").await.expect("analyze");
            });
        }
    }
    for s in 0..stores {
        store.add_token(&token(s), &store_id(s)).expect("token");
    }
    println!(
        "  generated {stores} stores, {variants} variants, ~{} shelf rows in {:.0} s",
        stores as u64 * variants * 2 / 5,
        started.elapsed().as_secs_f64()
    );
}

/// A `kiosk warehouse serve` process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["warehouse", "serve", "--listen", "127.0.0.1:0", "--db", db])
            .args(["--fixtures", "", "--rate", "1000000", "--burst", "1000000"])
            .args([
                "--max-connections",
                "4096",
                "--max-connections-per-ip",
                "4096",
            ])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kiosk warehouse serve");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let base = loop {
            let line = lines.next().expect("server ended").expect("line");
            if let Some(rest) = line.split("reference warehouse on ").nth(1) {
                break format!("{}/", rest.split_whitespace().next().expect("url"));
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n = {})",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        times.len()
    )
}

struct Chain {
    http: reqwest::Client,
    bases: Vec<String>,
}

impl Chain {
    /// The servers in turn, as a round-robin load balancer would.
    fn base(&self, i: usize) -> &str {
        &self.bases[i % self.bases.len()]
    }

    /// Reads a feed from `cursor` to its end; the new cursor and the rows read.
    async fn read_feed(
        &self,
        i: usize,
        path: &str,
        tok: &str,
        mut cursor: String,
    ) -> (String, u64) {
        let mut rows = 0;
        loop {
            let page: serde_json::Value = self
                .http
                .get(format!("{}{path}", self.base(i)))
                .query(&[("cursor", cursor.as_str()), ("limit", "5000")])
                .bearer_auth(tok)
                .send()
                .await
                .expect("feed")
                .error_for_status()
                .expect("feed status")
                .json()
                .await
                .expect("feed json");
            rows += page["items"]
                .as_array()
                .or(page["variants"].as_array())
                .map_or(0, |a| a.len() as u64);
            cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
            if !page["has_more"].as_bool().unwrap_or(false) {
                return (cursor, rows);
            }
        }
    }
}

async fn run(label: &str, store: &WarehouseStore, postgres: Option<&str>, bases: Vec<String>) {
    let stores = stores();
    let variants = STYLES * SIZES_PER_STYLE;
    let chain = Arc::new(Chain {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http"),
        bases,
    });

    // The evening before: every store's feed read to its end once (both kiosks share it).
    let started = Instant::now();
    let mut cursors: HashMap<usize, String> = HashMap::new();
    let mut evening_rows = 0;
    let mut tasks = tokio::task::JoinSet::new();
    for s in 0..stores {
        let chain = chain.clone();
        tasks.spawn(async move {
            let path = format!("v1/stores/{}/stock/changes", store_id(s));
            let (cursor, rows) = chain.read_feed(s, &path, &token(s), String::new()).await;
            (s, cursor, rows)
        });
        if tasks.len() >= 32 {
            let (s, c, r) = tasks.join_next().await.expect("task").expect("join");
            cursors.insert(s, c);
            evening_rows += r;
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (s, c, r) = done.expect("join");
        cursors.insert(s, c);
        evening_rows += r;
    }
    let (catalog_cursor, catalog_rows) = chain
        .read_feed(0, "v1/catalog/changes", &token(0), String::new())
        .await;
    let full = started.elapsed();
    println!(
        "  {label}: first sync of every store's shelf: {evening_rows} rows + {catalog_rows} catalog rows in {:.1} s ({:.0} rows/s, 32 at once)",
        full.as_secs_f64(),
        evening_rows as f64 / full.as_secs_f64()
    );

    // Availability at steady rates, up to every kiosk asking every 10 s (the chain's busiest
    // hour), 10 s each: where it keeps up and where it stops.
    let full_rate = (stores * KIOSKS_PER_STORE / 10).max(1);
    for rate in [full_rate / 8, full_rate / 4, full_rate / 2, full_rate] {
        availability(label, &chain, rate.max(1), 10).await;
    }

    // The night: one size in fifty of every shelf changes (the chain's nightly stock import,
    // in one transaction), and 40 prices.
    let started = Instant::now();
    let changes = night(store, postgres).await;
    {
        let store = store.clone();
        tokio::task::spawn_blocking(move || {
            for st in 0..40 {
                store
                    .set_price(&format!("CH-{st:05}"), PRICE + 100)
                    .expect("price");
            }
        })
        .await
        .expect("prices");
    }
    println!(
        "  {label}: the night's {changes} shelf changes (one import) and 40 prices written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The morning: every kiosk syncs from yesterday's cursors, 64 at once.
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut times = Vec::new();
    let mut rows = 0;
    for k in 0..stores * KIOSKS_PER_STORE {
        let s = k / KIOSKS_PER_STORE;
        let (chain, cursor, catalog) = (chain.clone(), cursors[&s].clone(), catalog_cursor.clone());
        tasks.spawn(async move {
            let began = Instant::now();
            let path = format!("v1/stores/{}/stock/changes", store_id(s));
            let (_, stock) = chain.read_feed(k, &path, &token(s), cursor).await;
            let (_, cat) = chain
                .read_feed(k + 1, "v1/catalog/changes", &token(s), catalog)
                .await;
            (began.elapsed(), stock + cat)
        });
        if tasks.len() >= 64 {
            let (t, r) = tasks.join_next().await.expect("task").expect("join");
            times.push(t);
            rows += r;
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (t, r) = done.expect("join");
        times.push(t);
        rows += r;
    }
    println!(
        "  {label}: morning sync of {} kiosks ({rows} rows) in {:.1} s; per kiosk {}",
        stores * KIOSKS_PER_STORE,
        started.elapsed().as_secs_f64(),
        summary(times)
    );

    // A burst of orders: one per store-kiosk pair at once, then 200 racing for 20 last pairs.
    let burst = stores;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..burst {
        let chain = chain.clone();
        tasks.spawn(async move {
            let v = (i as u64 * 37) % variants;
            let began = Instant::now();
            let status = order(&chain, i, v, &format!("burst-{i}")).await;
            (began.elapsed(), status)
        });
    }
    let mut times = Vec::new();
    let mut created = 0;
    while let Some(done) = tasks.join_next().await {
        let (t, status) = done.expect("join");
        created += usize::from(status == 201);
        times.push(t);
    }
    let elapsed = started.elapsed();
    println!(
        "  {label}: {burst} orders at once: {created} created in {:.1} s ({:.0} orders/s); {}",
        elapsed.as_secs_f64(),
        burst as f64 / elapsed.as_secs_f64(),
        summary(times)
    );
    let last: Vec<u64> = (0..20).map(|k| variants - 1 - k).collect();
    {
        let store = store.clone();
        let last = last.clone();
        tokio::task::spawn_blocking(move || {
            for v in last {
                store.set_dc_stock(gtin(v), 1).expect("last pair");
            }
        })
        .await
        .expect("last pairs");
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let chain = chain.clone();
        let v = last[i % 20];
        tasks.spawn(async move { order(&chain, i, v, &format!("race-{i}")).await });
    }
    let mut won = 0;
    while let Some(done) = tasks.join_next().await {
        won += usize::from(done.expect("join") == 201);
    }
    println!("  {label}: 200 orders for 20 last pairs: {won} created (must be 20)");
    assert_eq!(won, 20);
}

/// Which shelf rows the night changes: variant index × 13 + store number ≡ 0 (mod 50).
const NIGHT: &str =
    "((gtin / 10 - 2000000000000) * 13 + CAST(substr(store_id, 7) AS INTEGER)) % 50 = 0";

/// Writes the night's changes; returns how many rows changed.
async fn night(store: &WarehouseStore, postgres: Option<&str>) -> u64 {
    let updated_at = "2026-12-02T05:00:00Z";
    match postgres {
        None => {
            let store = store.clone();
            tokio::task::spawn_blocking(move || {
                store
                    .write(|tx| {
                        // Each row a new change after every earlier one (one writer: in order).
                        let base: i64 =
                            tx.query_row("SELECT value FROM change_seq", [], |r| r.get(0))?;
                        let n = tx.execute(
                            &format!(
                                "UPDATE store_stock SET quantity = 3, updated_at = ?1,
                                        seq = ?2 + rowid WHERE {NIGHT}"
                            ),
                            rusqlite::params![updated_at, base],
                        )?;
                        tx.execute(
                            "UPDATE change_seq SET value = (SELECT max(seq) FROM store_stock)
                              WHERE value < (SELECT max(seq) FROM store_stock)",
                            [],
                        )?;
                        Ok(n as u64)
                    })
                    .expect("night (SQLite)")
            })
            .await
            .expect("night")
        }
        Some(url) => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(connection);
            client
                .execute(
                    &format!("UPDATE store_stock SET quantity = 3, updated_at = $1 WHERE {NIGHT}"),
                    &[&updated_at],
                )
                .await
                .expect("night (PostgreSQL)")
        }
    }
}

/// Availability of a style's 12 sizes from random stores, `rate` a second for `seconds`.
async fn availability(label: &str, chain: &Arc<Chain>, rate: usize, seconds: usize) {
    let stores = stores();
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate as u32);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    for i in 0..rate * seconds {
        ticker.tick().await;
        let chain = chain.clone();
        tasks.spawn(async move {
            let s = (i * 7919) % stores;
            let style = (i as u64 * 31) % STYLES;
            let gtins: Vec<String> = (0..SIZES_PER_STYLE)
                .map(|k| gtin(style * SIZES_PER_STYLE + k).to_string())
                .collect();
            let asked = Instant::now();
            let r = chain
                .http
                .post(format!("{}v1/availability", chain.base(i)))
                .bearer_auth(token(s))
                .json(&serde_json::json!({ "gtins": gtins }))
                .send()
                .await
                .expect("availability");
            assert!(r.status().is_success(), "{}", r.status());
            let body: serde_json::Value = r.json().await.expect("json");
            assert_eq!(body["items"].as_array().map(Vec::len), Some(12));
            asked.elapsed()
        });
    }
    let mut times = Vec::new();
    while let Some(t) = tasks.join_next().await {
        times.push(t.expect("join"));
    }
    println!(
        "  {label}: availability (12 sizes, other stores ranked by distance) at {rate}/s for {seconds} s, took {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        summary(times)
    );
}

/// What variant `v` costs after the night (the first 40 styles went up by 100).
fn price_of(v: u64) -> i64 {
    if v / SIZES_PER_STYLE < 40 {
        PRICE + 100
    } else {
        PRICE
    }
}

async fn order(chain: &Chain, i: usize, v: u64, key: &str) -> u16 {
    let g = gtin(v).to_string();
    let s = (i * 7919) % stores();
    let body = serde_json::json!({
        "store_id": store_id(s),
        "kiosk_order_id": format!("K-{key}"),
        "lines": [{ "gtin": g, "quantity": 1, "unit_price_cents": price_of(v) }],
        "currency": "EUR",
        "shipping_cents": 0,
        "ship_to": { "name": "Bench Shopper", "line1": "Calle Mayor 1", "line2": "",
                     "postal_code": "28013", "city": "Madrid", "country": "ES" },
        "contact": { "email": "bench@example.com", "phone": "" }
    });
    chain
        .http
        .post(format!("{}v1/orders", chain.base(i)))
        .bearer_auth(token(s))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("order")
        .status()
        .as_u16()
}

fn main() {
    let only = std::env::var("KIOSK_BENCH_ONLY").unwrap_or_default();
    let runs = |part: &str| only.is_empty() || only == part;
    let dir = tempfile::tempdir().expect("tempdir");
    println!(
        "chain: {} stores × {KIOSKS_PER_STORE} kiosks, {STYLES} styles × {SIZES_PER_STYLE} sizes; load generator and servers on this machine ({} cores)",
        stores(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    if runs("sqlite") {
        let file = dir.path().join("chain.sqlite3");
        let store = WarehouseStore::open(&file).expect("open");
        generate(&store, None);
        let server = Server::start(&file.display().to_string());
        runtime.block_on(run(
            "SQLite, 1 process",
            &store,
            None,
            vec![server.base.clone()],
        ));
    }
    if runs("postgres") {
        let cluster = ThrowawayCluster::start().expect("PostgreSQL");
        let url = cluster.create_database("chain").expect("database");
        let store = WarehouseStore::open_location(&url).expect("open");
        generate(&store, Some(&url));
        let (a, b) = (Server::start(&url), Server::start(&url));
        runtime.block_on(run(
            "PostgreSQL, 2 processes",
            &store,
            Some(&url),
            vec![a.base.clone(), b.base.clone()],
        ));
    }
    let _ = Path::new(".");
}
