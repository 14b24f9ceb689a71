//! The kiosk's warehouse client: reqwest with rustls, pooled connections, timeouts, jittered
//! retries of what is safe to retry (reads, and orders, which carry an idempotency key),
//! `Retry-After` honoured, and a circuit breaker so a dead warehouse costs the shopper no wait.

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use failsafe::futures::CircuitBreaker;
use failsafe::{StateMachine, backoff, failure_policy};
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use url::Url;

use super::protocol::{
    AssociateRequest, AssociateResponse, AvailabilityRequest, AvailabilityResponse, CatalogPage,
    CodeEmailResponse, DaySummary, DaySummaryAck, Heartbeat, HeartbeatAck, OrderRequest,
    OrderResponse, Pickup, PickupList, Problem, StockAlertRequest, StockAlertResponse, StockPage,
};

/// Longest `Retry-After` waited inside one call; longer ones end the call (retry later).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClientError {
    #[error("the warehouse failed repeatedly just now; not trying again for a while")]
    CircuitOpen,
    #[error("cannot reach the warehouse: {0}")]
    Unreachable(String),
    #[error("the warehouse did not answer in time")]
    Timeout,
    /// The connection broke off after the request may have left.
    #[error("the connection to the warehouse broke off: {0}")]
    Interrupted(String),
    #[error("the warehouse had an error (HTTP {status}): {detail}")]
    Server { status: u16, detail: String },
    #[error("the warehouse asked us to slow down (retry after {retry_after_secs:?} s)")]
    RateLimited { retry_after_secs: Option<u64> },
    #[error("the warehouse refused the request (HTTP {}): {}", .0.status, .0.detail)]
    Rejected(Problem),
    #[error("the warehouse's answer was malformed: {0}")]
    Malformed(String),
    /// A mapped API answered in a shape the mapping does not fit (or is not configured).
    #[error("{0}")]
    Mapping(Box<super::mapped::MappingError>),
}

impl ClientError {
    /// Worth trying again: the request may succeed later unchanged.
    pub fn is_transient(&self) -> bool {
        !matches!(self, Self::Rejected(_) | Self::Mapping(_))
    }

    /// The request may have reached the warehouse and been acted on although no readable
    /// answer came back: a timeout, a broken connection, a server error, or a 2xx answer that
    /// could not be read. (Refused connections, 429s, 4xx refusals and an open circuit are
    /// certain: nothing was done.)
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout | Self::Interrupted(_) | Self::Server { .. } | Self::Malformed(_) => true,
            Self::Mapping(m) => m.answered,
            Self::CircuitOpen
            | Self::Unreachable(_)
            | Self::RateLimited { .. }
            | Self::Rejected(_) => false,
        }
    }

    /// The error without anything the other side sent (which may echo an order): for logs
    /// written before the caller can redact.
    pub fn summary(&self) -> String {
        match self {
            Self::Server { status, .. } => format!("the warehouse had an error (HTTP {status})"),
            Self::Rejected(problem) => {
                format!(
                    "the warehouse refused the request (HTTP {})",
                    problem.status
                )
            }
            Self::Malformed(_) => "the warehouse's answer was malformed".into(),
            Self::Mapping(m) => format!("{}: {}: the answer does not fit", m.operation, m.path),
            other => other.to_string(),
        }
    }

    fn counts_against_breaker(&self) -> bool {
        !matches!(
            self,
            Self::Rejected(_) | Self::CircuitOpen | Self::RateLimited { .. } | Self::Mapping(_)
        )
    }

    fn from_reqwest(e: &reqwest::Error) -> Self {
        // reqwest names the whole URL; a mapped template may have put order data in its path
        // or query, so only the origin is kept.
        let mut text = root_cause(e);
        if let Some(url) = e.url() {
            text = text.replace(url.as_str(), &url.origin().ascii_serialization());
        }
        if e.is_timeout() {
            Self::Timeout
        } else if e.is_connect() || e.is_builder() {
            Self::Unreachable(text)
        } else if e.is_body() || e.is_decode() {
            Self::Malformed(text)
        } else {
            Self::Interrupted(text)
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    let mut text = e.to_string();
    while let Some(next) = cause.source() {
        text = format!("{text}: {next}");
        cause = next;
    }
    text
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: usize,
    pub retry_backoff: Duration,
    /// Consecutive failures that open the circuit.
    pub breaker_failures: u32,
    /// How long the circuit stays open at first (doubles while failures go on, up to 60 s).
    pub breaker_open: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            max_retries: 5,
            retry_backoff: Duration::from_millis(250),
            breaker_failures: 5,
            breaker_open: Duration::from_secs(5),
        }
    }
}

