//! HTTP handlers of the reference warehouse: auth, rate limit, strict JSON, problem+json errors.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::de::DeserializeOwned;

use super::store::{OrderOutcome, StoreError, WarehouseStore};
use crate::warehouse::protocol::{
    AssociateRequest, AvailabilityRequest, AvailabilityResponse, DEFAULT_PAGE,
    MAX_AVAILABILITY_GTINS, MAX_PAGE, OrderRequest, PageQuery, PickupList, Problem, problem_type,
};

pub const PROBLEM_JSON: &str = "application/problem+json";
pub const OPENAPI_YAML: &str = include_str!("../../../docs/warehouse-api.yaml");

#[derive(Clone)]
pub struct ApiState {
    pub store: WarehouseStore,
    /// For the stores' pick-up webhooks.
    webhook: reqwest::Client,
    pub limiter: Arc<DefaultKeyedRateLimiter<String>>,
    auth_failures: Arc<AuthFailures>,
}

impl ApiState {
    pub fn new(store: WarehouseStore, options: &super::ServerOptions) -> Self {
        let nonzero = |n: u32| NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            store,
            webhook: crate::runtime::notify::client(),
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_second(nonzero(options.rate_per_second))
                    .allow_burst(nonzero(options.burst)),
            )),
            auth_failures: Arc::new(AuthFailures {
                limiter: RateLimiter::keyed(Quota::per_minute(nonzero(
                    options.auth_failures_per_minute,
                ))),
                blocked: Mutex::new(HashMap::new()),
            }),
        }
    }
}

/// Failed authentications per client address: past the quota the address is answered 429
/// until the quota refills, and its tokens are not even looked at (so guessing stays slow
/// whatever the answers say).
struct AuthFailures {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl AuthFailures {
    /// Seconds the address must still wait, if it is blocked.
    fn blocked_for(&self, ip: IpAddr) -> Option<u64> {
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let until = *blocked.get(&ip)?;
        let now = Instant::now();
        (until > now).then(|| (until - now).as_secs() + 1)
    }

    /// Counts a failure; `Some(wait)` when it used up the address's quota.
    fn failed(&self, ip: IpAddr) -> Option<u64> {
        let not_until = self.limiter.check_key(&ip).err()?;
        let wait = not_until.wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ));
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if blocked.len() > 10_000 {
            blocked.retain(|_, until| *until > now);
            self.limiter.retain_recent();
        }
        blocked.insert(ip, now + wait);
        Some(wait.as_secs() + 1)
    }
}

pub fn problem(status: StatusCode, kind: &str, detail: impl Into<String>) -> Response {
    let body = Problem {
        kind: kind.to_owned(),
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        status: status.as_u16(),
        detail: detail.into(),
    };
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

pub fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = problem(
        StatusCode::TOO_MANY_REQUESTS,
        problem_type::RATE_LIMITED,
        format!("too many requests for this token; retry after {retry_after_secs} s"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// An error answer of the API (boxed: a `Response` is large, errors are the rare path).
pub struct ApiError(Box<Response>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<Response> for ApiError {
    fn from(response: Response) -> Self {
        Self(Box::new(response))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let (status, kind) = match &e {
            StoreError::Invalid(_) => (StatusCode::BAD_REQUEST, problem_type::INVALID_REQUEST),
            StoreError::OutOfStock(_) => (StatusCode::CONFLICT, problem_type::OUT_OF_STOCK),
            StoreError::PriceChanged(_) => (StatusCode::CONFLICT, problem_type::PRICE_CHANGED),
            StoreError::IdempotencyMismatch => (
                StatusCode::UNPROCESSABLE_ENTITY,
                problem_type::IDEMPOTENCY_MISMATCH,
            ),
            StoreError::NotFound => (StatusCode::NOT_FOUND, problem_type::NOT_FOUND),
            StoreError::InvalidAddress(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                problem_type::INVALID_ADDRESS,
            ),
            StoreError::Conflict(_) => (StatusCode::CONFLICT, problem_type::CONFLICT),
            StoreError::Unprocessable(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                problem_type::INVALID_REQUEST,
            ),
            StoreError::Storage(_) | StoreError::Fixture { .. } => {
                tracing::error!(error = %e, "warehouse storage error");
                (StatusCode::INTERNAL_SERVER_ERROR, problem_type::INTERNAL)
            }
        };
        problem(status, kind, e.to_string()).into()
    }
}

fn bad_request(detail: impl Into<String>) -> ApiError {
    ApiError::from(problem(
        StatusCode::BAD_REQUEST,
        problem_type::INVALID_REQUEST,
        detail,
    ))
}

/// Runs the back-end's blocking work off the async runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Storage(e.to_string()))?
        .map_err(ApiError::from)
}

/// The store the bearer token belongs to; also applies the token's rate limit.
pub struct Caller {
    pub store_id: String,
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let unauthorized = |detail: &str| {
            let mut r = problem(StatusCode::UNAUTHORIZED, problem_type::UNAUTHORIZED, detail);
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            ApiError::from(r)
        };
        let ip = super::listen::peer(&parts.extensions).map(|a| a.ip());
        if let Some(wait) = ip.and_then(|ip| state.auth_failures.blocked_for(ip)) {
            return Err(rate_limited(wait).into());
        }
        let failed = |detail: &str| match ip.and_then(|ip| state.auth_failures.failed(ip)) {
            Some(wait) => ApiError::from(rate_limited(wait)),
            None => unauthorized(detail),
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| failed("send Authorization: Bearer <token>"))?
            .to_owned();
        let store = state.store.clone();
        let lookup = token.clone();
        let store_id = blocking(move || store.store_for_token(&lookup))
            .await?
            .ok_or_else(|| failed("unknown token"))?;
        // Only known tokens get a rate-limit slot: random tokens cannot grow the table.
        if let Err(not_until) = state.limiter.check_key(&token) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(rate_limited(wait.as_secs() + 1).into());
        }
        Ok(Self { store_id })
    }
}

/// `Json` that answers malformed or unknown-field bodies with a 400 problem, not axum's text.
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                let mut r = problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    problem_type::INVALID_REQUEST,
                    "request body too large",
                );
                // The rest of the body is never read, so this connection cannot carry another
                // request: say so, or a client may send its next one into a closing socket.
                r.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                Err(ApiError::from(r))
            }
            Err(e) => Err(bad_request(e.body_text())),
        }
    }
}

