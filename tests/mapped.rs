//! The mapped warehouse adapter end to end: the kiosk's availability, stock sync and dropship
//! orders against small servers on 127.0.0.1 that answer in the shapes of two real inventory
//! APIs, configured with the worked examples shipped in docs/examples/.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};

use common::draft;
use kiosk::config::LoadedConfig;
use kiosk::db::DbHandle;
use kiosk::domain::orders::{self, OutboxStatus};
use kiosk::runtime::sync::{self, SyncOptions};
use kiosk::warehouse::connect;
use kiosk::warehouse::protocol::OrderState;

const STORE: &str = "demo-store-001";
const TOKEN: &str = "mapped-test-token";
/// Three sizes of NO-RUN-001 (fixtures).
const GTINS: [&str; 3] = ["04012345001013", "04012345001020", "04012345001037"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a test server saw.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<String>>>,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Seen {
    fn request(&self, what: String) {
        self.requests.lock().unwrap().push(what);
    }
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}

/// A kiosk config: the worked example with the test server's URL, a seeded database.
fn kiosk_config(dir: &Path, example: &str, url: &str) -> LoadedConfig {
    let text = std::fs::read_to_string(root().join("docs/examples").join(example))
        .unwrap()
        .replace("https://your-shop.example.com/", url)
        .replace(
            "https://your-saleor.example.com/graphql/",
            &format!("{url}graphql/"),
        )
        .replace("KIOSK_WAREHOUSE_TOKEN", "KIOSK_MAPPED_TEST_TOKEN");
    let file = dir.join("kiosk.toml");
    std::fs::write(
        &file,
        format!(
            "{text}\n[database]\npath = \"kiosk.sqlite3\"\ndemo_fixtures = {:?}\n",
            root().join("fixtures").display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("token"), TOKEN).unwrap();
    let mut loaded = kiosk::checks::load(Some(&file)).unwrap();
    // The token from a file (no process-wide environment changes in tests).
    loaded.config.warehouse.token_env = String::new();
    loaded.config.warehouse.token_file = "token".into();
    loaded.config.warehouse.max_retries = 1;
    loaded.config.warehouse.retry_backoff_ms = std::time::Duration::from_millis(10);
    loaded
}

fn open_db(loaded: &LoadedConfig) -> DbHandle {
    let (db, _) = kiosk::domain::seed::open_or_seed(
        &loaded.database_path(),
        loaded.fixtures_dir().as_deref(),
        kiosk::db::Check::Full,
    )
    .unwrap();
    DbHandle::new(db)
}

async fn store_quantity(db: &DbHandle, gtin: &'static str) -> Option<i64> {
    db.call(move |db| {
        use rusqlite::OptionalExtension;
        Ok(db
            .conn()
            .query_row(
                "SELECT quantity FROM store_stock WHERE gtin = ?1",
                [gtin.parse::<i64>().unwrap()],
                |r| r.get(0),
            )
            .optional()?)
    })
    .await
    .unwrap()
}

// ---- Shopify-Admin-like: inventory levels per inventory item and location ----

/// inventory_item_id per GTIN (the SKU map) and stock per location.
const ITEMS: [(&str, u64); 3] = [
    (GTINS[0], 808950810),
    (GTINS[1], 39072856),
    (GTINS[2], 457924702),
];
const DC: &str = "655441491";
const SHOP: &str = "487838322";

fn shopify(seen: Seen, malformed: bool) -> axum::Router {
    let levels = move |State(seen): State<Seen>,
                       headers: HeaderMap,
                       Query(q): Query<HashMap<String, String>>| async move {
        if headers
            .get("x-shopify-access-token")
            .and_then(|v| v.to_str().ok())
            != Some(TOKEN)
        {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"errors": "bad token"})),
            );
        }
        seen.request(format!(
            "levels location={} items={} since={}",
            q.get("location_ids").cloned().unwrap_or_default(),
            q.get("inventory_item_ids").cloned().unwrap_or_default(),
            q.get("updated_at_min").cloned().unwrap_or_default()
        ));
        let location = q.get("location_ids").cloned().unwrap_or_default();
        let since = q.get("updated_at_min").cloned().unwrap_or_default();
        let levels: Vec<Value> = ITEMS
            .iter()
            .enumerate()
            .filter(|(_, (_, id))| {
                q.get("inventory_item_ids")
                    .is_none_or(|ids| ids.split(',').any(|i| i == id.to_string()))
            })
            .map(|(i, (_, id))| {
                let available: Value = if malformed && i == 0 {
                    json!("lots")
                } else if location == DC {
                    json!(40 + i)
                } else if location == SHOP {
                    json!(i * 2)
                } else {
                    json!(0)
                };
                json!({
                    "inventory_item_id": id,
                    "location_id": location.parse::<u64>().unwrap_or(0),
                    "available": available,
                    "updated_at": format!("2026-11-2{i}T10:00:00-05:00"),
                })
            })
            // "Changed since": the second sync asks for what changed after the first.
            .filter(|l| since.is_empty() || l["updated_at"].as_str().unwrap() > since.as_str())
            .collect();
        (StatusCode::OK, Json(json!({ "inventory_levels": levels })))
    };
    let orders = |State(seen): State<Seen>, Json(body): Json<Value>| async move {
        seen.bodies.lock().unwrap().push(body);
        (
            StatusCode::CREATED,
            Json(json!({"order": {"id": 450789469, "financial_status": "pending"}})),
        )
    };
    let order = |UrlPath(id): UrlPath<String>| async move {
        Json(
            json!({"order": {"id": id.trim_end_matches(".json"), "fulfillment_status": "fulfilled"}}),
        )
    };
    axum::Router::new()
        .route("/admin/api/2024-10/inventory_levels.json", get(levels))
        .route("/admin/api/2024-10/orders.json", post(orders))
        .route("/admin/api/2024-10/orders/{id}", get(order))
        .with_state(seen)
}

