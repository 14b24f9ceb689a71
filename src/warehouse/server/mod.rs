//! The reference central warehouse (`kiosk warehouse serve`): the protocol in
//! `docs/warehouse-api.yaml`, served by axum from a SQLite file (demos, tests, small chains;
//! the kiosk embeds it on loopback in the default configuration) or from a PostgreSQL
//! database that several server processes share (a chain: see `store::postgres`).

pub mod api;
pub mod faults;
pub mod listen;
pub mod report;
pub mod store;

use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use faults::{Fault, Faults};
pub use listen::ConnectionLimits;
pub use store::{Backend, StoreError, WarehouseStore};

use api::ApiState;

/// Largest request body accepted (an order is about 1 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Largest day summary accepted ([`crate::warehouse::protocol::MAX_DAY_COUNTS`] rows of about
/// 100 bytes).
pub const DAY_SUMMARY_BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Requests per second allowed per token, sustained.
    pub rate_per_second: u32,
    /// Requests a token may send at once before the rate applies.
    pub burst: u32,
    /// Failed authentications allowed per client address per minute (then 429 until the
    /// minute has passed, without the token even being looked at).
    pub auth_failures_per_minute: u32,
    /// Timeouts and connection caps.
    pub limits: ConnectionLimits,
    /// Days an order's shipping address and contact are kept (then deleted, overwritten).
    pub shopper_retention_days: u32,
    /// The chain's mailer: a size someone asked to hear about is back (JSON POST with the
    /// address). `None`: the requests wait in `stock_alerts` for a mailer that reads them.
    pub mailer_webhook: Option<url::Url>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            rate_per_second: 200,
            burst: 400,
            auth_failures_per_minute: 30,
            limits: ConnectionLimits::default(),
            shopper_retention_days: 30,
            mailer_webhook: None,
        }
    }
}

pub fn router(store: WarehouseStore, options: &ServerOptions, faults: Faults) -> Router {
    let state = ApiState::new(store, options);
    let v1 = Router::new()
        .route("/openapi.yaml", get(api::openapi))
        .route("/catalog/changes", get(api::catalog))
        .route("/stores/{store_id}/stock/changes", get(api::stock))
        .route(
            "/stores/{store_id}/associate-requests",
            post(api::associate),
        )
        .route("/stores/{store_id}/pickups", get(api::pickups))
        .route("/stores/{store_id}/stock-alerts", post(api::stock_alert))
        .route(
            "/stores/{store_id}/kiosks/{kiosk_id}/heartbeat",
            post(api::heartbeat),
        )
        // A day's summary may hold thousands of rows: a larger body than any other request.
        .route(
            "/stores/{store_id}/kiosks/{kiosk_id}/days",
            post(api::day_summary).layer(DefaultBodyLimit::max(DAY_SUMMARY_BODY_LIMIT)),
        )
        .route(
            "/stores/{store_id}/pickups/{code}/collected",
            post(api::collected),
        )
        .route("/availability", post(api::availability))
        .route("/orders", post(api::create_order))
        .route("/orders/{order_id}", get(api::order_status))
        .route("/orders/{order_id}/code-email", post(api::code_email));
    Router::new()
        .nest("/v1", v1)
        .fallback(api::not_found)
        .with_state(state)
        .layer(middleware::from_fn_with_state(faults, faults::inject))
        // Bodies are read only by the JSON extractor, which answers an oversize one with a
        // 413 problem document (tower-http's limit layer would answer in plain text).
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Method, path, status and latency only: bodies (shopper addresses) are never logged.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// A running server; dropping it (or [`ServerHandle::shutdown`]) stops it.
pub struct ServerHandle {
    pub addr: SocketAddr,
    pub store: WarehouseStore,
    pub faults: Faults,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl ServerHandle {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops accepting, finishes the requests in flight, and waits for the server to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Serves on an already bound listener (tests bind `127.0.0.1:0`), and deletes shopper
/// details past their retention once an hour while it runs.
pub fn spawn(
    listener: TcpListener,
    store: WarehouseStore,
    options: &ServerOptions,
) -> std::io::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let faults = Faults::default();
    let app = router(store.clone(), options, faults.clone());
    let (stop, stopped) = watch::channel(false);
    let purge = tokio::spawn(purge_shopper_details(
        store.clone(),
        options.shopper_retention_days,
        stopped.clone(),
    ));
    let holds = tokio::spawn(release_expired_holds(
        store.clone(),
        options.mailer_webhook.clone(),
        stopped.clone(),
    ));
    let limits = options.limits;
    let task = tokio::spawn(async move {
        listen::serve(listener, app, limits, stopped).await;
        let _ = purge.await;
        let _ = holds.await;
    });
    tracing::info!(%addr, "reference warehouse listening");
    Ok(ServerHandle {
        addr,
        store,
        faults,
        stop,
        task: Some(task),
    })
}

/// Once a minute: pick-up holds past their time go back on the shelf (the pick list and a
/// collection also release them first), and sizes people asked to hear about that are back go
/// to the chain's mailer (each request once; it is deleted when the mailer took it).
async fn release_expired_holds(
    store: WarehouseStore,
    mailer: Option<url::Url>,
    stop: watch::Receiver<bool>,
) {
    let http = crate::runtime::notify::client();
    crate::runtime::periodic::every(std::time::Duration::from_secs(60), stop, || {
        let store = store.clone();
        let mailer = mailer.clone();
        let http = http.clone();
        async move {
            if let Some(mailer) = mailer {
                mail_stock_alerts(&store, &http, mailer.as_str()).await;
            }
            match tokio::task::spawn_blocking(move || store.release_expired_holds()).await {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(
                        holds = n,
                        "pick-up holds ended; the pairs are back on the shelf"
                    )
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "ending pick-up holds failed"),
                _ => {}
            }
        }
    })
    .await;
}

/// Hands every due back-in-stock mail to the mailer; a request the mailer did not take stays
/// for the next round (until it expires).
pub async fn mail_stock_alerts(store: &WarehouseStore, http: &reqwest::Client, mailer: &str) {
    let due = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || store.due_stock_alerts()).await
    };
    let due = match due {
        Ok(Ok(due)) => due,
        Ok(Err(e)) => return tracing::warn!(error = %e, "reading back-in-stock requests failed"),
        Err(_) => return,
    };
    for mail in due {
        match crate::runtime::notify::post(http, mailer, &mail).await {
            Ok(()) => {
                let store = store.clone();
                let id = mail.alert_id.clone();
                let _ = tokio::task::spawn_blocking(move || store.stock_alert_sent(&id)).await;
                tracing::info!(alert = %mail.alert_id, gtin = %mail.gtin, "back-in-stock mail handed to the mailer");
            }
            // Never the address: the mailer's trouble is said by status only.
            Err(e) => {
                tracing::warn!(alert = %mail.alert_id, error = %e, "the mailer did not take a back-in-stock mail")
            }
        }
    }
}

