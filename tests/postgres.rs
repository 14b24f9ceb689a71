//! What only the PostgreSQL back-end has to prove: several `kiosk warehouse serve` processes on
//! one database, feeds whose cursors survive transactions committing out of order, and
//! versioned migrations. A throwaway cluster (initdb in a temp dir, unix socket only) is
//! started for this test binary; each test has its own database in it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

mod common;

use common::order_request;
use kiosk::devtools::pg_cluster::ThrowawayCluster;
use kiosk::domain::barcode::Gtin;
use kiosk::warehouse::server::WarehouseStore;

const STORE: &str = "demo-store-001";
const TOKEN: &str = "token-store-001-0123456789";
const KNOWN: &str = "04012345001013";
const PRICE_OF_KNOWN: i64 = 14999;

fn cluster() -> &'static ThrowawayCluster {
    static CLUSTER: OnceLock<ThrowawayCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| ThrowawayCluster::start().expect("a throwaway PostgreSQL cluster"))
}

fn database() -> String {
    let name = format!("pg_{}", uuid::Uuid::new_v4().simple());
    cluster().create_database(&name).unwrap()
}

fn fixtures() -> &'static std::path::Path {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

fn gtin(text: &str) -> Gtin {
    text.parse().unwrap()
}

/// A `kiosk warehouse serve` process on `url`, listening on a port of its own choosing.
struct ServeProcess {
    child: Child,
    base: String,
}

impl ServeProcess {
    fn start(url: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["warehouse", "serve", "--listen", "127.0.0.1:0", "--db", url])
            .args([
                "--fixtures",
                concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"),
            ])
            .args(["--rate", "10000", "--burst", "10000"])
            .env("KIOSK_WAREHOUSE_TOKEN", TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // It says where it listens on its standard error once it accepts connections.
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server ended before it listened")
                .unwrap();
            if let Some(rest) = line.split("reference warehouse on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining its output so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, base }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_orders_for_the_last_pair_across_two_server_processes_make_one_order() {
    let url = tokio::task::spawn_blocking(database).await.unwrap();
    let (a, b) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || (ServeProcess::start(&url), ServeProcess::start(&url))
    })
    .await
    .unwrap();
    let store = WarehouseStore::open_location(&url).unwrap();
    assert_eq!(store.kind(), "PostgreSQL");
    store.set_dc_stock(gtin(KNOWN), 1).unwrap();