fn write_sku_map(dir: &Path) {
    let mut csv = String::from("gtin,sku\n");
    for (gtin, id) in ITEMS {
        csv.push_str(&format!("{gtin},{id}\n"));
    }
    std::fs::write(dir.join("shopify-skus.csv"), csv).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_like_api_gives_availability_stock_and_takes_orders() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let url = serve(shopify(seen.clone(), false)).await;
    write_sku_map(dir.path());
    let loaded = kiosk_config(dir.path(), "shopify-inventory-levels.toml", &url);
    let connection = connect::connect(&loaded).await.unwrap();
    let client = connection.client;
    let db = open_db(&loaded);

    // Availability: one request for the style's sizes, quantities at the DC location.
    let answer = client
        .availability(GTINS.iter().map(|g| g.to_string()).collect())
        .await
        .unwrap();
    let quantities: Vec<(String, u32, Option<u32>)> = answer
        .items
        .iter()
        .map(|a| (a.gtin.clone(), a.quantity, a.delivery_days))
        .collect();
    assert_eq!(
        quantities,
        [
            (GTINS[0].to_owned(), 40, Some(4)),
            (GTINS[1].to_owned(), 41, Some(4)),
            (GTINS[2].to_owned(), 42, Some(4)),
        ]
    );
    assert!(seen.requests.lock().unwrap()[0].starts_with(&format!(
        "levels location={DC} items=808950810,39072856,457924702"
    )));

    // Store stock sync: the shop's location, then only what changed since.
    let options = SyncOptions::new(STORE);
    let report = sync::sync(db.clone(), client.clone(), options.clone())
        .await
        .unwrap();
    assert_eq!(report.catalog.pages, 1, "no catalog feed in a mapped API");
    assert_eq!(report.stock.added + report.stock.changed, 3);
    assert_eq!(store_quantity(&db, GTINS[0]).await, Some(0));
    assert_eq!(store_quantity(&db, GTINS[2]).await, Some(4));
    sync::sync(db.clone(), client.clone(), options.clone())
        .await
        .unwrap();
    let requests = seen.requests.lock().unwrap().clone();
    assert!(
        requests
            .last()
            .unwrap()
            .ends_with("since=2026-11-22T10:00:00-05:00"),
        "{requests:?}"
    );

    // A dropship order through the outbox: the platform's order id comes back.
    let order = db
        .call(|db| {
            orders::enqueue(db, STORE, &draft(GTINS[1], 14999))
                .map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    let sent = orders::send_due(&db, &client, true).await.unwrap();
    assert_eq!(sent.confirmed, std::slice::from_ref(&order.id));
    let id = order.id.clone();
    let stored = db
        .call(move |db| Ok(orders::get(db, &id).unwrap()))
        .await
        .unwrap();
    assert_eq!(stored.status, OutboxStatus::Confirmed);
    assert_eq!(stored.warehouse_order_id.as_deref(), Some("450789469"));
    let body = seen.bodies.lock().unwrap()[0].clone();
    assert_eq!(body["order"]["line_items"][0]["sku"], GTINS[1]);
    assert_eq!(body["order"]["line_items"][0]["price"], 149.99);
    assert_eq!(body["order"]["shipping_address"]["city"], "Berlin");
    assert_eq!(body["order"]["email"], "ana@example.com");

    let status = client.order_status("450789469").await.unwrap();
    assert_eq!(status.status, OrderState::Shipped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_that_does_not_fit_names_the_operation_the_path_and_shows_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let url = serve(shopify(Seen::default(), true)).await;
    write_sku_map(dir.path());
    let loaded = kiosk_config(dir.path(), "shopify-inventory-levels.toml", &url);
    let client = connect::connect(&loaded).await.unwrap().client;
    let error = client
        .availability(vec![GTINS[0].to_owned()])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "availability: /inventory_levels/0/available: expected a whole number, found \"lots\""
        ),
        "{error}"
    );
    assert!(
        error.contains("the answer's shape: {\"inventory_levels\": [{"),
        "{error}"
    );
}

// ---- Saleor-like GraphQL: variants with stocks, available = quantity - quantityAllocated ----

fn variant(i: usize) -> Value {
    json!({"node": {"sku": GTINS[i], "stocks": [{"quantity": 10 + i, "quantityAllocated": 3}]}})
}

fn saleor(seen: Seen) -> axum::Router {
    let graphql = |State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>| async move {
        if headers.get("authorization").and_then(|v| v.to_str().ok())
            != Some(&format!("Bearer {TOKEN}"))
        {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"errors": [{"message": "no"}]})),
            );
        }
        seen.bodies.lock().unwrap().push(body.clone());
        let query = body["query"].as_str().unwrap_or_default();
        let vars = &body["variables"];
        let answer = if query.contains("draftOrderCreate") {
            json!({"data": {"draftOrderCreate": {"order": {"id": "T3JkZXI6MQ==", "status": "UNCONFIRMED"}, "errors": []}}})
        } else if query.contains("order(") {
            json!({"data": {"order": {"status": "FULFILLED"}}})
        } else if let Some(skus) = vars["skus"].as_array() {
            let edges: Vec<Value> = (0..3)
                .filter(|i| skus.iter().any(|s| s == GTINS[*i]))
                .map(variant)
                .collect();
            json!({"data": {"productVariants": {"edges": edges}}})
        } else {
            // Store stock, two variants a page, then an empty page with no cursor.
            let (edges, end): (Vec<Value>, Value) = match vars["after"].as_str() {
                None => (
                    vec![variant(0), variant(1)],
                    json!("YXJyYXljb25uZWN0aW9uOjE="),
                ),
                Some("YXJyYXljb25uZWN0aW9uOjE=") => {
                    (vec![variant(2)], json!("YXJyYXljb25uZWN0aW9uOjI="))
                }
                Some(_) => (vec![], Value::Null),
            };
            json!({"data": {"productVariants": {"edges": edges, "pageInfo": {"endCursor": end, "hasNextPage": !edges.is_empty()}}}})
        };
        (StatusCode::OK, Json(answer))
    };
    axum::Router::new()
        .route("/graphql/", post(graphql))
        .with_state(seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saleor_like_graphql_api_gives_stocked_minus_allocated_pages_and_orders() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let url = serve(saleor(seen.clone())).await;
    let loaded = kiosk_config(dir.path(), "saleor-graphql-stocks.toml", &url);
    let client = connect::connect(&loaded).await.unwrap().client;
    let db = open_db(&loaded);

    let answer = client
        .availability(GTINS[..2].iter().map(|g| g.to_string()).collect())
        .await
        .unwrap();
    let quantities: Vec<u32> = answer.items.iter().map(|a| a.quantity).collect();
    assert_eq!(quantities, [7, 8], "quantity - quantityAllocated");
    let body = seen.bodies.lock().unwrap()[0].clone();
    assert_eq!(body["variables"]["skus"], json!(&GTINS[..2]));

    let report = sync::sync(db.clone(), client.clone(), SyncOptions::new(STORE))
        .await
        .unwrap();
    assert_eq!(report.stock.pages, 3, "two pages and the empty last one");
    assert_eq!(report.stock.added + report.stock.changed, 3);
    assert_eq!(store_quantity(&db, GTINS[2]).await, Some(9));

    let order = db
        .call(|db| {
            orders::enqueue(db, STORE, &draft(GTINS[0], 14999))
                .map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    orders::send_due(&db, &client, true).await.unwrap();
    let id = order.id.clone();
    let stored = db
        .call(move |db| Ok(orders::get(db, &id).unwrap()))
        .await
        .unwrap();
    assert_eq!(stored.warehouse_order_id.as_deref(), Some("T3JkZXI6MQ=="));
    let bodies = seen.bodies.lock().unwrap().clone();
    let mutation = bodies
        .iter()
        .find(|b| b["query"].as_str().unwrap().contains("draftOrderCreate"))
        .unwrap();
    assert_eq!(
        mutation["variables"]["input"]["lines"][0]["variantSku"],
        GTINS[0]
    );
    assert_eq!(
        mutation["variables"]["input"]["externalReference"],
        order.id
    );
    assert_eq!(
        client.order_status("T3JkZXI6MQ==").await.unwrap().status,
        OrderState::Shipped
    );
}

#[test]
fn a_mapping_with_a_wrong_field_is_refused_at_load_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kiosk.toml");
    std::fs::write(
        &file,
        "[warehouse]\nmode = \"mapped\"\nurl = \"https://x.example.com/\"\n\
         [warehouse.mapped.availability]\nurl = \"{{ base }}stock\"\n\
         fields = { items = \"/items\", sku = \"/sku\", quantity = \"available\" }\n",
    )
    .unwrap();
    let error = kiosk::checks::load(Some(&file)).unwrap_err().to_string();
    assert!(
        error.contains("`warehouse.mapped.availability.fields.quantity`"),
        "{error}"
    );
    assert!(error.contains("is not a JSON Pointer"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_check_calls_the_mapped_read_only_operations() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Seen::default();
    let url = serve(shopify(seen.clone(), false)).await;
    write_sku_map(dir.path());
    let loaded = kiosk_config(dir.path(), "shopify-inventory-levels.toml", &url);
    // The database the check reads its sample size from.
    drop(open_db(&loaded));
    let text = std::fs::read_to_string(dir.path().join("kiosk.toml")).unwrap();
    std::fs::write(
        dir.path().join("kiosk.toml"),
        text.replace(
            "token_env = \"KIOSK_MAPPED_TEST_TOKEN\"",
            "token_env = \"\"\ntoken_file = \"token\"",
        ),
    )
    .unwrap();
    let config = dir.path().join("kiosk.toml");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["config", "check", "--config"])
            .arg(&config)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "✓ warehouse token: set (",
        "– warehouse catalog: not part of a mapped API",
        "– warehouse orders: configured, idempotency = \"none\"",
        "✓ warehouse stock changes: store demo-store-001",
        "✓ warehouse availability: GTIN 0",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    assert!(seen.requests.lock().unwrap().len() >= 2);
}

// ---- Trust at the edges: typos, idempotency, encoding, redaction ----

type Answer = Arc<dyn Fn(usize) -> (StatusCode, String) + Send + Sync>;

/// A minimal mapped platform for orders: records every body; `answer` decides each reply.
#[derive(Clone)]
struct Platform {
    bodies: Arc<Mutex<Vec<String>>>,
    headers: Arc<Mutex<Vec<HeaderMap>>>,
    answer: Answer,
}

impl Platform {
    fn new(answer: impl Fn(usize) -> (StatusCode, String) + Send + Sync + 'static) -> Self {
        Self {
            bodies: Arc::default(),
            headers: Arc::default(),
            answer: Arc::new(answer),
        }
    }

    fn orders(&self) -> usize {
        self.bodies.lock().unwrap().len()
    }

    fn router(&self) -> axum::Router {
        let platform = self.clone();
        axum::Router::new()
            .route(
                "/stock",
                get(|| async { Json(json!({"items": [{"sku": GTINS[0], "q": 3}]})) }),
            )
            .route(
                "/orders",
                post(move |headers: HeaderMap, body: String| {
                    let platform = platform.clone();
                    async move {
                        let n = {
                            let mut bodies = platform.bodies.lock().unwrap();
                            bodies.push(body);
                            bodies.len()
                        };
                        platform.headers.lock().unwrap().push(headers);
                        let (status, text) = (platform.answer)(n);
                        if status == StatusCode::GATEWAY_TIMEOUT {
                            // Far past the client's timeout: the order was taken, no answer.
                            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                        }
                        (
                            status,
                            [(axum::http::header::CONTENT_TYPE, "application/json")],
                            text,
                        )
                    }
                }),
            )
    }
}

/// A mapped config for `Platform`; `order` is more of the create_order table.
fn platform_config(dir: &Path, url: &str, order: &str) -> Result<LoadedConfig, String> {
    let file = dir.join("kiosk.toml");
    let head = format!(
        "[database]\npath = \"kiosk.sqlite3\"\ndemo_fixtures = {:?}\n\
         [warehouse]\nmode = \"mapped\"\nurl = \"{url}\"\ntoken_env = \"\"\n\
         timeout_ms = 500\nconnect_timeout_ms = 200\nmax_retries = 2\nretry_backoff_ms = 10\n",
        root().join("fixtures").display().to_string()
    );
    let tables = r#"[warehouse.mapped.availability]
url = "{{ base }}stock"
fields = { items = "/items", sku = "/sku", quantity = "/q" }
[warehouse.mapped.create_order]
method = "POST"
url = "{{ base }}orders"
fields = { order_id = "/id" }
"#;
    std::fs::write(&file, format!("{head}{tables}{order}\n")).unwrap();
    kiosk::checks::load(Some(&file)).map_err(|e| e.to_string())
}

/// A kiosk on `platform`: its client and a seeded database.
async fn platform_kiosk(
    dir: &Path,
    platform: &Platform,
    order: &str,
) -> (kiosk::warehouse::WarehouseClient, DbHandle) {
    let url = serve(platform.router()).await;
    let loaded = platform_config(dir, &url, order).unwrap();
    let client = connect::connect(&loaded).await.unwrap().client;
    (client, open_db(&loaded))
}

async fn enqueue(db: &DbHandle, draft: kiosk::domain::orders::OrderDraft) -> String {
    db.call(move |db| {
        orders::enqueue(db, STORE, &draft).map_err(|e| kiosk::db::DbError::Sqlite(e.to_string()))
    })
    .await
    .unwrap()
    .id
}

async fn outbox(db: &DbHandle, id: &str) -> orders::OutboxOrder {
    let id = id.to_owned();
    db.call(move |db| Ok(orders::get(db, &id).unwrap()))
        .await
        .unwrap()
}

#[test]
fn a_misspelt_template_variable_is_refused_at_load_naming_file_line_key_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    let error = platform_config(
        dir.path(),
        "http://127.0.0.1:9/",
        r#"headers = { "Idempotency-Key" = "{{ idempotency_key }}" }
body = '{"externalRefId": {{ idempotency_kye }}}'"#,
    )
    .unwrap_err();
    assert!(error.contains("kiosk.toml:"), "{error}");
    assert!(
        error.contains("warehouse.mapped.create_order.body"),
        "{error}"
    );
    assert!(error.contains("`idempotency_kye`"), "{error}");
}

#[test]
fn an_order_mapping_without_the_key_must_say_the_platform_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let error = platform_config(
        dir.path(),
        "http://127.0.0.1:9/",
        r#"body = '{"ref": {{ order.kiosk_order_id }}}'"#,
    )
    .unwrap_err();
    assert!(error.contains("warehouse.mapped.create_order"), "{error}");
    assert!(error.contains("idempotency = \"none\""), "{error}");
    platform_config(
        dir.path(),
        "http://127.0.0.1:9/",
        r#"idempotency = "none"
body = '{"ref": {{ order.kiosk_order_id }}}'"#,
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_idempotency_an_uncertain_order_waits_for_a_manager_and_is_never_resent() {
    let dir = tempfile::tempdir().unwrap();
    // The first attempt times out (the platform took it); any later one would be a 2nd order.
    let platform = Platform::new(|n| {
        if n == 1 {
            (StatusCode::GATEWAY_TIMEOUT, String::new())
        } else {
            (
                StatusCode::CREATED,
                json!({"id": format!("P-{n}")}).to_string(),
            )
        }
    });
    let (client, db) = platform_kiosk(
        dir.path(),
        &platform,
        r#"idempotency = "none"
body = '{"ref": {{ order.kiosk_order_id }}, "name": {{ order.ship_to.name }}}'"#,
    )
    .await;
    assert!(!client.orders_are_idempotent());
    let id = enqueue(&db, draft(GTINS[0], 8999)).await;

    let report = orders::send_due(&db, &client, true).await.unwrap();
    assert_eq!(report.needs_checking, std::slice::from_ref(&id));
    let order = outbox(&db, &id).await;
    assert_eq!(order.status, OutboxStatus::NeedsChecking);
    assert!(
        order
            .last_error
            .as_deref()
            .unwrap()
            .contains(&format!("kiosk orders settle {id}")),
        "{order:?}"
    );
    // Neither the schedule nor "retry all" sends it again.
    for all in [false, true] {
        orders::send_due(&db, &client, all).await.unwrap();
    }
    assert_eq!(
        platform.orders(),
        1,
        "one shopper order, one platform order"
    );

    // The manager found it at the platform.
    let settled = db
        .call({
            let id = id.clone();
            move |db| Ok(orders::settle(db, &id, "P-1").unwrap())
        })
        .await
        .unwrap();
    assert_eq!(settled.status, OutboxStatus::Confirmed);
    assert_eq!(settled.warehouse_order_id.as_deref(), Some("P-1"));
    orders::send_due(&db, &client, true).await.unwrap();
    assert_eq!(platform.orders(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_idempotency_an_order_left_sending_by_a_crash_needs_checking() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::new(|_| (StatusCode::CREATED, json!({"id": "P-1"}).to_string()));
    let (client, db) = platform_kiosk(
        dir.path(),
        &platform,
        r#"idempotency = "none"
body = '{"ref": {{ order.kiosk_order_id }}}'"#,
    )
    .await;
    let id = enqueue(&db, draft(GTINS[0], 8999)).await;
    // What a crash mid-send leaves behind.
    let marked = id.clone();
    db.call(move |db| {
        db.conn().execute(
            "UPDATE order_outbox SET status = 'sending' WHERE id = ?1",
            [marked],
        )?;
        Ok(())
    })
    .await
    .unwrap();
    let report = orders::send_due(&db, &client, true).await.unwrap();
    assert_eq!(report.needs_checking, std::slice::from_ref(&id));
    assert_eq!(platform.orders(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_key_a_timed_out_order_is_resent_under_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::new(|n| {
        if n == 1 {
            (StatusCode::GATEWAY_TIMEOUT, String::new())
        } else {
            (StatusCode::CREATED, json!({"id": "P-1"}).to_string())
        }
    });
    let (client, db) = platform_kiosk(
        dir.path(),
        &platform,
        r#"headers = { "Idempotency-Key" = "{{ idempotency_key }}" }
body = '{"ref": {{ order.kiosk_order_id }}}'"#,
    )
    .await;
    let id = enqueue(&db, draft(GTINS[0], 8999)).await;
    let report = orders::send_due(&db, &client, true).await.unwrap();
    assert_eq!(report.confirmed, std::slice::from_ref(&id));
    let keys: Vec<String> = platform
        .headers
        .lock()
        .unwrap()
        .iter()
        .map(|h| h["idempotency-key"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the same key on every attempt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopper_text_is_json_encoded_in_bodies_and_a_bad_header_is_a_permanent_error() {
    let dir = tempfile::tempdir().unwrap();
    let platform = Platform::new(|_| (StatusCode::CREATED, json!({"id": "P-1"}).to_string()));
    let url = serve(platform.router()).await;
    let loaded = platform_config(
        dir.path(),
        &url,
        r#"headers = { "Idempotency-Key" = "{{ idempotency_key }}", "X-Ship-To" = "{{ order.ship_to.name }}" }
body = '{"name": {{ order.ship_to.name }}, "city": {{ order.ship_to.city }}}'"#,
    )
    .unwrap();
    let client = connect::connect(&loaded).await.unwrap().client;
    let shopper = draft(GTINS[0], 8999);
    let mut request = kiosk::warehouse::protocol::OrderRequest {
        store_id: STORE.into(),
        kiosk_order_id: "K-TEST-0001".into(),
        lines: vec![kiosk::warehouse::protocol::OrderLine {
            gtin: GTINS[0].into(),
            quantity: 1,
            unit_price_cents: 8999,
        }],
        currency: "EUR".into(),
        shipping_cents: 0,
        ship_to: shopper.ship_to,
        contact: shopper.contact,
        fulfilment: shopper.fulfilment,
    };
    request.ship_to.city = r#"Köln", "admin": true, "x": ""#.into();
    client.create_order("key-1", &request).await.unwrap();
    let body: Value = serde_json::from_str(&platform.bodies.lock().unwrap()[0]).unwrap();
    assert_eq!(body["city"], r#"Köln", "admin": true, "x": ""#);
    assert!(body.get("admin").is_none(), "no field injected: {body}");

    request.ship_to.name = "Ana\r\nX-Injected: 1".into();
    let error = client.create_order("key-2", &request).await.unwrap_err();
    assert!(!error.is_transient(), "{error}");
    let text = error.to_string();
    assert!(text.contains("headers.X-Ship-To"), "{text}");
    assert!(
        !text.contains("Injected"),
        "the value is not echoed: {text}"
    );
    assert_eq!(platform.orders(), 1, "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_texts_kept_with_an_order_hold_no_shopper_data() {
    let dir = tempfile::tempdir().unwrap();
    // A refusal that echoes the order, then a 2xx the mapping cannot read that echoes it too.
    let platform = Platform::new(|n| {
        let echo = json!({"order": {"name": "Ana Li", "street": "Hauptstr. 1",
                                    "email": "ana@example.com"}});
        if n == 1 {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"type": "about:blank", "title": "bad", "status": 422,
                       "detail": format!("cannot ship to {echo}")})
                .to_string(),
            )
        } else {
            (StatusCode::CREATED, echo.to_string())
        }
    });
    let (client, db) = platform_kiosk(
        dir.path(),
        &platform,
        r#"headers = { "Idempotency-Key" = "{{ idempotency_key }}" }
body = '{"name": {{ order.ship_to.name }}}'"#,
    )
    .await;
    let refused = enqueue(&db, draft(GTINS[0], 8999)).await;
    orders::send_due(&db, &client, true).await.unwrap();
    let unreadable = enqueue(&db, draft(GTINS[1], 8999)).await;
    orders::send_due(&db, &client, true).await.unwrap();
    for id in [&refused, &unreadable] {
        let error = outbox(&db, id).await.last_error.unwrap();
        for secret in ["Ana", "Hauptstr", "ana@example.com", "example.com"] {
            assert!(!error.contains(secret), "{secret:?} kept in {error:?}");
        }
    }
    let error = outbox(&db, &unreadable).await.last_error.unwrap();
    assert!(
        error.contains("/id"),
        "the error still names the pointer: {error}"
    );
}

#[test]
fn config_check_says_what_is_not_configured_and_names_a_missing_sku_map() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kiosk.toml");
    std::fs::write(
        &file,
        r#"[database]
path = "kiosk.sqlite3"
demo_fixtures = ""
[camera]
enabled = false
[warehouse]
mode = "mapped"
url = "http://127.0.0.1:9/"
token_env = ""
[warehouse.mapped]
sku_map = "skus.csv"
[warehouse.mapped.availability]
url = "{{ base }}stock"
fields = { items = "/items", sku = "/sku", quantity = "/q" }
"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["config", "check", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("✗ warehouse SKU map"), "{text}");
    assert!(
        text.contains("fix: check the file [warehouse.mapped] sku_map names"),
        "{text}"
    );
    std::fs::write(dir.path().join("skus.csv"), "gtin,sku\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["config", "check", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "– warehouse orders: [warehouse.mapped.create_order] is not configured",
        "– warehouse order status: [warehouse.mapped.order_status] is not configured",
        "– warehouse stock changes: [warehouse.mapped.stock_changes] is not configured",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    assert!(!text.contains("✓ warehouse stock changes"), "{text}");
    assert!(!text.contains("✓ warehouse orders"), "{text}");
}
