//! The reference warehouse under hostile clients, over real HTTP on 127.0.0.1: idle-connection
//! floods, token guessing, money that does not add up, oversize bodies, control characters,
//! and what stays on disk after shopper details are purged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use kiosk::db::{Database, DbHandle};
use kiosk::domain::orders::{self, OutboxStatus};
use kiosk::warehouse::protocol::{Address, OrderLine, OrderRequest};
use kiosk::warehouse::server::store::{StoreError, TokenSource};
use kiosk::warehouse::server::{self, ConnectionLimits, ServerHandle, ServerOptions};
use tokio::io::AsyncReadExt;

const STORE: &str = "demo-store-001";
const TOKEN: &str = "hostile-test-token-0123456789";
const KNOWN: &str = "04012345001013";
/// NO-RUN-001's price in the fixtures.
const PRICE: i64 = 14999;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

async fn start(dir: &Path, options: ServerOptions) -> ServerHandle {
    let store =
        server::open_store(&dir.join("wh.sqlite3"), Some(fixtures()), STORE, TOKEN).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::spawn(listener, store, &options).unwrap()
}

/// A client whose connections come from `from` (any 127.0.0.0/8 address is loopback).
fn client_from(from: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(from))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn catalog(client: &reqwest::Client, addr: SocketAddr, token: &str) -> u16 {
    client
        .get(format!("http://{addr}/v1/catalog/changes?limit=1"))
        .bearer_auth(token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn order(shipping_cents: i64, name: &str) -> OrderRequest {
    let shopper = common::draft(KNOWN, PRICE);
    OrderRequest {
        store_id: STORE.into(),
        kiosk_order_id: format!("K-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        lines: vec![OrderLine {
            gtin: KNOWN.into(),
            quantity: 1,
            unit_price_cents: PRICE,
        }],
        currency: "EUR".into(),
        shipping_cents,
        ship_to: Address {
            name: name.into(),
            ..shopper.ship_to
        },
        contact: shopper.contact,
        fulfilment: shopper.fulfilment,
    }
}

/// Every place SQLite keeps bytes of a database: the file, its log, its shared memory.
fn database_bytes(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = format!("{}{suffix}", path.display());
        if let Ok(bytes) = std::fs::read(&file) {
            all.extend(bytes);
        }
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_idle_connections_does_not_stop_a_real_client() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ConnectionLimits {
        header_timeout: Duration::from_secs(1),
        max_connections: 128,
        max_connections_per_ip: 16,
    };
    let server = start(
        dir.path(),
        ServerOptions {
            limits,
            ..ServerOptions::default()
        },
    )
    .await;
    let addr = server.addr;
    // 300 connections that never send a byte, from one address, then 200 more from 50 others.
    let mut idle = Vec::new();
    for i in 0..500u32 {
        let from = if i < 300 {
            Ipv4Addr::new(127, 0, 0, 1)
        } else {
            Ipv4Addr::new(127, 0, 1, (i % 50 + 1) as u8)
        };
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(IpAddr::V4(from), 0)).unwrap();
        if let Ok(stream) = socket.connect(addr).await {
            idle.push(stream);
        }
    }
    assert!(idle.len() >= 400, "the flood connected: {}", idle.len());
    // A real client, from an address of its own, is served despite the flood.
    let started = Instant::now();
    let status = catalog(&client_from(Ipv4Addr::new(127, 0, 0, 2)), addr, TOKEN).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // Idle connections are closed after the header timeout, not kept forever.
    let mut first = idle.remove(0);
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), first.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "closed: {read:?}");
    drop(idle);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_guessing_is_slowed_per_address_and_the_right_token_still_works_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        ServerOptions {
            auth_failures_per_minute: 5,
            ..ServerOptions::default()
        },
    )
    .await;
    let guesser = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(catalog(&guesser, server.addr, &format!("guess-{i:020}")).await);
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // Blocked: not even the right token is looked at from there for now…
    assert_eq!(catalog(&guesser, server.addr, TOKEN).await, 429);
    // …while another address is served.
    let other = client_from(Ipv4Addr::new(127, 0, 0, 3));
    assert_eq!(catalog(&other, server.addr, TOKEN).await, 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_kept_only_as_hashes_and_revocation_and_rotation_are_real() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), ServerOptions::default()).await;
    let store = server.store.clone();
    let http = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let added = "added-token-abcdefghijklmnop";
    let id = store.add_token(added, STORE).unwrap();
    assert_eq!(catalog(&http, server.addr, added).await, 200);
    // Revoked: refused at once, by the running server.
    assert!(store.revoke_token(&id).unwrap());
    assert_eq!(catalog(&http, server.addr, added).await, 401);
    // Startup tokens are a set: a restart with a new one ends the old one.
    store
        .replace_tokens(
            TokenSource::Startup,
            &[(STORE.into(), "old-startup-token-0123".into())],
        )
        .unwrap();
    assert_eq!(
        catalog(&http, server.addr, "old-startup-token-0123").await,
        200
    );
    store
        .replace_tokens(
            TokenSource::Startup,
            &[(STORE.into(), "new-startup-token-0123".into())],
        )
        .unwrap();
    assert_eq!(
        catalog(&http, server.addr, "old-startup-token-0123").await,
        401
    );
    assert_eq!(
        catalog(&http, server.addr, "new-startup-token-0123").await,
        200
    );
    // Short tokens are refused when registered.
    assert!(matches!(
        store.add_token("short", STORE),
        Err(StoreError::Invalid(_))
    ));
    let listed = store.tokens().unwrap();
    assert!(listed.iter().all(|t| t.id.starts_with("tok-")));
    server.shutdown().await;
    let bytes = database_bytes(&dir.path().join("wh.sqlite3"));
    for token in [
        TOKEN,
        added,
        "old-startup-token-0123",
        "new-startup-token-0123",
    ] {
        assert!(!holds(&bytes, token), "{token} is in the warehouse's files");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_computes_money_itself_and_never_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), ServerOptions::default()).await;
    let store = server.store.clone();
    for shipping in [-100_000, i64::MAX, 1] {
        let error = store.create_order(STORE, &format!("k{shipping}"), &order(shipping, "Ana Li"));
        assert!(
            matches!(error, Err(StoreError::PriceChanged(_))),
            "{shipping}: {error:?}"
        );
    }
    let placed = store
        .create_order(STORE, "k-good", &order(0, "Ana Li"))
        .unwrap();
    let kiosk::warehouse::server::store::OrderOutcome::Created(placed) = placed else {
        panic!("a new order");
    };
    assert_eq!(placed.total_cents, PRICE);
    // A warehouse whose own shipping is near the limit: the sum is refused, not wrapped.
    let huge = store.clone().with_shipping_cents(i64::MAX - 10);
    let error = huge.create_order(STORE, "k-huge", &order(i64::MAX - 10, "Ana Li"));
    assert!(matches!(error, Err(StoreError::Invalid(_))), "{error:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_and_oversize_bodies_are_refused_as_problem_documents() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), ServerOptions::default()).await;
    let http = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let url = format!("http://{}/v1/orders", server.addr);
    for name in ["Ana\u{1b}[2J", "Ana\0Li", "Ana\u{202e}iL", "Ana\r\nLi"] {
        let r = http
            .post(&url)
            .bearer_auth(TOKEN)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .json(&order(0, name))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{name:?}");
        let text = r.text().await.unwrap();
        assert!(text.contains("ship_to.name"), "{text}");
    }
    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(100 * 1024));
    let r = http
        .post(&url)
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", "k")
        .header("content-type", "application/json")
        .body(huge.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // The same without a length (chunked): read up to the limit, then the same answer.
    let mut raw = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {TOKEN}\r\n\
         idempotency-key: k\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{huge}\r\n0\r\n\r\n",
        huge.len()
    );
    use tokio::io::AsyncWriteExt;
    let _ = raw.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // The kiosk refuses the same text before anything is written.
    let db = Database::open(&dir.path().join("kiosk.sqlite3")).unwrap();
    let mut db = db;
    kiosk::domain::seed::load_fixtures(&mut db, fixtures()).unwrap();
    let mut draft = common::draft(KNOWN, PRICE);
    draft.ship_to.city = "Berlin\u{1b}]0;x\u{7}".into();
    let error = orders::enqueue(&mut db, STORE, &draft)
        .unwrap_err()
        .to_string();
    assert!(error.contains("ship_to.city"), "{error}");
    assert!(orders::list(&db).unwrap().is_empty());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_purge_no_shopper_data_is_left_in_either_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), ServerOptions::default()).await;
    let kiosk_path = dir.path().join("kiosk.sqlite3");
    let mut db = Database::open(&kiosk_path).unwrap();
    kiosk::domain::seed::load_fixtures(&mut db, fixtures()).unwrap();
    // Three orders with recognisable details: one confirmed, one refused, one never sent.
    let mut markers = Vec::new();
    let mut ids = Vec::new();
    for (i, price) in [PRICE, PRICE + 1, PRICE].into_iter().enumerate() {
        let mut draft = common::draft(KNOWN, price);
        let marker = format!("Zebediah Quillfeather{i}");
        draft.ship_to.name = marker.clone();
        draft.ship_to.line1 = format!("Marmaladestrasse {i}7");
        draft.contact.email = format!("zebediah{i}@quill.example");
        markers.extend([
            marker,
            draft.ship_to.line1.clone(),
            draft.contact.email.clone(),
        ]);
        ids.push(orders::enqueue(&mut db, STORE, &draft).unwrap().id);
    }
    let db = DbHandle::new(db);
    let client = kiosk::warehouse::WarehouseClient::new(
        &server.url(),
        Some(TOKEN.into()),
        kiosk::warehouse::client::ClientOptions::default(),
    )
    .unwrap();
    // Send the first two only (the third stays pending: the warehouse "was away").
    let third = ids[2].clone();
    db.call(move |db| {
        db.conn().execute(
            "UPDATE order_outbox SET next_attempt_at = '2999-01-01T00:00:00Z',
                    created_at = '2026-01-01T00:00:00Z' WHERE id = ?1",
            [third],
        )?;
        Ok(())
    })
    .await
    .unwrap();
    let report = orders::send_due(&db, &client, false).await.unwrap();
    assert_eq!(report.confirmed.len(), 1, "{report:?}");
    assert_eq!(
        report.rejected.len(),
        1,
        "the wrong price is refused: {report:?}"
    );
    let store = server.store.clone();
    server.shutdown().await;
    let wh_path = dir.path().join("wh.sqlite3");
    assert!(
        holds(&database_bytes(&wh_path), &markers[0]),
        "the test sees data"
    );
    assert!(
        holds(&database_bytes(&kiosk_path), &markers[0]),
        "the test sees data"
    );

    // Retention 0 days: everything is past it.
    let purged = db
        .call(|db| orders::purge_shopper_details(db, 0))
        .await
        .unwrap();
    assert_eq!((purged.details_deleted, purged.abandoned), (2, 1));
    assert_eq!(store.purge_shopper_details(0).unwrap(), 1);
    let listed = db.call(|db| orders::list(db)).await.unwrap();
    assert!(listed.iter().all(|o| !o.has_shopper_details));
    assert!(listed.iter().any(|o| o.status == OutboxStatus::Abandoned));
    drop(db);
    drop(store);
    for path in [&kiosk_path, &wh_path] {
        let bytes = database_bytes(path);
        for marker in &markers {
            assert!(
                !holds(&bytes, marker),
                "{marker:?} left in {}",
                path.display()
            );
        }
    }
}