impl ClientOptions {
    pub fn from_config(w: &crate::config::Warehouse) -> Self {
        Self {
            timeout: w.timeout_ms,
            connect_timeout: w.connect_timeout_ms,
            max_retries: w.max_retries as usize,
            retry_backoff: w.retry_backoff_ms,
            ..Self::default()
        }
    }
}

type Breaker = StateMachine<failure_policy::ConsecutiveFailures<backoff::Exponential>, ()>;

#[derive(Clone)]
pub struct WarehouseClient {
    http: reqwest::Client,
    base: Url,
    token: Option<Arc<str>>,
    options: ClientOptions,
    breaker: Breaker,
    backend: Backend,
}

/// The API the warehouse speaks. An enum rather than a trait object: there are exactly two,
/// both in this crate; each operation is one `match` (no boxed async futures), and both share
/// this client's transport — HTTP connection pool, timeouts, retries, circuit breaker.
#[derive(Clone)]
enum Backend {
    /// The kiosk's own protocol (docs/warehouse-api.yaml): the reference warehouse.
    Native,
    /// `mode = "mapped"`: the operations go to an existing inventory API.
    Mapped(Arc<super::mapped::Mapping>),
}

impl std::fmt::Debug for WarehouseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("WarehouseClient")
            .field("base", &self.base.as_str())
            .finish()
    }
}