async fn purge_shopper_details(store: WarehouseStore, days: u32, stop: watch::Receiver<bool>) {
    crate::runtime::periodic::every(std::time::Duration::from_secs(3600), stop, || {
        let store = store.clone();
        async move {
            let alerts = store.clone();
            match tokio::task::spawn_blocking(move || alerts.purge_expired_stock_alerts()).await {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(
                        requests = n,
                        "back-in-stock requests deleted after their time"
                    )
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "deleting old back-in-stock requests failed")
                }
                _ => {}
            }
            match tokio::task::spawn_blocking(move || store.purge_shopper_details(days)).await {
                Ok(Ok(n)) if n > 0 => {
                    tracing::info!(orders = n, "shopper details deleted after their retention")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "deleting old shopper details failed"),
                _ => {}
            }
        }
    })
    .await;
}

/// Opens (and, when empty, seeds from `fixtures`) the warehouse's SQLite file, registering
/// `token` for `store_id`.
pub fn open_store(
    db: &Path,
    fixtures: Option<&Path>,
    store_id: &str,
    token: &str,
) -> Result<WarehouseStore, StoreError> {
    prepare(WarehouseStore::open(db)?, fixtures, store_id, token)
}

/// [`open_store`] for either back-end: a `postgres://` URL or a SQLite file path.
pub fn open_store_at(
    location: &str,
    fixtures: Option<&Path>,
    store_id: &str,
    token: &str,
) -> Result<WarehouseStore, StoreError> {
    prepare(
        WarehouseStore::open_location(location)?,
        fixtures,
        store_id,
        token,
    )
}

fn prepare(
    store: WarehouseStore,
    fixtures: Option<&Path>,
    store_id: &str,
    token: &str,
) -> Result<WarehouseStore, StoreError> {
    if let Some(dir) = fixtures
        && store.is_empty()?
    {
        store.seed_from_fixtures(dir, store_id)?;
    }
    // The chain's other stores came later than the catalog: a demo warehouse seeded before
    // them gets them too.
    if let Some(dir) = fixtures {
        store.seed_chain_from_fixtures(dir, store_id)?;
    }
    store.replace_tokens(
        store::TokenSource::Embedded,
        &[(store_id.to_owned(), token.to_owned())],
    )?;
    Ok(store)
}