    let http = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let request = http
            .post(format!("{base}/v1/orders"))
            .bearer_auth(TOKEN)
            .header("Idempotency-Key", format!("race-{i}"))
            .json(&order_request(
                KNOWN,
                PRICE_OF_KNOWN,
                &format!("K-RACE-{i}"),
            ));
        tasks.push(tokio::spawn(async move {
            request.send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "exactly one order: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "the others a clear no: {statuses:?}"
    );
    assert_eq!(store.order_count().unwrap(), 1);
    assert_eq!(store.dc_stock(gtin(KNOWN)).unwrap(), 0);

    // One Idempotency-Key sent to both servers at once is one order.
    store.set_dc_stock(gtin(KNOWN), 5).unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let request = http
            .post(format!("{base}/v1/orders"))
            .bearer_auth(TOKEN)
            .header("Idempotency-Key", "one-key")
            .json(&order_request(KNOWN, PRICE_OF_KNOWN, "K-ONE"));
        tasks.push(tokio::spawn(async move {
            let r = request.send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.status());
            r.json::<serde_json::Value>().await.unwrap()["order_id"].clone()
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(store.order_count().unwrap(), 2);
    assert_eq!(store.dc_stock(gtin(KNOWN)).unwrap(), 4);
}

/// Transaction A writes first and commits last; B's change, written later and committed
/// first, must not carry a kiosk's cursor past A's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_late_is_not_skipped_by_the_stock_feed() {
    let url = tokio::task::spawn_blocking(database).await.unwrap();
    let store =
        kiosk::warehouse::server::open_store_at(&url, Some(fixtures()), STORE, TOKEN).unwrap();
    store.set_store_stock("s1", gtin(KNOWN), 1).unwrap();
    let first = store.stock_page("s1", "", 100, false).unwrap();
    assert_eq!(first.items.len(), 1);
    let cursor = first.next_cursor;

    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client.batch_execute("BEGIN").await.unwrap();
    client
        .execute(
            "UPDATE store_stock SET quantity = 7 WHERE store_id = 's1' AND gtin = $1",
            &[&gtin(KNOWN).as_i64()],
        )
        .await
        .unwrap();
    // B: another size, committed while A is still open.
    let other = gtin("04012345001020");
    store.set_store_stock("s1", other, 3).unwrap();
    let during = store.stock_page("s1", &cursor, 100, true).unwrap();
    assert!(
        during.items.is_empty(),
        "nothing past a transaction still open: {during:?}"
    );
    assert_eq!(during.next_cursor, cursor, "the cursor stays");
    assert!(!during.has_more);

    client.batch_execute("COMMIT").await.unwrap();
    let after = store
        .stock_page("s1", &during.next_cursor, 100, false)
        .unwrap();
    let mut seen: Vec<(String, u32)> = after
        .items
        .iter()
        .map(|i| (i.gtin.clone(), i.quantity))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![(KNOWN.to_owned(), 7), (other.to_string(), 3)],
        "both changes, the late one included"
    );
    let last = store
        .stock_page("s1", &after.next_cursor, 100, false)
        .unwrap();
    assert!(last.items.is_empty(), "and each once");
    // A cursor the other back-end gave (digits only) or garbage: read, or refused clearly.
    assert!(store.stock_page("s1", "12", 100, false).is_ok());
    let bad = store.stock_page("s1", "12-x", 100, false).unwrap_err();
    assert!(
        bad.to_string().contains("not one this server issued"),
        "{bad}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_is_versioned_and_a_newer_database_is_refused() {
    let url = tokio::task::spawn_blocking(database).await.unwrap();
    // Two servers starting together on an empty database: one migrates and seeds, the other
    // waits and finds it done.
    let (x, y) = std::thread::scope(|s| {
        let x = s.spawn(|| {
            kiosk::warehouse::server::open_store_at(&url, Some(fixtures()), STORE, TOKEN)
        });
        let y = s.spawn(|| {
            kiosk::warehouse::server::open_store_at(&url, Some(fixtures()), STORE, TOKEN)
        });
        (x.join().unwrap(), y.join().unwrap())
    });
    let (x, _y) = (x.unwrap(), y.unwrap());
    let page = x.catalog_page("", 5000, true).unwrap();
    let variants = page.variants.len();
    assert!(variants > 100, "seeded once: {variants}");
    let codes: std::collections::HashSet<_> = page.variants.iter().map(|v| &v.gtin).collect();
    assert_eq!(codes.len(), variants, "no variant twice");

    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let versions: i64 = client
        .query_one("SELECT count(*) FROM schema_version", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        versions,
        kiosk::warehouse::server::store::postgres::SCHEMA_VERSION,
        "each version applied once"
    );
    client
        .execute("INSERT INTO schema_version VALUES (99)", &[])
        .await
        .unwrap();
    let refused = tokio::task::spawn_blocking(move || WarehouseStore::open_location(&url))
        .await
        .unwrap()
        .err()
        .expect("refused");
    let text = refused.to_string();
    assert!(text.contains("schema version 99"), "{text}");
    assert!(!text.contains("password"), "{text}");
}

#[test]
fn a_server_that_cannot_reach_its_database_says_where_without_the_password() {
    let err = WarehouseStore::open_location("postgres://kiosk:s3cret-pw@127.0.0.1:1/warehouse")
        .err()
        .expect("no server listens on port 1");
    let text = err.to_string();
    assert!(
        text.contains("warehouse") && text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(!text.contains("s3cret-pw"), "{text}");
}

/// The database goes away under a running server: requests get a problem document (not a
/// hang), and the server is itself again when the database is back, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_database_goes_away_says_so_and_recovers_without_a_restart() {
    let url = tokio::task::spawn_blocking(database).await.unwrap();
    let name = url.rsplit('/').next().unwrap().to_owned();
    let store =
        kiosk::warehouse::server::open_store_at(&url, Some(fixtures()), STORE, TOKEN).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = kiosk::warehouse::server::spawn(listener, store, &Default::default()).unwrap();
    let http = reqwest::Client::new();
    let catalog = || {
        http.get(format!("{}v1/catalog/changes?limit=5", server.url()))
            .bearer_auth(TOKEN)
            .send()
    };
    assert_eq!(catalog().await.unwrap().status(), 200);

    let (admin, connection) =
        tokio_postgres::connect(&cluster().url("postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ))
        .await
        .unwrap();
    let down = catalog().await.unwrap();
    assert_eq!(down.status(), 500);
    assert_eq!(down.headers()["content-type"], "application/problem+json");

    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = catalog().await.unwrap().status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "back without a restart");
    server.shutdown().await;
}

/// Other stores' stock comes from each store's nearest neighbours when enough of them hold a
/// size, and from every shelf otherwise: on both back-ends the answer must be the one given by
/// reading every shelf, for sizes held widely, rarely and not at all, and for an unplaced store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_stores_come_out_the_same_on_both_back_ends_in_a_large_chain() {
    let url = tokio::task::spawn_blocking(database).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("stores.csv");
    let mut rows = String::from("store_id,name,address,latitude,longitude\n");
    for s in 0..60 {
        let (lat, lon) = (40.0 + (s % 8) as f64 * 0.05, -3.9 + (s / 8) as f64 * 0.07);
        rows.push_str(&format!("s{s:02},Store {s},Street {s},{lat},{lon}\n"));
    }
    rows.push_str("nowhere,Unplaced,Somewhere,,\n");
    std::fs::write(&csv, rows).unwrap();
    let gtins = ["04012345001013", "04012345001020", "04012345001037"];
    let answers = tokio::task::spawn_blocking(move || {
        let stores = [
            kiosk::warehouse::server::open_store_at(&url, Some(fixtures()), STORE, TOKEN).unwrap(),
            kiosk::warehouse::server::open_store(
                &dir.path().join("wh.sqlite3"),
                Some(fixtures()),
                STORE,
                TOKEN,
            )
            .unwrap(),
            kiosk::warehouse::server::open_store(
                &dir.path().join("every-shelf.sqlite3"),
                Some(fixtures()),
                STORE,
                TOKEN,
            )
            .unwrap(),
        ];
        let mut answers = Vec::new();
        for (i, store) in stores.iter().enumerate() {
            store.import_stores_csv(&csv).unwrap();
            if i == 2 {
                // The reference: no neighbour lists, so every answer reads every shelf.
                store
                    .write(|tx| Ok(tx.execute("DELETE FROM store_neighbours", [])?))
                    .unwrap();
            }
            for s in 0..60 {
                // Widely held: 40 stores; rarely: 3; the third size nowhere but the unplaced.
                if s % 3 != 0 {
                    store
                        .set_store_stock(&format!("s{s:02}"), gtin(gtins[0]), 2)
                        .unwrap();
                }
                if s % 20 == 7 {
                    store
                        .set_store_stock(&format!("s{s:02}"), gtin(gtins[1]), 1)
                        .unwrap();
                }
            }
            store.set_store_stock("nowhere", gtin(gtins[2]), 4).unwrap();
            store.set_store_stock("nowhere", gtin(gtins[0]), 4).unwrap();
            let asked: Vec<String> = gtins.iter().map(|g| (*g).to_owned()).collect();
            answers.push(
                ["s00", "s27", "nowhere"].map(|asking| store.availability(asking, &asked).unwrap()),
            );
        }
        answers
    })
    .await
    .unwrap();
    let (postgres, every_shelf) = (&answers[0], &answers[2]);
    for answer in [&answers[0], &answers[1]] {
        for (p, s) in answer.iter().zip(every_shelf) {
            assert_eq!(p.1, s.1, "the same stores described");
            for (pi, si) in p.0.iter().zip(&s.0) {
                assert_eq!(pi.stores, si.stores, "{}", pi.gtin);
            }
        }
    }
    let widely = &postgres[0].0[0].stores;
    assert_eq!(widely.len(), 5);
    assert!(
        widely
            .windows(2)
            .all(|w| w[0].distance_m <= w[1].distance_m)
    );
    assert_eq!(
        postgres[0].0[1].stores.len(),
        3,
        "the three that hold it, however far"
    );
    assert_eq!(
        postgres[0].0[2].stores[0].store_id, "nowhere",
        "unplaced, still offered"
    );
}