impl WarehouseClient {
    pub fn new(
        base: &str,
        token: Option<String>,
        options: ClientOptions,
    ) -> Result<Self, ClientError> {
        let mut base = Url::parse(base)
            .map_err(|e| ClientError::Unreachable(format!("bad URL {base:?}: {e}")))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("endless-aisle-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Unreachable(root_cause(&e)))?;
        let breaker = failsafe::Config::new()
            .failure_policy(failure_policy::consecutive_failures(
                options.breaker_failures.max(1),
                // failsafe's backoff counts in whole seconds.
                backoff::exponential(
                    options.breaker_open.max(Duration::from_secs(1)),
                    Duration::from_secs(60),
                ),
            ))
            .build();
        Ok(Self {
            http,
            base,
            token: token.map(Arc::from),
            options,
            breaker,
            backend: Backend::Native,
        })
    }

    /// Sends the operations through `mapping` to an existing inventory API at the base URL.
    pub fn with_mapping(mut self, mapping: super::mapped::Mapping) -> Self {
        self.backend = Backend::Mapped(Arc::new(mapping));
        self
    }

    /// Whether a repeated order is recognised as the same order: always for the kiosk's own
    /// protocol (Idempotency-Key); for a mapped platform, only if its mapping sends the key.
    pub fn orders_are_idempotent(&self) -> bool {
        match &self.backend {
            Backend::Native => true,
            Backend::Mapped(mapping) => mapping.orders_are_idempotent(),
        }
    }

    pub(super) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub(super) fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// One mapped call: the request as rendered, with retries and the breaker; JSON back.
    pub(super) async fn call_raw(
        &self,
        retries: usize,
        method: Method,
        url: Url,
        headers: header::HeaderMap,
        body: Option<String>,
    ) -> Result<serde_json::Value, ClientError> {
        self.call(retries, || {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .headers(headers.clone());
            if let Some(body) = &body {
                request = request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            Ok(request)
        })
        .await
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `true` while the circuit is closed or half-open (a call would be attempted).
    pub fn is_available(&self) -> bool {
        self.breaker.is_call_permitted()
    }

    fn url(&self, path: &str) -> Result<Url, ClientError> {
        self.base
            .join(path)
            .map_err(|e| ClientError::Unreachable(format!("bad path {path:?}: {e}")))
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let builder = self.http.request(method, url);
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// One attempt: send, then read the whole body and decode it.
    async fn attempt<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, ClientError> {
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = response
            .bytes()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| ClientError::Malformed(e.to_string()));
        }
        // A problem document's detail is kept (the orders outbox redacts the order's own
        // values from it); any other body is not: it may echo what was sent.
        let problem = serde_json::from_slice::<Problem>(&body)
            .map(|mut p| {
                p.detail = p
                    .detail
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                p
            })
            .unwrap_or_else(|_| Problem {
                kind: "about:blank".into(),
                title: status.canonical_reason().unwrap_or("error").into(),
                status: status.as_u16(),
                detail: format!(
                    "an answer of {} bytes that is not a problem document",
                    body.len()
                ),
            });
        Err(match status {
            StatusCode::TOO_MANY_REQUESTS => ClientError::RateLimited {
                retry_after_secs: retry_after,
            },
            StatusCode::REQUEST_TIMEOUT => ClientError::Timeout,
            s if s.is_server_error() => ClientError::Server {
                status: s.as_u16(),
                detail: problem.detail,
            },
            _ => ClientError::Rejected(problem),
        })
    }

    /// Sends with retries and the circuit breaker. `build` makes a fresh request per attempt.
    async fn call<T: DeserializeOwned>(
        &self,
        retries: usize,
        build: impl Fn() -> Result<RequestBuilder, ClientError>,
    ) -> Result<T, ClientError> {
        let once = || async {
            let request = build()?;
            match self
                .breaker
                .call_with(
                    |e: &ClientError| e.counts_against_breaker(),
                    self.attempt::<T>(request),
                )
                .await
            {
                Ok(value) => Ok(value),
                Err(failsafe::Error::Inner(e)) => Err(e),
                Err(failsafe::Error::Rejected) => Err(ClientError::CircuitOpen),
            }
        };
        let policy = ExponentialBuilder::default()
            .with_min_delay(self.options.retry_backoff)
            .with_max_delay(Duration::from_secs(10))
            .with_max_times(retries)
            .with_jitter();
        once.retry(policy)
            .when(|e: &ClientError| e.is_transient() && *e != ClientError::CircuitOpen)
            .adjust(|e, next| match (e, next) {
                (
                    ClientError::RateLimited {
                        retry_after_secs: Some(secs),
                    },
                    Some(_),
                ) => {
                    let wait = Duration::from_secs(*secs);
                    (wait <= MAX_RETRY_AFTER).then_some(wait)
                }
                (_, next) => next,
            })
            .notify(|e, wait| {
                tracing::debug!(error = %e.summary(), ?wait, "warehouse call failed; retrying");
            })
            .await
    }

    fn get<T: DeserializeOwned>(
        &self,
        path: String,
        query: Vec<(&'static str, String)>,
    ) -> impl Future<Output = Result<T, ClientError>> + '_ {
        let retries = self.options.max_retries;
        async move {
            let url = self.url(&path)?;
            self.call(retries, || {
                Ok(self.request(Method::GET, url.clone()).query(&query))
            })
            .await
        }
    }

    fn post<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
        retries: usize,
    ) -> impl Future<Output = Result<T, ClientError>> {
        let url = self.url(path);
        let json = serde_json::to_vec(body).map_err(|e| ClientError::Malformed(e.to_string()));
        let key = idempotency_key.map(str::to_owned);
        async move {
            let (url, json) = (url?, json?);
            self.call(retries, || {
                let mut request = self
                    .request(Method::POST, url.clone())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(json.clone());
                if let Some(key) = &key {
                    request = request.header("Idempotency-Key", key);
                }
                Ok(request)
            })
            .await
        }
    }

    pub async fn catalog_changes(
        &self,
        cursor: &str,
        limit: u32,
    ) -> Result<CatalogPage, ClientError> {
        self.catalog_changes_counted(cursor, limit, false).await
    }

    /// The same, and with `count` also how many changes remain after this page.
    pub async fn catalog_changes_counted(
        &self,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<CatalogPage, ClientError> {
        if let Backend::Mapped(_) = &self.backend {
            return Ok(self.mapped_catalog(cursor));
        }
        self.get(
            "v1/catalog/changes".into(),
            page_query(cursor, limit, count),
        )
        .await
    }

    pub async fn stock_changes(
        &self,
        store_id: &str,
        cursor: &str,
        limit: u32,
    ) -> Result<StockPage, ClientError> {
        self.stock_changes_counted(store_id, cursor, limit, false)
            .await
    }

    /// The same, and with `count` also how many changes remain after this page.
    pub async fn stock_changes_counted(
        &self,
        store_id: &str,
        cursor: &str,
        limit: u32,
        count: bool,
    ) -> Result<StockPage, ClientError> {
        if let Backend::Mapped(mapping) = &self.backend {
            return self
                .mapped_stock_changes(mapping, store_id, cursor, limit)
                .await;
        }
        self.get(
            format!("v1/stores/{store_id}/stock/changes"),
            page_query(cursor, limit, count),
        )
        .await
    }

    /// Availability of many GTINs (all sizes of a style) in one request. At most one retry:
    /// a shopper is waiting, and the cached answer is shown meanwhile.
    pub async fn availability(
        &self,
        gtins: Vec<String>,
    ) -> Result<AvailabilityResponse, ClientError> {
        if let Backend::Mapped(mapping) = &self.backend {
            return self.mapped_availability(mapping, gtins).await;
        }
        let retries = self.options.max_retries.min(1);
        self.post(
            "v1/availability",
            &AvailabilityRequest { gtins },
            None,
            retries,
        )
        .await
    }

    /// Creates a dropship order. Safe to repeat with the same key: the warehouse answers a
    /// repeat with the original order.
    pub async fn create_order(
        &self,
        idempotency_key: &str,
        order: &OrderRequest,
    ) -> Result<OrderResponse, ClientError> {
        if let Backend::Mapped(mapping) = &self.backend {
            return self
                .mapped_create_order(mapping, idempotency_key, order)
                .await;
        }
        self.post(
            "v1/orders",
            order,
            Some(idempotency_key),
            self.options.max_retries,
        )
        .await
    }

    pub async fn order_status(&self, order_id: &str) -> Result<OrderResponse, ClientError> {
        if let Backend::Mapped(mapping) = &self.backend {
            return self.mapped_order_status(mapping, order_id).await;
        }
        let segment =
            percent_encoding::utf8_percent_encode(order_id, percent_encoding::NON_ALPHANUMERIC);
        self.get(format!("v1/orders/{segment}"), Vec::new()).await
    }

    /// What `store_id`'s counter hands over: holds from its shelf and parcels coming to it
    /// (open ones; every one of the last 30 days with `all`).
    pub async fn pickups(&self, store_id: &str, all: bool) -> Result<PickupList, ClientError> {
        self.native_only("pickups")?;
        let store =
            percent_encoding::utf8_percent_encode(store_id, percent_encoding::NON_ALPHANUMERIC);
        let query = if all {
            vec![("all", "true".to_owned())]
        } else {
            Vec::new()
        };
        self.get(format!("v1/stores/{store}/pickups"), query).await
    }

    /// The shopper showed `code` at `store_id`'s counter and took the pair.
    pub async fn pickup_collected(
        &self,
        store_id: &str,
        code: &str,
    ) -> Result<Pickup, ClientError> {
        self.native_only("pickup_collected")?;
        let encode =
            |s| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC);
        self.post(
            &format!(
                "v1/stores/{}/pickups/{}/collected",
                encode(store_id),
                encode(code)
            ),
            &serde_json::json!({}),
            None,
            0,
        )
        .await
    }

    /// "Tell me when it is back" for `request.gtin`, from `store_id`'s kiosk. Not retried:
    /// the shopper sees the outcome and can tap again.
    pub async fn stock_alert(
        &self,
        store_id: &str,
        request: &StockAlertRequest,
    ) -> Result<StockAlertResponse, ClientError> {
        self.native_only("stock_alert")?;
        let store =
            percent_encoding::utf8_percent_encode(store_id, percent_encoding::NON_ALPHANUMERIC);
        self.post(&format!("v1/stores/{store}/stock-alerts"), request, None, 0)
            .await
    }

    /// Reports this kiosk's health for the chain's fleet list (native protocol only; a mapped
    /// platform has no fleet). Not retried: the next heartbeat follows soon.
    pub async fn heartbeat(
        &self,
        store_id: &str,
        kiosk_id: &str,
        heartbeat: &Heartbeat,
    ) -> Result<(), ClientError> {
        self.native_only("heartbeat")?;
        let encode =
            |s| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC);
        let _: HeartbeatAck = self
            .post(
                &format!(
                    "v1/stores/{}/kiosks/{}/heartbeat",
                    encode(store_id),
                    encode(kiosk_id)
                ),
                heartbeat,
                None,
                0,
            )
            .await?;
        Ok(())
    }

