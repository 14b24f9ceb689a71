//! The kiosk against the reference warehouse over real HTTP on 127.0.0.1, with faults
//! injected at the server. No mocks: the client, the server and the databases are real. Every
//! test runs on both of the warehouse's back-ends (`NAME::sqlite`, `NAME::postgres`): SQLite
//! files in a temp dir, and a database of its own in a throwaway PostgreSQL cluster.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

mod common;

use common::{draft, order_request};
use kiosk::db::{Database, DbHandle};
use kiosk::devtools::pg_cluster::ThrowawayCluster;
use kiosk::domain::availability::{self, Freshness};
use kiosk::domain::barcode::Gtin;
use kiosk::domain::orders::{self, OutboxStatus};
use kiosk::runtime::sync::{self, SyncError, SyncOptions};
use kiosk::warehouse::client::ClientOptions;
use kiosk::warehouse::protocol::{Address, Contact, Fulfilment};
use kiosk::warehouse::server::{self, Fault, ServerHandle, ServerOptions, WarehouseStore};
use kiosk::warehouse::{ClientError, WarehouseClient};
use sipper::Sipper;

const STORE: &str = "demo-store-001";
const TOKEN: &str = "token-store-001-0123456789";
const OTHER_TOKEN: &str = "token-store-002-0123456789";
const KNOWN: &str = "04012345001013";

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// Which of the reference warehouse's back-ends a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// One throwaway PostgreSQL cluster for this test binary (stopped when it exits); each test
/// gets its own database in it.
fn postgres_cluster() -> &'static ThrowawayCluster {
    static CLUSTER: OnceLock<ThrowawayCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| ThrowawayCluster::start().expect("a throwaway PostgreSQL cluster"))
}

fn new_postgres_database() -> String {
    let name = format!("wh_{}", uuid::Uuid::new_v4().simple());
    postgres_cluster().create_database(&name).unwrap()
}

/// The same test on each back-end: `NAME::sqlite` and `NAME::postgres`.
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await;
            }
        }
    };
}

struct Env {
    backend: Backend,
    /// The warehouse's database: the SQLite file's path or the PostgreSQL URL.
    location: String,
    dir: tempfile::TempDir,
    server: Option<ServerHandle>,
    addr: std::net::SocketAddr,
    db: DbHandle,
}

fn fast_options() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(300),
        max_retries: 4,
        retry_backoff: Duration::from_millis(10),
        breaker_failures: 1000,
        breaker_open: Duration::from_secs(1),
    }
}

impl Env {
    /// A seeded warehouse and an empty kiosk cache.
    async fn new(backend: Backend) -> Self {
        Self::with_server_options(backend, ServerOptions::default()).await
    }

    async fn with_server_options(backend: Backend, options: ServerOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let location = match backend {
            Backend::Sqlite => dir.path().join("wh.sqlite3").display().to_string(),
            Backend::Postgres => tokio::task::spawn_blocking(new_postgres_database)
                .await
                .unwrap(),
        };
        let store = server::open_store_at(&location, Some(fixtures()), STORE, TOKEN).unwrap();
        store.add_token(OTHER_TOKEN, "store-002").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = server::spawn(listener, store, &options).unwrap();
        let addr = server.addr;
        let db = DbHandle::new(Database::open(&dir.path().join("kiosk.sqlite3")).unwrap());
        Self {
            backend,
            location,
            dir,
            server: Some(server),
            addr,
            db,
        }
    }

    fn server(&self) -> &ServerHandle {
        self.server.as_ref().unwrap()
    }

    fn store(&self) -> WarehouseStore {
        self.server().store.clone()
    }

    fn client(&self) -> WarehouseClient {
        self.client_with(fast_options())
    }

    fn client_with(&self, options: ClientOptions) -> WarehouseClient {
        WarehouseClient::new(
            &format!("http://{}/", self.addr),
            Some(TOKEN.into()),
            options,
        )
        .unwrap()
    }

    async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }

    /// Starts the server again on the same address and database.
    async fn restart(&mut self) {
        self.stop().await;
        let store = WarehouseStore::open_location(&self.location).unwrap();
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.server = Some(server::spawn(listener, store, &ServerOptions::default()).unwrap());
    }

    /// Runs `statement` on the warehouse's database behind the server's back (to age a row).
    async fn sql(&self, statement: &str) {
        match self.backend {
            Backend::Sqlite => {
                let db = rusqlite::Connection::open(&self.location).unwrap();
                db.execute_batch(statement).unwrap();
            }
            Backend::Postgres => {
                let (client, connection) =
                    tokio_postgres::connect(&self.location, tokio_postgres::NoTls)
                        .await
                        .unwrap();
                let connection = tokio::spawn(connection);
                client.batch_execute(statement).await.unwrap();
                drop(client);
                let _ = connection.await;
            }
        }
    }

    fn count(&self, sql: &'static str) -> u64 {
        self.db
            .blocking(|db| Ok(db.conn().query_row(sql, [], |r| r.get(0))?))
            .unwrap()
    }

    fn cursor(&self, feed: &'static str) -> String {
        self.db
            .blocking(|db| Ok(db.feed(feed)?.map(|f| f.cursor).unwrap_or_default()))
            .unwrap()
    }

    async fn sync(&self, page_size: u32) -> Result<sync::SyncReport, SyncError> {
        let options = SyncOptions {
            page_size,
            ..SyncOptions::new(STORE)
        };
        sync::sync(self.db.clone(), self.client(), options.clone()).await
    }
}

fn gtin(text: &str) -> Gtin {
    text.parse().unwrap()
}

const PRICE_OF_KNOWN: i64 = 14999;