/// The page asked for; the cursor is read by the back-end that issued it (a bad one is a 400).
fn page(query: Result<Query<PageQuery>, QueryRejection>) -> Result<(String, u32, bool), ApiError> {
    let Query(q) = query.map_err(|e| bad_request(e.body_text()))?;
    let cursor = q.cursor.unwrap_or_default();
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(bad_request(format!("limit must be 1 to {MAX_PAGE}")));
    }
    Ok((cursor, limit, q.count.unwrap_or(false)))
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML).into_response()
}

pub async fn catalog(
    State(state): State<ApiState>,
    _caller: Caller,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (cursor, limit, count) = page(query)?;
    let store = state.store.clone();
    let page = blocking(move || store.catalog_page(&cursor, limit, count)).await?;
    Ok(Json(page).into_response())
}

fn own_store(caller: &Caller, store_id: &str) -> Result<(), ApiError> {
    if caller.store_id == store_id {
        Ok(())
    } else {
        Err(ApiError::from(problem(
            StatusCode::FORBIDDEN,
            problem_type::FORBIDDEN,
            format!(
                "this token belongs to store {}, not {store_id}",
                caller.store_id
            ),
        )))
    }
}

pub async fn stock(
    State(state): State<ApiState>,
    caller: Caller,
    Path(store_id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let (cursor, limit, count) = page(query)?;
    let store = state.store.clone();
    let page = blocking(move || store.stock_page(&store_id, &cursor, limit, count)).await?;
    Ok(Json(page).into_response())
}

pub async fn availability(
    State(state): State<ApiState>,
    caller: Caller,
    StrictJson(req): StrictJson<AvailabilityRequest>,
) -> Result<Response, ApiError> {
    if req.gtins.is_empty() || req.gtins.len() > MAX_AVAILABILITY_GTINS {
        return Err(bad_request(format!(
            "gtins: send 1 to {MAX_AVAILABILITY_GTINS} GTINs"
        )));
    }
    let store = state.store.clone();
    let (items, locations) =
        blocking(move || store.availability(&caller.store_id, &req.gtins)).await?;
    Ok(Json(AvailabilityResponse {
        items,
        as_of: crate::db::now_rfc3339(),
        locations,
    })
    .into_response())
}

pub async fn create_order(
    State(state): State<ApiState>,
    caller: Caller,
    headers: HeaderMap,
    StrictJson(req): StrictJson<OrderRequest>,
) -> Result<Response, ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| bad_request("the Idempotency-Key header is required (1 to 200 characters)"))?
        .to_owned();
    own_store(&caller, &req.store_id)?;
    let store = state.store.clone();
    let store_id = caller.store_id;
    let outcome = blocking(move || store.create_order(&store_id, &key, &req)).await?;
    Ok(match outcome {
        OrderOutcome::Created(order) => {
            if let Some(hold) = &order.pickup {
                tell_holding_store(&state, hold.store_id.clone(), order.kiosk_order_id.clone());
            }
            (StatusCode::CREATED, Json(order)).into_response()
        }
        OrderOutcome::Replayed(order) => {
            let mut r = (StatusCode::CREATED, Json(order)).into_response();
            r.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            r
        }
    })
}

