//! Faults the reference server can be told to inject, so tests exercise the client against a
//! real HTTP server that misbehaves the way real ones do. Only the library API (tests) queues
//! faults; `kiosk warehouse serve` never does.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a problem body, without running the handler.
    Status(u16),
    /// `429 Too Many Requests` with `Retry-After: secs`.
    RateLimited { retry_after_secs: u64 },
    /// `200` with a body that is not JSON.
    MalformedJson,
    /// Run the handler, then send only the first half of its body and drop the connection.
    Truncate,
    /// Wait before running the handler (client timeouts).
    Delay(Duration),
    /// Run the handler (its changes commit), then wait before answering.
    DelayAfter(Duration),
}

/// Faults for upcoming requests, matched by path prefix, each used once, in order.
#[derive(Clone, Default)]
pub struct Faults {
    queue: Arc<Mutex<VecDeque<(String, Fault)>>>,
}

impl Faults {
    /// The next request whose path starts with `path_prefix` gets `fault`.
    pub fn push(&self, path_prefix: &str, fault: Fault) {
        self.lock().push_back((path_prefix.to_owned(), fault));
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(String, Fault)>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self, path: &str) -> Option<Fault> {
        let mut queue = self.lock();
        let index = queue
            .iter()
            .position(|(prefix, _)| path.starts_with(prefix.as_str()))?;
        queue.remove(index).map(|(_, fault)| fault)
    }
}

pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let Some(fault) = faults.take(request.uri().path()) else {
        return next.run(request).await;
    };
    tracing::debug!(?fault, path = request.uri().path(), "injecting fault");
    match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            super::api::problem(
                status,
                crate::warehouse::protocol::problem_type::INTERNAL,
                "injected fault",
            )
        }
        Fault::RateLimited { retry_after_secs } => super::api::rate_limited(retry_after_secs),
        Fault::MalformedJson => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            "{\"items\": [ {\"gtin\": ",
        )
            .into_response(),
        Fault::Truncate => {
            let response = next.run(request).await;
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            // Promise the whole length, send half, then fail the stream: hyper drops the
            // connection mid-body, as a crashed proxy would.
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            let stream = futures_util::stream::iter(vec![
                Ok::<Bytes, std::io::Error>(half),
                Err(std::io::Error::other("connection dropped (injected)")),
            ]);
            Response::from_parts(parts, Body::from_stream(stream))
        }
        Fault::Delay(wait) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        Fault::DelayAfter(wait) => {
            let response = next.run(request).await;
            tokio::time::sleep(wait).await;
            response
        }
    }
}