    /// Sends a finished day of this kiosk's analytics (again: replaces it at the warehouse, so
    /// it is safe to retry).
    pub async fn day_summary(
        &self,
        store_id: &str,
        kiosk_id: &str,
        summary: &DaySummary,
    ) -> Result<(), ClientError> {
        self.native_only("day summaries")?;
        let encode =
            |s| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC);
        let _: DaySummaryAck = self
            .post(
                &format!(
                    "v1/stores/{}/kiosks/{}/days",
                    encode(store_id),
                    encode(kiosk_id)
                ),
                summary,
                None,
                self.options.max_retries,
            )
            .await?;
        Ok(())
    }

    /// Whether the warehouse takes the kiosks' day summaries (a mapped platform does not).
    pub fn takes_day_summaries(&self) -> bool {
        matches!(self.backend, Backend::Native)
    }

    /// Whether the warehouse takes back-in-stock requests (a mapped platform does not).
    pub fn offers_stock_alerts(&self) -> bool {
        matches!(self.backend, Backend::Native)
    }

    /// Operations a mapped platform does not have.
    fn native_only(&self, operation: &str) -> Result<(), ClientError> {
        match &self.backend {
            Backend::Native => Ok(()),
            Backend::Mapped(_) => Err(super::mapped::MappingError::error(
                operation,
                "",
                "a mapped warehouse has no such operation",
            )),
        }
    }

    /// Whether the warehouse can e-mail a shopper their order code (the reference protocol
    /// can; a mapped platform has no such operation).
    pub fn offers_code_email(&self) -> bool {
        matches!(self.backend, Backend::Native)
    }

    /// Whether the warehouse knows other stores' shelves and holds pairs there, and ships to
    /// the store (the reference protocol does; a mapped platform has no such operations).
    pub fn offers_pickup(&self) -> bool {
        matches!(self.backend, Backend::Native)
    }

    /// Asks the warehouse to e-mail the shopper the code of `order_id` (the warehouse's id),
    /// to the address the order carries: the kiosk sends no shopper data again. Not retried:
    /// the shopper sees the outcome and can tap again.
    pub async fn email_order_code(&self, order_id: &str) -> Result<CodeEmailResponse, ClientError> {
        if let Backend::Mapped(_) = &self.backend {
            return Err(super::mapped::MappingError::error(
                "email_order_code",
                "",
                "a mapped warehouse has no operation to e-mail an order code",
            ));
        }
        let segment =
            percent_encoding::utf8_percent_encode(order_id, percent_encoding::NON_ALPHANUMERIC);
        self.post(
            &format!("v1/orders/{segment}/code-email"),
            &serde_json::json!({}),
            None,
            0,
        )
        .await
    }

    pub async fn associate_request(
        &self,
        store_id: &str,
        request: &AssociateRequest,
    ) -> Result<AssociateResponse, ClientError> {
        if let Backend::Mapped(_) = &self.backend {
            return Err(super::mapped::MappingError::error(
                "associate_request",
                "",
                "a mapped warehouse takes no associate requests; staff see them on the kiosk",
            ));
        }
        self.post(
            &format!("v1/stores/{store_id}/associate-requests"),
            request,
            None,
            self.options.max_retries.min(2),
        )
        .await
    }
}

fn page_query(cursor: &str, limit: u32, count: bool) -> Vec<(&'static str, String)> {
    let mut query = vec![("cursor", cursor.to_owned()), ("limit", limit.to_string())];
    if count {
        query.push(("count", "true".to_owned()));
    }
    query
}