pub async fn order_status(
    State(state): State<ApiState>,
    caller: Caller,
    Path(order_id): Path<String>,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let order = blocking(move || store.order(&caller.store_id, &order_id)).await?;
    Ok(Json(order).into_response())
}

pub async fn code_email(
    State(state): State<ApiState>,
    caller: Caller,
    Path(order_id): Path<String>,
) -> Result<Response, ApiError> {
    let store = state.store.clone();
    let queued = blocking(move || store.request_code_email(&caller.store_id, &order_id)).await?;
    Ok((StatusCode::ACCEPTED, Json(queued)).into_response())
}

pub async fn associate(
    State(state): State<ApiState>,
    caller: Caller,
    Path(store_id): Path<String>,
    StrictJson(req): StrictJson<AssociateRequest>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let store = state.store.clone();
    let created = blocking(move || store.associate_request(&store_id, &req)).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Tells the holding store's counter, at its `pickup_webhook`, that a pair is held there (its
/// pick list has it either way; the webhook is a nudge, tried three times). No shopper data.
fn tell_holding_store(state: &ApiState, holding: String, code: String) {
    let store = state.store.clone();
    let http = state.webhook.clone();
    tokio::spawn(async move {
        let lookup = {
            let store = store.clone();
            let holding = holding.clone();
            blocking(move || {
                let url = store.pickup_webhook(&holding)?;
                let pickup = store
                    .pickups(&holding, false)?
                    .into_iter()
                    .find(|p| p.code == code);
                Ok((url, pickup))
            })
            .await
        };
        let Ok((Some(url), Some(pickup))) = lookup else {
            return;
        };
        let message = PickupMessage {
            event: "pickup_held",
            store_id: &holding,
            pickup: &pickup,
        };
        if let Err(e) = crate::runtime::notify::post(&http, &url, &message).await {
            tracing::warn!(store = %holding, error = %e, "pick-up webhook failed; the pick list has the hold");
        }
    });
}

/// What a store's pick-up webhook receives.
#[derive(serde::Serialize)]
struct PickupMessage<'a> {
    /// What happened (the pick-up's own `kind` says hold or arriving).
    event: &'static str,
    store_id: &'a str,
    #[serde(flatten)]
    pickup: &'a crate::warehouse::protocol::Pickup,
}

/// `?all=true`: every pick-up of the last 30 days, not only the open ones.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupQuery {
    #[serde(default)]
    all: bool,
}

/// The store's counter: holds set aside from its shelf and parcels coming to it.
pub async fn pickups(
    State(state): State<ApiState>,
    caller: Caller,
    Path(store_id): Path<String>,
    query: Result<Query<PickupQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let Query(query) = query.map_err(|e| bad_request(e.body_text()))?;
    let store = state.store.clone();
    let items = blocking(move || store.pickups(&store_id, query.all)).await?;
    Ok(Json(PickupList { items }).into_response())
}

/// The shopper showed their code at the counter and took the pair.
pub async fn collected(
    State(state): State<ApiState>,
    caller: Caller,
    Path((store_id, code)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let store = state.store.clone();
    let pickup = blocking(move || store.collect(&store_id, &code)).await?;
    Ok(Json(pickup).into_response())
}

/// A kiosk of this store reports its health.
pub async fn heartbeat(
    State(state): State<ApiState>,
    caller: Caller,
    Path((store_id, kiosk_id)): Path<(String, String)>,
    StrictJson(heartbeat): StrictJson<crate::warehouse::protocol::Heartbeat>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let store = state.store.clone();
    blocking(move || store.record_heartbeat(&store_id, &kiosk_id, &heartbeat)).await?;
    Ok(Json(crate::warehouse::protocol::HeartbeatAck {
        received_at: crate::db::now_rfc3339(),
    })
    .into_response())
}

/// A kiosk of this store sends a finished day of its analytics (again: replaces it).
pub async fn day_summary(
    State(state): State<ApiState>,
    caller: Caller,
    Path((store_id, kiosk_id)): Path<(String, String)>,
    StrictJson(summary): StrictJson<crate::warehouse::protocol::DaySummary>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let store = state.store.clone();
    blocking(move || store.record_day_summary(&store_id, &kiosk_id, &summary)).await?;
    Ok(Json(crate::warehouse::protocol::DaySummaryAck {
        received_at: crate::db::now_rfc3339(),
    })
    .into_response())
}

/// "Tell me when it is back" for a size of this store's kiosk.
pub async fn stock_alert(
    State(state): State<ApiState>,
    caller: Caller,
    Path(store_id): Path<String>,
    StrictJson(req): StrictJson<crate::warehouse::protocol::StockAlertRequest>,
) -> Result<Response, ApiError> {
    own_store(&caller, &store_id)?;
    let store = state.store.clone();
    let saved = blocking(move || store.create_stock_alert(&store_id, &req)).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

pub async fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        problem_type::NOT_FOUND,
        "no such endpoint; see /v1/openapi.yaml",
    )
}
