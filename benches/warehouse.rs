//! The warehouse path: availability round trip on loopback for a 20-size style (p50, p99);
//! full sync of a 1,000,000-variant catalog plus stock from the reference server (time, rows/s);
//! and the server under load from `wrk` (many kiosks asking availability).
//! `cargo bench --no-default-features --bench warehouse` (the load part needs `wrk`).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kiosk::db::{Database, DbHandle};
use kiosk::runtime::sync::{self, SyncOptions};
use kiosk::warehouse::WarehouseClient;
use kiosk::warehouse::client::ClientOptions;
use kiosk::warehouse::server::{self, ServerOptions, WarehouseStore};

const STORE: &str = "bench-store";
const TOKEN: &str = "bench-token-0123456789";

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

async fn start(store: WarehouseStore) -> server::ServerHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    // No rate limit in the way of a benchmark.
    let options = ServerOptions {
        rate_per_second: 1_000_000,
        burst: 1_000_000,
        ..ServerOptions::default()
    };
    server::spawn(listener, store, &options).expect("serve")
}

fn twenty_gtins() -> Vec<String> {
    let mut reader = csv::Reader::from_path(fixtures().join("variants.csv")).expect("variants.csv");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let style = rows
        .iter()
        .map(|r| r[1].to_owned())
        .max_by_key(|code| rows.iter().filter(|r| &r[1] == code).count())
        .expect("a style");
    rows.iter()
        .filter(|r| r[1] == style)
        .take(20)
        .map(|r| r[0].to_owned())
        .collect()
}

async fn availability_round_trip(dir: &Path) {
    let store = server::open_store(&dir.join("wh-demo.sqlite3"), Some(fixtures()), STORE, TOKEN)
        .expect("store");
    let handle = start(store).await;
    let client = WarehouseClient::new(&handle.url(), Some(TOKEN.into()), ClientOptions::default())
        .expect("client");
    let gtins = twenty_gtins();
    assert_eq!(gtins.len(), 20);
    for _ in 0..200 {
        client
            .availability(gtins.clone())
            .await
            .expect("availability");
    }
    let mut times = Vec::with_capacity(5000);
    for _ in 0..5000 {
        let started = Instant::now();
        let answer = client
            .availability(gtins.clone())
            .await
            .expect("availability");
        times.push(started.elapsed());
        assert_eq!(answer.items.len(), 20);
    }
    times.sort_unstable();
    println!(
        "availability: 20-size style, 5000 round trips on loopback: p50 {:.0} µs, p99 {:.0} µs",
        common::quantile(&times, 0.5).as_secs_f64() * 1e6,
        common::quantile(&times, 0.99).as_secs_f64() * 1e6
    );
    handle.shutdown().await;
}

async fn full_sync(dir: &Path) {
    let cache =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/warehouse-1000000.sqlite3");
    if !cache.exists() {
        eprintln!("generating a 1,000,000-variant warehouse (once)…");
        let building = cache.with_extension("building");
        let _ = std::fs::remove_file(&building);
        let store = WarehouseStore::open(&building).expect("open");
        kiosk::devtools::warehouse_data::seed_generated(&store, common::VARIANTS, STORE)
            .expect("generate");
        store.add_token(TOKEN, STORE).expect("token");
        drop(store);
        std::fs::rename(&building, &cache).expect("rename");
    }
    let handle = start(WarehouseStore::open(&cache).expect("open")).await;
    let client = WarehouseClient::new(
        &handle.url(),
        Some(TOKEN.into()),
        ClientOptions {
            timeout: Duration::from_secs(30),
            ..ClientOptions::default()
        },
    )
    .expect("client");
    let db = DbHandle::new(Database::open(&dir.join("kiosk-sync.sqlite3")).expect("kiosk db"));
    let options = SyncOptions {
        page_size: 5000,
        ..SyncOptions::new(STORE)
    };
    let started = Instant::now();
    let report = sync::sync(db.clone(), client.clone(), options.clone())
        .await
        .expect("sync");
    let elapsed = started.elapsed();
    let rows = report.catalog.added + report.stock.added;
    assert_eq!(report.catalog.added, common::VARIANTS);
    assert_eq!(report.stock.added, common::VARIANTS);
    print!(
        "sync: full sync of {} variants + {} stock rows in {} + {} pages of 5000: {:.1} s, {:.0} rows/s",
        report.catalog.added,
        report.stock.added,
        report.catalog.pages,
        report.stock.pages,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64()
    );
    handle.shutdown().await;
    // The floor, in the same run: `sqlite3 .import` of the 1,000,000-row stock export into a
    // bare table, once for each of the two feeds.
    let data = common::data();
    let bare = dir.join("floor.sqlite3");
    let started = Instant::now();
    let status = Command::new("sqlite3")
        .arg(&bare)
        .arg("-cmd")
        .arg(".mode csv")
        .arg(format!(".import {} stock", data.stock_csv.display()))
        .status();
    match status {
        Ok(s) if s.success() => {
            let floor = started.elapsed().as_secs_f64() * 2.0;
            println!(
                "; floor (sqlite3 .import of 1,000,000 rows, twice) {floor:.1} s; ratio {:.1}x",
                elapsed.as_secs_f64() / floor
            );
        }
        _ => println!(" (install sqlite3 for the floor)"),
    }
}

async fn load(dir: &Path) {
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("load: skipped (install wrk: apt-get install wrk)");
        return;
    }
    let store = server::open_store(&dir.join("wh-load.sqlite3"), Some(fixtures()), STORE, TOKEN)
        .expect("store");
    let handle = start(store).await;
    let body = serde_json::json!({ "gtins": twenty_gtins() }).to_string();
    let script = dir.join("availability.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {TOKEN}\"\n\
             done = function(summary, latency, requests)\n  io.write(string.format(\"errors %d %d %d %d %d\\n\", summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))\nend\n"
        ),
    )
    .expect("script");
    let url = format!("{}v1/availability", handle.url());
    let out = tokio::task::spawn_blocking(move || {
        Command::new("wrk")
            .args(["-t2", "-c32", "-d10s", "--latency", "-s"])
            .arg(&script)
            .arg(&url)
            .output()
            .expect("wrk")
    })
    .await
    .expect("wrk task");
    let text = String::from_utf8_lossy(&out.stdout);
    let pick = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.trim().to_owned())
            .unwrap_or_default()
    };
    println!(
        "load: wrk -t2 -c32 -d10s POST /v1/availability (20 GTINs), server and wrk on the same 2 cores: {} | p50 {} | p99 {} | {}",
        pick("Requests/sec"),
        pick("50%"),
        pick("99%"),
        pick("errors")
    );
    handle.shutdown().await;
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // `KIOSK_BENCH_ONLY=sync` (or `availability`, `load`) runs one part.
    let only = std::env::var("KIOSK_BENCH_ONLY").unwrap_or_default();
    let runs = |part: &str| only.is_empty() || only == part;
    runtime.block_on(async {
        if runs("availability") {
            availability_round_trip(dir.path()).await;
        }
        if runs("sync") {
            full_sync(dir.path()).await;
        }
        if runs("load") {
            load(dir.path()).await;
        }
    });
}