both_backends!(sync_from_empty_then_delta);
async fn sync_from_empty_then_delta(backend: Backend) {
    let env = Env::new(backend).await;
    let report = env.sync(100).await.unwrap();
    assert_eq!(report.catalog.added, 661);
    // What "shoes like this" ranks by travels with the catalog.
    let attributes: (String, String, String) = env
        .db
        .blocking(|db| {
            Ok(db.conn().query_row(
                "SELECT category, colour_family, tags FROM styles WHERE style_code = 'VE-TRA-004'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap();
    assert_eq!(
        attributes,
        (
            "trail".into(),
            "neutral".into(),
            "trail;grip;waterproof".into()
        )
    );
    assert!(report.catalog.pages >= 7, "paged: {:?}", report.catalog);
    assert_eq!(report.stock.added, 602);
    assert_eq!(env.count("SELECT count(*) FROM variants"), 661);
    assert_eq!(env.count("SELECT count(*) FROM styles"), 44);
    // The catalog's translations travel with it.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM styles WHERE json_extract(translations, '$.es.colour') != ''"
        ),
        44
    );
    assert_eq!(env.count("SELECT count(*) FROM store_stock"), 602);
    assert_eq!(
        env.count("SELECT -cache_size FROM pragma_cache_size()"),
        2048,
        "the sync's large page cache is given back"
    );

    // Changes at the chain: a price, a discontinued size, a stock count.
    let store = env.store();
    store.set_price("NO-RUN-001", 12999).unwrap();
    store.discontinue(gtin("04012345001020")).unwrap();
    store.set_store_stock(STORE, gtin(KNOWN), 42).unwrap();
    let cursor_before = env.cursor("catalog");
    let report = env.sync(100).await.unwrap();
    assert_eq!(report.catalog.removed, 1);
    assert_eq!(report.stock.changed, 1);
    assert_ne!(env.cursor("catalog"), cursor_before);
    assert_eq!(
        env.count("SELECT price_cents FROM styles WHERE style_code = 'NO-RUN-001'"),
        12999
    );
    assert_eq!(env.count("SELECT count(*) FROM variants"), 660);
    assert_eq!(
        env.count("SELECT quantity FROM store_stock WHERE gtin = 4012345001013"),
        42
    );
    // Nothing new: one empty page per feed.
    let report = env.sync(100).await.unwrap();
    assert_eq!(
        (
            report.catalog.added,
            report.catalog.changed,
            report.stock.changed
        ),
        (0, 0, 0)
    );
}

both_backends!(sync_progress_knows_how_many_pages_a_feed_has);
async fn sync_progress_knows_how_many_pages_a_feed_has(backend: Backend) {
    let env = Env::new(backend).await;
    let mut options = sync::SyncOptions::new(STORE);
    options.page_size = 100;
    // What the manager's progress bar sees: each page as it lands, then the report.
    let mut sync = sync::sync(env.db.clone(), env.client(), options).pin();
    let mut seen = Vec::new();
    while let Some(page) = sync.sip().await {
        seen.push((page.feed, page.counts.pages, page.total_pages));
    }
    let report = sync.await.unwrap();
    let catalog: Vec<_> = seen.iter().filter(|s| s.0 == "catalog").collect();
    // The total is known from the first page on and the last page reaches it.
    assert_eq!(catalog.len() as u64, report.catalog.pages);
    let total = catalog[0].2.unwrap();
    assert!(catalog.iter().all(|s| s.2 == Some(total)));
    assert_eq!(catalog.last().unwrap().1, total);
    let stock: Vec<_> = seen.iter().filter(|s| s.0 == "stock").collect();
    // 602 stock rows in pages of 100: 7 pages.
    assert_eq!(stock.last().unwrap(), &&("stock", 7, Some(7)));
}

both_backends!(transient_faults_are_retried_and_the_sync_completes);
async fn transient_faults_are_retried_and_the_sync_completes(backend: Backend) {
    let env = Env::new(backend).await;
    let faults = &env.server().faults;
    let path = "/v1/catalog/changes";
    faults.push(path, Fault::Status(500));
    faults.push(path, Fault::Status(503));
    faults.push(
        path,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    );
    faults.push(path, Fault::MalformedJson);
    faults.push(path, Fault::Truncate);
    faults.push(path, Fault::Delay(Duration::from_millis(1500))); // past the client timeout
    let started = std::time::Instant::now();
    let client = env.client_with(ClientOptions {
        max_retries: 8,
        ..fast_options()
    });
    let options = SyncOptions {
        page_size: 200,
        ..SyncOptions::new(STORE)
    };
    let report = sync::sync(env.db.clone(), client.clone(), options.clone())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(faults.pending(), 0, "every fault was hit");
    assert_eq!(report.catalog.added, 661);
    assert_eq!(env.count("SELECT count(*) FROM variants"), 661);
}

both_backends!(a_failed_page_keeps_earlier_pages_and_the_cursor_and_resumes);
async fn a_failed_page_keeps_earlier_pages_and_the_cursor_and_resumes(backend: Backend) {
    let env = Env::new(backend).await;
    let faults = &env.server().faults;
    // Page 1 succeeds; page 2 fails more times than the client retries.
    faults.push("/v1/catalog/changes", Fault::Delay(Duration::ZERO));
    for _ in 0..6 {
        faults.push("/v1/catalog/changes", Fault::Status(500));
    }
    let err = env.sync(100).await.unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Warehouse {
                feed: "catalog",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("run the sync again to resume"),
        "{err}"
    );
    let applied = env.count("SELECT count(*) FROM variants");
    assert!(applied > 0 && applied < 661, "whole pages only: {applied}");
    let cursor = env.cursor("catalog");
    assert!(!cursor.is_empty());
    // Every variant that is there has its style (no half page).
    assert_eq!(
        env.count("SELECT count(*) FROM variants WHERE style_id NOT IN (SELECT id FROM styles)"),
        0
    );
    faults.clear();
    let report = env.sync(100).await.unwrap();
    assert_eq!(
        report.catalog.added as u64 + applied,
        661,
        "resumed from the cursor, nothing twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_data_from_the_warehouse_is_refused_whole() {
    // SQLite only: the corruption is written into the file behind the server's back.
    let env = Env::new(Backend::Sqlite).await;
    env.sync(1000).await.unwrap();
    // The warehouse publishes a stock row for a GTIN with a broken check digit.
    env.store()
        .set_store_stock(STORE, gtin("04012345001037"), 5)
        .unwrap();
    // Corrupt it at the source: flip the last digit in the server's database.
    let wh = rusqlite::Connection::open(env.dir.path().join("wh.sqlite3")).unwrap();
    wh.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    wh.execute(
        "UPDATE store_stock SET gtin = 4012345001038 WHERE gtin = 4012345001037",
        [],
    )
    .unwrap();
    let before = env.cursor("stock");
    let err = env.sync(1000).await.unwrap_err();
    assert!(
        matches!(err, SyncError::BadData { feed: "stock", .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("04012345001038"),
        "names the record: {err}"
    );
    assert_eq!(
        env.cursor("stock"),
        before,
        "the cursor did not move past bad data"
    );
}

both_backends!(a_server_restart_mid_sync_resumes_from_the_cursor);
async fn a_server_restart_mid_sync_resumes_from_the_cursor(backend: Backend) {
    let mut env = Env::new(backend).await;
    let client = env.client_with(ClientOptions {
        max_retries: 0,
        ..fast_options()
    });
    let options = SyncOptions {
        page_size: 100,
        ..SyncOptions::new(STORE)
    };
    // Fail the third page by stopping the server while the client waits for it.
    env.server()
        .faults
        .push("/v1/catalog/changes", Fault::Delay(Duration::ZERO));
    env.server()
        .faults
        .push("/v1/catalog/changes", Fault::Delay(Duration::ZERO));
    env.server()
        .faults
        .push("/v1/catalog/changes", Fault::Delay(Duration::from_secs(3)));
    let db = env.db.clone();
    let sync_task =
        tokio::spawn(async move { sync::sync(db.clone(), client.clone(), options.clone()).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    env.stop().await;
    let err = sync_task.await.unwrap().unwrap_err();
    assert!(matches!(err, SyncError::Warehouse { .. }), "{err}");
    let applied = env.count("SELECT count(*) FROM variants");
    assert!((100..661).contains(&applied), "{applied}");
    env.restart().await;
    let report = env.sync(100).await.unwrap();
    assert_eq!(report.catalog.added + applied, 661);
    assert_eq!(env.count("SELECT count(*) FROM store_stock"), 602);
}

both_backends!(connection_refused_fails_fast_and_the_breaker_opens);
async fn connection_refused_fails_fast_and_the_breaker_opens(backend: Backend) {
    let mut env = Env::new(backend).await;
    env.stop().await;
    let client = env.client_with(ClientOptions {
        max_retries: 0,
        breaker_failures: 3,
        breaker_open: Duration::from_secs(30),
        ..fast_options()
    });
    for _ in 0..3 {
        let err = client.catalog_changes("", 10).await.unwrap_err();
        assert!(matches!(err, ClientError::Unreachable(_)), "{err}");
    }
    // Open: the call is refused without a request (CircuitOpen is only returned when the
    // breaker did not let the attempt through), so a dead warehouse costs no waiting.
    let err = client.catalog_changes("", 10).await.unwrap_err();
    assert_eq!(err, ClientError::CircuitOpen);
    assert!(!client.is_available());
}

both_backends!(availability_is_cached_and_served_from_cache_when_the_warehouse_is_down);
async fn availability_is_cached_and_served_from_cache_when_the_warehouse_is_down(backend: Backend) {
    let mut env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let client = env.client();
    let gtins: Vec<Gtin> = ["04012345001013", "04012345001020", "04012345001037"]
        .map(gtin)
        .to_vec();
    assert_eq!(
        availability::refresh(&env.db, &client, &gtins)
            .await
            .unwrap(),
        Freshness::Live
    );
    assert_eq!(env.count("SELECT count(*) FROM warehouse_availability"), 3);
    assert!(env.count("SELECT count(*) FROM warehouse_availability WHERE quantity > 0 AND delivery_estimate IS NOT NULL") >= 1);
    env.stop().await;
    match availability::refresh(&env.db, &client, &gtins)
        .await
        .unwrap()
    {
        Freshness::Cached { age_secs, reason } => {
            assert!(age_secs < 60);
            assert!(reason.contains("reach"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let never_fetched = vec![gtin("04012345001044")];
    assert!(matches!(
        availability::refresh(&env.db, &client, &never_fetched)
            .await
            .unwrap(),
        Freshness::Unavailable { .. }
    ));
}

both_backends!(an_order_goes_through_the_outbox_and_reserves_stock);
async fn an_order_goes_through_the_outbox_and_reserves_stock(backend: Backend) {
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let before = env.store().dc_stock(gtin(KNOWN)).unwrap();
    let order = env
        .db
        .call(|db| {
            orders::enqueue(db, STORE, &draft(KNOWN, PRICE_OF_KNOWN))
                .map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    assert_eq!(order.status, OutboxStatus::Pending);
    assert!(order.has_shopper_details);
    let report = orders::send_due(&env.db, &env.client(), false)
        .await
        .unwrap();
    assert_eq!(report.confirmed, vec![order.id.clone()]);
    let sent = env
        .db
        .call(move |db| {
            orders::get(db, &order.id).map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    assert_eq!(sent.status, OutboxStatus::Confirmed);
    assert!(sent.warehouse_order_id.is_some());
    assert_eq!(env.store().dc_stock(gtin(KNOWN)).unwrap(), before - 1);
    assert_eq!(env.store().order_count().unwrap(), 1);
    // The shopper asks for the code by e-mail: the answer masks the address; a fourth ask is
    // refused (no inbox flooding from a kiosk button); an unknown order is 404.
    let warehouse_id = sent.warehouse_order_id.clone().unwrap();
    let client = env.client();
    for _ in 0..3 {
        let queued = client.email_order_code(&warehouse_id).await.unwrap();
        assert!(queued.to.contains("•••@"), "masked: {}", queued.to);
    }
    let refused = client.email_order_code(&warehouse_id).await.unwrap_err();
    assert!(refused.to_string().contains("three times"), "{refused}");
    assert!(client.email_order_code("W-NOPE").await.is_err());
    assert_eq!(env.store().code_email_count().unwrap(), 3);
    // Nothing left to send; sending again sends nothing.
    let again = orders::send_due(&env.db, &env.client(), true)
        .await
        .unwrap();
    assert!(again.confirmed.is_empty());
    assert_eq!(env.store().order_count().unwrap(), 1);
    // Retention 0 days: the shopper's details go.
    let purged = env
        .db
        .call(|db| orders::purge_shopper_details(db, 0))
        .await
        .unwrap();
    assert_eq!(purged.details_deleted, 1);
    assert_eq!(
        env.count("SELECT count(*) FROM order_outbox WHERE shopper IS NOT NULL"),
        0
    );
}

both_backends!(an_order_waits_in_the_outbox_while_the_warehouse_is_down);
async fn an_order_waits_in_the_outbox_while_the_warehouse_is_down(backend: Backend) {
    let mut env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    env.stop().await;
    let id = env
        .db
        .call(|db| {
            Ok(orders::enqueue(db, STORE, &draft(KNOWN, PRICE_OF_KNOWN))
                .map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))?
                .id)
        })
        .await
        .unwrap();
    let client = env.client_with(ClientOptions {
        max_retries: 1,
        ..fast_options()
    });
    let report = orders::send_due(&env.db, &client, false).await.unwrap();
    assert_eq!(report.deferred, vec![id.clone()]);
    let waiting = env
        .db
        .call({
            let id = id.clone();
            move |db| orders::get(db, &id).map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    assert_eq!(waiting.status, OutboxStatus::Pending);
    assert!(waiting.last_error.unwrap().contains("reach"));
    assert!(waiting.next_attempt_at.is_some());
    env.restart().await;
    // Not due yet by the schedule; the manager's retry sends it now.
    let report = orders::send_due(&env.db, &env.client(), true)
        .await
        .unwrap();
    assert_eq!(report.confirmed, vec![id]);
    assert_eq!(env.store().order_count().unwrap(), 1);
}

both_backends!(the_same_order_sent_fifty_times_at_once_is_one_order);
async fn the_same_order_sent_fifty_times_at_once_is_one_order(backend: Backend) {
    let env = Env::new(backend).await;
    let request = order_request(KNOWN, PRICE_OF_KNOWN, "K-TEST-0001");
    let client = env.client();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (client, request) = (client.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            client.create_order("same-key-1", &request).await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().order_id);
    }
    assert_eq!(ids.len(), 1, "every answer is the same order");
    assert_eq!(env.store().order_count().unwrap(), 1);
    // The same key with a different body is refused.
    let other = order_request(KNOWN, PRICE_OF_KNOWN, "K-TEST-0002");
    match client.create_order("same-key-1", &other).await.unwrap_err() {
        ClientError::Rejected(p) => assert_eq!(p.status, 422),
        e => panic!("{e}"),
    }
}

both_backends!(two_kiosks_racing_for_the_last_pair_get_one_order_and_one_clear_no);
async fn two_kiosks_racing_for_the_last_pair_get_one_order_and_one_clear_no(backend: Backend) {
    let env = Env::new(backend).await;
    env.store().set_dc_stock(gtin(KNOWN), 1).unwrap();
    let (a, b) = (env.client(), env.client());
    let ra = order_request(KNOWN, PRICE_OF_KNOWN, "K-A");
    let rb = order_request(KNOWN, PRICE_OF_KNOWN, "K-B");
    let (x, y) = tokio::join!(
        a.create_order("kiosk-a", &ra),
        b.create_order("kiosk-b", &rb)
    );
    let results = [x, y];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let refusal = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    match refusal {
        ClientError::Rejected(p) => {
            assert_eq!(p.status, 409);
            assert!(p.kind.ends_with("out-of-stock"));
            assert!(p.detail.contains("no longer available"));
        }
        e => panic!("{e}"),
    }
    assert_eq!(env.store().dc_stock(gtin(KNOWN)).unwrap(), 0);
}

both_backends!(tokens_are_scoped_and_bad_requests_are_refused_with_problems);
async fn tokens_are_scoped_and_bad_requests_are_refused_with_problems(backend: Backend) {
    let env = Env::new(backend).await;
    let base = format!("http://{}", env.addr);
    let http = reqwest::Client::new();
    let status = |r: reqwest::Response| r.status().as_u16();
    // No token, unknown token: 401 with a problem body.
    let r = http
        .get(format!("{base}/v1/catalog/changes"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = http
        .get(format!("{base}/v1/catalog/changes"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(status(r), 401);
    // Store 002's token on store 001's stock and orders: 403.
    let r = http
        .get(format!("{base}/v1/stores/{STORE}/stock/changes"))
        .bearer_auth(OTHER_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(status(r), 403);
    let r = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(OTHER_TOKEN)
        .header("Idempotency-Key", "k")
        .json(&order_request(KNOWN, PRICE_OF_KNOWN, "K-X"))
        .send()
        .await
        .unwrap();
    assert_eq!(status(r), 403);
    // Malformed JSON, unknown fields, a missing key, an oversized body.
    let post = |body: Vec<u8>| {
        http.post(format!("{base}/v1/availability"))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body)
    };
    assert_eq!(
        status(post(b"{\"gtins\": [".to_vec()).send().await.unwrap()),
        400
    );
    assert_eq!(
        status(
            post(b"{\"gtins\": [], \"extra\": 1}".to_vec())
                .send()
                .await
                .unwrap()
        ),
        400
    );
    assert_eq!(
        status(post(vec![b' '; 200 * 1024]).send().await.unwrap()),
        413
    );
    let r = http
        .post(format!("{base}/v1/orders"))
        .bearer_auth(TOKEN)
        .json(&order_request(KNOWN, PRICE_OF_KNOWN, "K-Y"))
        .send()
        .await
        .unwrap();
    assert_eq!(status(r), 400, "Idempotency-Key is required");
    // The protocol document is served.
    let r = http
        .get(format!("{base}/v1/openapi.yaml"))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().starts_with("openapi: 3"));
}

both_backends!(past_the_rate_limit_the_server_says_429_with_retry_after);
async fn past_the_rate_limit_the_server_says_429_with_retry_after(backend: Backend) {
    let env = Env::with_server_options(
        backend,
        ServerOptions {
            rate_per_second: 1,
            burst: 2,
            ..ServerOptions::default()
        },
    )
    .await;
    let http = reqwest::Client::new();
    let url = format!("http://{}/v1/catalog/changes?limit=1", env.addr);
    let mut limited = None;
    for _ in 0..5 {
        let r = http.get(&url).bearer_auth(TOKEN).send().await.unwrap();
        if r.status().as_u16() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("rate limited within 5 requests");
    let retry_after: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after));
}

both_backends!(a_sync_that_changes_the_stock_ends_the_undo_of_an_import);
async fn a_sync_that_changes_the_stock_ends_the_undo_of_an_import(backend: Backend) {
    use kiosk::domain::stock::{self, ImportMode, ImportOptions};
    let env = Env::new(backend).await;
    env.sync(100).await.unwrap();
    let import = |quantity: u32| {
        env.db
            .blocking(move |db| {
                let csv = format!("gtin,quantity\n{KNOWN},{quantity}\n");
                let options = ImportOptions {
                    mode: ImportMode::Merge,
                    ..ImportOptions::default()
                };
                stock::import_stock(db, csv.as_bytes(), "pos.csv", options, &mut ())
                    .map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
            })
            .unwrap()
    };
    let undoable = || {
        env.db
            .blocking(|db| stock::undoable_import(db.conn()))
            .unwrap()
    };
    import(7);
    assert!(undoable().is_some());
    // A sync that brings no stock change keeps the undo...
    let report = env.sync(100).await.unwrap();
    assert_eq!(report.stock.changed, 0);
    assert!(
        undoable().is_some(),
        "nothing changed: the import can still be undone"
    );
    // ...one that does ends it: undoing would throw away the warehouse's newer counts.
    env.store().set_store_stock(STORE, gtin(KNOWN), 42).unwrap();
    env.sync(100).await.unwrap();
    assert_eq!(undoable(), None);
}

both_backends!(an_order_is_found_by_either_number_however_it_is_typed);
async fn an_order_is_found_by_either_number_however_it_is_typed(backend: Backend) {
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let enqueue = || {
        env.db
            .blocking(|db| {
                orders::enqueue(db, STORE, &draft(KNOWN, PRICE_OF_KNOWN))
                    .map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
            })
            .unwrap()
    };
    let first = enqueue();
    let second = enqueue();
    orders::send_due(&env.db, &env.client(), false)
        .await
        .unwrap();
    let find = |number: &str| {
        let number = number.to_owned();
        env.db
            .blocking(move |db| orders::find(db, &number, 20))
            .unwrap()
            .into_iter()
            .map(|r| r.order.id)
            .collect::<Vec<_>>()
    };
    // The kiosk number, read out: lower case, without its dashes, or only part of it.
    let spoken = first.id.replace('-', " ").to_lowercase();
    assert_eq!(find(&spoken), vec![first.id.clone()]);
    assert_eq!(find(&first.id[2..8]), vec![first.id.clone()]);
    // The warehouse's number finds the same order, with its style and size.
    let confirmed = env
        .db
        .blocking({
            let id = first.id.clone();
            move |db| orders::get(db, &id).map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .unwrap();
    let number = confirmed.warehouse_order_id.unwrap();
    let found = env
        .db
        .blocking(move |db| orders::find(db, &number, 20))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].order.id, first.id);
    assert!(found[0].item.is_some() && found[0].size_mm.is_some());
    // One character ("K-" is one: dashes do not count) or pattern characters find nothing.
    assert!(find("K-").is_empty());
    assert_eq!(find(&second.id), vec![second.id.clone()]);
    assert!(find("K").is_empty());
    assert!(find("%_").is_empty());
    assert!(find("ZZZZZZZZ").is_empty());
}

both_backends!(other_stores_with_a_size_come_nearest_first_and_the_cache_follows_them);
async fn other_stores_with_a_size_come_nearest_first_and_the_cache_follows_them(backend: Backend) {
    use kiosk::domain::catalog::{self, PickUpReach, SizeStatus};
    use kiosk::domain::geo::Position;
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    // Sold out at the demo store and the warehouse; three other stores have it.
    let size = gtin("04012345001051");
    let answer = env
        .client()
        .availability(vec![size.to_string()])
        .await
        .unwrap();
    let named: Vec<&str> = answer.items[0]
        .stores
        .iter()
        .map(|s| s.store_id.as_str())
        .collect();
    assert_eq!(
        named,
        ["demo-store-002", "demo-store-003", "demo-store-005"],
        "nearest to Main Street first"
    );
    let mut described: Vec<&str> = answer
        .locations
        .iter()
        .map(|l| l.store_id.as_str())
        .collect();
    described.sort_unstable();
    assert_eq!(described, named, "each store named is described once");

    // Another store asking never sees itself, and ranks from where it is.
    let old_town_token = "token-demo-store-002-0123456789";
    env.store()
        .add_token(old_town_token, "demo-store-002")
        .unwrap();
    let old_town = WarehouseClient::new(
        &format!("http://{}/", env.addr),
        Some(old_town_token.into()),
        fast_options(),
    )
    .unwrap();
    let answer = old_town.availability(vec![size.to_string()]).await.unwrap();
    let named: Vec<&str> = answer.items[0]
        .stores
        .iter()
        .map(|s| s.store_id.as_str())
        .collect();
    assert_eq!(named, ["demo-store-003", "demo-store-005"]);

    // The kiosk caches the stores with the sizes, and ranks what is within reach.
    let reach = PickUpReach {
        here: Some(Position {
            latitude: 40.4155,
            longitude: -3.7074,
        }),
        within_km: 25.0,
    };
    let client = env.client();
    availability::refresh(&env.db, &client, &[size])
        .await
        .unwrap();
    let status = |env: &Env| {
        env.db
            .blocking(move |db| {
                let grid = catalog::size_grid(db.conn(), size)?.unwrap();
                Ok(grid.scanned_entry().unwrap().status(false, &reach))
            })
            .unwrap()
    };
    assert!(
        matches!(status(&env), SizeStatus::PickUp { ref store, distance_m: Some(1800..=1900), can_ship: false } if store == "Old Town"),
        "{:?}",
        status(&env)
    );
    // Old Town sells its pairs: the next answer no longer names it, and neither does the cache.
    env.store()
        .set_store_stock("demo-store-002", size, 0)
        .unwrap();
    availability::refresh(&env.db, &client, &[size])
        .await
        .unwrap();
    assert!(
        matches!(status(&env), SizeStatus::PickUp { ref store, .. } if store == "Riverside"),
        "{:?}",
        status(&env)
    );
    env.store()
        .set_store_stock("demo-store-003", size, 0)
        .unwrap();
    availability::refresh(&env.db, &client, &[size])
        .await
        .unwrap();
    assert_eq!(
        status(&env),
        SizeStatus::Unavailable,
        "Valencia is too far for today"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM other_store_stock WHERE gtin = 4012345001051"),
        1
    );
}

/// What a webhook on 127.0.0.1 received (a store's counter, the chain's mailer).
type Received = std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>;

/// A webhook receiver on 127.0.0.1: its URL, and the JSON bodies POSTed to it.
async fn receiver() -> (String, Received) {
    let got = Received::default();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let got = got.clone();
            move |axum::Json(body): axum::Json<serde_json::Value>| {
                let got = got.clone();
                async move {
                    got.lock().unwrap().push(body);
                    "ok"
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// A draft collected in a store: the name and a phone number, no street address.
fn collected_draft(g: &str, price: i64, fulfilment: Fulfilment) -> orders::OrderDraft {
    let mut d = draft(g, price);
    d.ship_to = Address {
        name: "Ana Li".into(),
        country: "ES".into(),
        ..Address::default()
    };
    d.contact = Contact {
        email: String::new(),
        phone: "+34 600 123 456".into(),
    };
    d.fulfilment = fulfilment;
    d
}

async fn place(env: &Env, d: orders::OrderDraft) -> orders::OutboxOrder {
    let order = env
        .db
        .call(move |db| {
            orders::enqueue(db, STORE, &d).map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    orders::send_due(&env.db, &env.client(), false)
        .await
        .unwrap();
    let id = order.id.clone();
    env.db
        .call(move |db| orders::get(db, &id).map_err(|e| kiosk::db::DbError::Sqlite(e.to_string())))
        .await
        .unwrap()
}

fn store_client(env: &Env, store: &str) -> WarehouseClient {
    let token = format!("token-{store}-0123456789");
    env.store().add_token(&token, store).unwrap();
    WarehouseClient::new(
        &format!("http://{}/", env.addr),
        Some(token),
        fast_options(),
    )
    .unwrap()
}

/// Sold out at the demo store and the warehouse; Old Town has 2, Riverside 1.
const AT_OLD_TOWN: &str = "04012345001051";
const PACE_RUNNER_PRICE: i64 = 14999;

both_backends!(
    a_pair_reserved_at_another_store_leaves_its_shelf_is_on_its_pick_list_and_is_collected_once
);
async fn a_pair_reserved_at_another_store_leaves_its_shelf_is_on_its_pick_list_and_is_collected_once(
    backend: Backend,
) {
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let old_town = "demo-store-002";
    let shelf = |env: &Env| {
        env.store()
            .store_stock(old_town, gtin(AT_OLD_TOWN))
            .unwrap()
    };
    assert_eq!(shelf(&env), Some(2));
    let sent = place(
        &env,
        collected_draft(
            AT_OLD_TOWN,
            PACE_RUNNER_PRICE,
            Fulfilment::PickUp {
                store_id: old_town.into(),
            },
        ),
    )
    .await;
    assert_eq!(
        sent.status,
        OutboxStatus::Confirmed,
        "{:?}",
        sent.last_error
    );
    let held_until: jiff::Timestamp = sent.held_until.as_deref().unwrap().parse().unwrap();
    let hours = held_until.duration_since(jiff::Timestamp::now()).as_hours();
    assert!(
        (47..=48).contains(&hours),
        "held for the default 48 h: {hours}"
    );
    assert_eq!(shelf(&env), Some(1), "off Old Town's shelf at once");

    // Old Town's counter: the code, the shoe and size, no shopper data.
    let counter = store_client(&env, old_town);
    let list = counter.pickups(old_town, false).await.unwrap();
    assert_eq!(list.items.len(), 1);
    let pickup = &list.items[0];
    assert_eq!(pickup.code, sent.id);
    assert_eq!(
        (pickup.kind.as_str(), pickup.state.as_str()),
        ("hold", "open")
    );
    assert_eq!(pickup.ordering_store, STORE);
    assert!(
        pickup.style.contains("Pace Runner") && pickup.style.contains("270 mm"),
        "{}",
        pickup.style
    );
    let json = serde_json::to_string(&list).unwrap();
    assert!(!json.contains("Ana") && !json.contains("600 123"), "{json}");
    // The ordering store cannot read another store's list.
    assert!(env.client().pickups(old_town, false).await.is_err());

    // Collected: the order is delivered; saying it twice is harmless.
    let done = counter.pickup_collected(old_town, &sent.id).await.unwrap();
    assert_eq!(done.state, "collected");
    counter.pickup_collected(old_town, &sent.id).await.unwrap();
    let status = env
        .client()
        .order_status(sent.warehouse_order_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        status.status,
        kiosk::warehouse::protocol::OrderState::Delivered
    );
    assert!(
        counter
            .pickups(old_town, false)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(shelf(&env), Some(1), "a collected pair stays sold");
}

both_backends!(an_uncollected_hold_ends_and_its_pair_goes_back_on_the_shelf);
async fn an_uncollected_hold_ends_and_its_pair_goes_back_on_the_shelf(backend: Backend) {
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let riverside = "demo-store-003";
    // Riverside's last pair: two shoppers reserve it at once; one gets it.
    let mut placed = Vec::new();
    for _ in 0..2 {
        let d = collected_draft(
            AT_OLD_TOWN,
            PACE_RUNNER_PRICE,
            Fulfilment::PickUp {
                store_id: riverside.into(),
            },
        );
        placed.push(place(&env, d).await);
    }
    let statuses: Vec<_> = placed.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [OutboxStatus::Confirmed, OutboxStatus::Rejected]);
    assert!(
        placed[1]
            .last_error
            .as_deref()
            .unwrap()
            .contains("no longer available"),
        "{:?}",
        placed[1].last_error
    );
    let stock = |env: &Env| {
        env.store()
            .store_stock(riverside, gtin(AT_OLD_TOWN))
            .unwrap()
    };
    assert_eq!(stock(&env), Some(0));
    // Its time runs out (moved into the past here): the pair is back, the order cancelled,
    // and the counter can no longer hand it over.
    env.sql("UPDATE pickups SET expires_at = '2026-01-01T00:00:00Z'")
        .await;
    assert_eq!(env.store().release_expired_holds().unwrap(), 1);
    assert_eq!(env.store().release_expired_holds().unwrap(), 0, "once");
    assert_eq!(stock(&env), Some(1));
    let status = env
        .client()
        .order_status(placed[0].warehouse_order_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        status.status,
        kiosk::warehouse::protocol::OrderState::Cancelled
    );
    let counter = store_client(&env, riverside);
    let refused = counter
        .pickup_collected(riverside, &placed[0].id)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("went back on the shelf"),
        "{refused}"
    );
    // The kiosk's next stock sync of Riverside would see it: the change feed moved.
    let page = env
        .client()
        .availability(vec![AT_OLD_TOWN.into()])
        .await
        .unwrap();
    assert!(page.items[0].stores.iter().any(|s| s.store_id == riverside));
}

both_backends!(shipped_to_this_store_needs_no_address_and_arrives_on_its_own_pick_list);
async fn shipped_to_this_store_needs_no_address_and_arrives_on_its_own_pick_list(backend: Backend) {
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let before = env.store().dc_stock(gtin(KNOWN)).unwrap();
    let sent = place(
        &env,
        collected_draft(KNOWN, PRICE_OF_KNOWN, Fulfilment::ShipToStore),
    )
    .await;
    assert_eq!(
        sent.status,
        OutboxStatus::Confirmed,
        "{:?}",
        sent.last_error
    );
    assert_eq!(sent.held_until, None);
    assert_eq!(env.store().dc_stock(gtin(KNOWN)).unwrap(), before - 1);
    let list = env.client().pickups(STORE, false).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].kind, "arriving");
    assert_eq!(list.items[0].code, sent.id);

    // The warehouse refuses what the kiosk would not send: an address with a store order, a
    // hold at the ordering store itself or at a store it does not know.
    let client = env.client();
    let mut request = order_request(KNOWN, PRICE_OF_KNOWN, "K-TEST-0002");
    request.fulfilment = Fulfilment::ShipToStore;
    let refused = client.create_order("key-a", &request).await.unwrap_err();
    assert!(refused.to_string().contains("only a name"), "{refused}");
    for holding in [STORE, "demo-store-999"] {
        let mut request = order_request(AT_OLD_TOWN, PACE_RUNNER_PRICE, "K-TEST-0003");
        request.ship_to = Address {
            name: "Ana Li".into(),
            country: "ES".into(),
            ..Address::default()
        };
        request.fulfilment = Fulfilment::PickUp {
            store_id: holding.into(),
        };
        let refused = client
            .create_order(&format!("key-{holding}"), &request)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("not another store"),
            "{refused}"
        );
    }
}

both_backends!(the_holding_store_is_told_at_its_webhook_without_shopper_data);
async fn the_holding_store_is_told_at_its_webhook_without_shopper_data(backend: Backend) {
    let (url, got) = receiver().await;
    let env = Env::new(backend).await;
    env.sync(1000).await.unwrap();
    let file = env.dir.path().join("stores.csv");
    std::fs::write(
        &file,
        format!(
            "store_id,name,address,latitude,longitude,pickup_webhook\n\
             demo-store-002,Old Town,\"Calle de Fuencarral 120, 28010 Madrid\",40.4318,-3.7020,{url}\n"
        ),
    )
    .unwrap();
    env.store().import_stores_csv(&file).unwrap();
    let sent = place(
        &env,
        collected_draft(
            AT_OLD_TOWN,
            PACE_RUNNER_PRICE,
            Fulfilment::PickUp {
                store_id: "demo-store-002".into(),
            },
        ),
    )
    .await;
    assert_eq!(sent.status, OutboxStatus::Confirmed);
    let mut told = Vec::new();
    for _ in 0..100 {
        told = got.lock().unwrap().clone();
        if !told.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["event"], "pickup_held");
    assert_eq!(told[0]["kind"], "hold");
    assert_eq!(told[0]["store_id"], "demo-store-002");
    assert_eq!(told[0]["code"], sent.id.as_str());
    assert_eq!(told[0]["gtin"], AT_OLD_TOWN);
    let text = told[0].to_string();
    assert!(!text.contains("Ana") && !text.contains("600 123"), "{text}");
}

/// Sold out everywhere: Velo Street's runner, 265 mm.
const NOWHERE: &str = "08045678001432";

both_backends!(tell_me_when_it_is_back_mails_once_when_stock_arrives_then_forgets_the_address);
async fn tell_me_when_it_is_back_mails_once_when_stock_arrives_then_forgets_the_address(
    backend: Backend,
) {
    let (mailer, got) = receiver().await;
    let env = Env::new(backend).await;
    let client = env.client();
    let ask = |email: &str, keep_days: Option<u32>| kiosk::warehouse::protocol::StockAlertRequest {
        gtin: NOWHERE.into(),
        email: email.into(),
        lang: "es".into(),
        keep_days,
    };
    // Not an address: refused, and the answer does not repeat it.
    let refused = client
        .stock_alert(STORE, &ask("ana@", None))
        .await
        .unwrap_err();
    assert!(!refused.to_string().contains("ana@"), "{refused}");
    // Kept no longer than the shopper was told; asking twice is one request.
    let saved = client
        .stock_alert(STORE, &ask("ana@example.com", Some(30)))
        .await
        .unwrap();
    assert_eq!((saved.to.as_str(), saved.days), ("a•••@example.com", 30));
    client
        .stock_alert(STORE, &ask("ana@example.com", Some(30)))
        .await
        .unwrap();
    let capped = client
        .stock_alert(STORE, &ask("bo@example.com", Some(9999)))
        .await
        .unwrap();
    assert_eq!(capped.days, 90, "the warehouse's own limit");
    assert_eq!(env.store().stock_alert_count().unwrap(), 2);
    // Another store's token cannot leave requests for this store.
    let other = store_client(&env, "demo-store-002");
    assert!(
        other
            .stock_alert(STORE, &ask("x@example.com", None))
            .await
            .is_err()
    );

    // Nothing is back yet: no mail.
    let http = reqwest::Client::new();
    server::mail_stock_alerts(&env.store(), &http, &mailer).await;
    assert!(got.lock().unwrap().is_empty());
    // The distribution centre receives the size: one mail per address, then they are gone.
    env.store().set_dc_stock(gtin(NOWHERE), 12).unwrap();
    server::mail_stock_alerts(&env.store(), &http, &mailer).await;
    server::mail_stock_alerts(&env.store(), &http, &mailer).await;
    let mails = got.lock().unwrap().clone();
    assert_eq!(mails.len(), 2, "{mails:?}");
    let to: Vec<&str> = mails.iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert!(to.contains(&"ana@example.com") && to.contains(&"bo@example.com"));
    assert_eq!(mails[0]["kind"], "back_in_stock");
    assert_eq!(mails[0]["lang"], "es");
    assert_eq!(mails[0]["gtin"], NOWHERE);
    assert_eq!(
        env.store().stock_alert_count().unwrap(),
        0,
        "the addresses are deleted"
    );

    // A request past its time goes, with its address, without any mail.
    env.store().set_dc_stock(gtin(NOWHERE), 0).unwrap();
    client
        .stock_alert(STORE, &ask("cy@example.com", Some(1)))
        .await
        .unwrap();
    env.sql("UPDATE stock_alerts SET expires_at = '2026-01-01T00:00:00Z'")
        .await;
    assert_eq!(env.store().purge_expired_stock_alerts().unwrap(), 1);
    assert_eq!(env.store().stock_alert_count().unwrap(), 0);
    if backend == Backend::Sqlite {
        let mut bytes = std::fs::read(env.dir.path().join("wh.sqlite3")).unwrap();
        bytes.extend(std::fs::read(env.dir.path().join("wh.sqlite3-wal")).unwrap_or_default());
        assert!(
            !bytes.windows(14).any(|w| w == b"cy@example.com"),
            "overwritten in the file and its log, not left as free bytes"
        );
    }
}

both_backends!(kiosks_report_their_health_and_the_fleet_list_marks_the_silent_ones);
async fn kiosks_report_their_health_and_the_fleet_list_marks_the_silent_ones(backend: Backend) {
    use kiosk::warehouse::protocol::Heartbeat;
    let env = Env::new(backend).await;
    let beat = Heartbeat {
        version: "0.1.0".into(),
        at: "2026-12-02T10:00:00Z".into(),
        last_sync_at: Some("2026-12-02T09:59:00Z".into()),
        outbox_pending: 2,
        camera: "unavailable".into(),
        ok: false,
        problems: vec!["camera unavailable".into()],
    };
    let client = env.client();
    client.heartbeat(STORE, "entrance", &beat).await.unwrap();
    client.heartbeat(STORE, "entrance", &beat).await.unwrap();
    // Only for its own store, and only a kiosk id that travels in URLs.
    assert!(
        store_client(&env, "demo-store-002")
            .heartbeat(STORE, "entrance", &beat)
            .await
            .is_err()
    );
    assert!(client.heartbeat(STORE, "has space", &beat).await.is_err());
    let fleet = env.store().fleet(Duration::from_secs(300)).unwrap();
    assert_eq!(fleet.len(), 1, "one row per kiosk");
    assert_eq!(fleet[0].kiosk_id, "entrance");
    assert_eq!(fleet[0].heartbeat, beat);
    assert!(!fleet[0].stale);
    // Silent for ten minutes: stale.
    env.sql("UPDATE kiosks SET received_at = '2026-01-01T00:00:00Z'")
        .await;
    let fleet = env.store().fleet(Duration::from_secs(300)).unwrap();
    assert!(fleet[0].stale && fleet[0].age_s > 600);
}

both_backends!(finished_days_reach_the_chain_report_once_even_after_the_warehouse_was_away);
async fn finished_days_reach_the_chain_report_once_even_after_the_warehouse_was_away(
    backend: Backend,
) {
    use kiosk::domain::analytics::generate::write_days;
    use kiosk::domain::analytics::upload::{UploadRound, day_summary, upload_days};
    let mut env = Env::new(backend).await;
    let styles = vec![("NO-RUN-001".to_owned(), gtin(KNOWN))];
    let today = jiff::Zoned::now().date();
    let first = today.checked_sub(jiff::Span::new().days(3)).unwrap();
    // Twenty visits a day: two of them ask for a size the store lacks (230 mm and 280 mm).
    let days = styles.clone();
    env.db
        .call(move |db| write_days(db, first, 3, 20, &days))
        .await
        .unwrap();

    // The warehouse is away: nothing is lost, the days wait.
    env.stop().await;
    let away = upload_days(&env.db, &env.client(), STORE, "entrance", today)
        .await
        .unwrap();
    assert_eq!(away, UploadRound { sent: 0, left: 3 });
    env.restart().await;
    let back = upload_days(&env.db, &env.client(), STORE, "entrance", today)
        .await
        .unwrap();
    assert_eq!(back, UploadRound { sent: 3, left: 0 });
    let again = upload_days(&env.db, &env.client(), STORE, "entrance", today)
        .await
        .unwrap();
    assert_eq!(again, UploadRound::default(), "each day once");

    // Another store's kiosk, one day; and a day sent twice counts once.
    let till = DbHandle::new(Database::open(&env.dir.path().join("till.sqlite3")).unwrap());
    let days = styles.clone();
    till.call(move |db| write_days(db, first, 1, 20, &days))
        .await
        .unwrap();
    let other = store_client(&env, "store-002");
    let sent = upload_days(&till, &other, "store-002", "till", today)
        .await
        .unwrap();
    assert_eq!(sent.sent, 1);
    let day = first.to_string();
    let repeat = env.db.call(move |db| day_summary(db, &day)).await.unwrap();
    env.client()
        .day_summary(STORE, "entrance", &repeat)
        .await
        .unwrap();
    // Only for its own store.
    assert!(other.day_summary(STORE, "entrance", &repeat).await.is_err());

    let report = env
        .store()
        .chain_report(&first.to_string(), &today.to_string())
        .unwrap();
    let lost: Vec<(&str, u32, &str, u64)> = report
        .lost
        .iter()
        .map(|l| {
            (
                l.style_code.as_str(),
                l.size_mm,
                l.store_id.as_str(),
                l.asked,
            )
        })
        .collect();
    assert_eq!(
        lost,
        [
            ("NO-RUN-001", 230, STORE, 3),
            ("NO-RUN-001", 280, STORE, 3),
            ("NO-RUN-001", 230, "store-002", 1),
            ("NO-RUN-001", 280, "store-002", 1),
        ]
    );
    assert_eq!(report.lost[0].name, "Pace Runner", "named from the catalog");
    let wanted = &report.where_asked()[0];
    assert_eq!(
        (
            wanted.size_mm,
            wanted.asked,
            wanted.stores,
            wanted.top_store.as_str()
        ),
        (230, 4, 2, STORE)
    );
    let own = &report.stores[0];
    assert_eq!(own.store_id, STORE);
    assert_eq!(
        (own.kiosks, own.kiosk_days, own.scans, own.visits, own.lost),
        (1, 3, 60, 60, 6)
    );
    let files = report.write(&env.dir.path().join("report")).unwrap();
    assert_eq!(files.len(), 6);
}
