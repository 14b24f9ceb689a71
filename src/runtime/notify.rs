//! The associate webhook: when a shopper calls an associate or asks for a size from the
//! stockroom, a small JSON message goes to the store's own system (a chat, a pager) named by
//! `[notifications] associate_webhook`. It says where and what, never who.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde::Serialize;

use super::Runtime;
use crate::warehouse::protocol::{AssociateRequest, AssociateSize};

/// A size to bring: its GTIN and its label as the shopper saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub gtin: String,
    pub label: String,
}

/// What an associate is asked to bring: the shoe in staff's words (brand, name, colour, style
/// code) and the sizes, the chosen one first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bring {
    pub style: String,
    pub sizes: Vec<Wanted>,
}

/// Tells the store someone is wanted at the kiosk — to help (`None`) or to bring sizes — on
/// both paths at once: the warehouse's associate queue and the store's webhook. True when
/// either took it: someone was told, and that is all the shopper needs to know.
pub async fn call_associate(rt: &Runtime, bring: Option<Bring>) -> bool {
    let store = &rt.config.store;
    let first = bring.as_ref().and_then(|b| b.sizes.first());
    let call = AssociateCall {
        kind: if bring.is_some() {
            "bring_size"
        } else {
            "associate"
        },
        store_id: store.id.clone(),
        kiosk_id: store.kiosk_id.clone(),
        gtin: first.map(|w| w.gtin.clone()),
        size_label: first.map(|w| w.label.clone()),
        style: bring.as_ref().map(|b| b.style.clone()),
        also: bring
            .as_ref()
            .map(|b| b.sizes.iter().skip(1).map(|w| w.label.clone()).collect())
            .unwrap_or_default(),
        at: crate::db::now_rfc3339(),
    };
    let (style, sizes) = bring.map(|b| (b.style, b.sizes)).unwrap_or_default();
    let mut sizes = sizes.into_iter();
    let first = sizes.next();
    let request = AssociateRequest {
        gtin: first.as_ref().map(|w| w.gtin.clone()).unwrap_or_default(),
        size_label: first.map(|w| w.label).unwrap_or_default(),
        kiosk_id: store.kiosk_id.clone(),
        style,
        also: sizes
            .map(|w| AssociateSize {
                gtin: w.gtin,
                size_label: w.label,
            })
            .collect(),
    };
    let webhook = rt.config.notifications.associate_webhook.as_ref();
    let to_warehouse = rt.client.associate_request(&store.id, &request);
    let to_webhook = async {
        let Some(webhook) = webhook else {
            return false;
        };
        post(&rt.webhook, webhook.as_str(), &call)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "associate webhook failed"))
            .is_ok()
    };
    let (warehouse, webhook) = futures_util::join!(to_warehouse, to_webhook);
    if let Err(e) = &warehouse {
        tracing::warn!(error = %e.summary(), "associate request to the warehouse failed");
    }
    warehouse.is_ok() || webhook
}

/// The message, as POSTed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AssociateCall {
    /// "associate" (the shopper pressed the button) or "bring_size" (a size from stock).
    pub kind: &'static str,
    pub store_id: String,
    pub kiosk_id: String,
    /// The size asked for, for "bring_size".
    pub gtin: Option<String>,
    pub size_label: Option<String>,
    /// The shoe (brand, name, colour, style code), for "bring_size".
    pub style: Option<String>,
    /// Other sizes to bring (half a size down or up), as shown to the shopper.
    pub also: Vec<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// A client for the webhook: short timeouts, a shopper is waiting for the "on the way" line.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_default()
}

/// Why the webhook did not take a call. Its answer's body is never read: a third party's
/// error text could echo anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("cannot reach the webhook: {0}")]
    Unreachable(String),
    #[error("the webhook answered HTTP {0}")]
    Refused(u16),
}

impl WebhookError {
    /// Worth trying again: the network, or the webhook's own trouble (5xx).
    fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Refused(status) => *status >= 500,
        }
    }
}

/// POSTs `call` to `url`, retrying twice on a network error or a 5xx.
pub async fn post<T: Serialize + Sync>(
    http: &reqwest::Client,
    url: &str,
    call: &T,
) -> Result<(), WebhookError> {
    let once = || async {
        let response = http
            .post(url)
            .json(call)
            .send()
            .await
            // Without the URL: it may carry a token.
            .map_err(|e| WebhookError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(WebhookError::Refused(status.as_u16()))
        }
    };
    once.retry(
        ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(200))
            .with_max_times(2),
    )
    .when(WebhookError::is_transient)
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::http::StatusCode;

    use super::*;

    /// A webhook on 127.0.0.1 that answers with `statuses` in turn and keeps what it got.
    async fn webhook(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(statuses));
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post({
                let got = got.clone();
                move |axum::Json(body): axum::Json<serde_json::Value>| {
                    let (got, answers) = (got.clone(), answers.clone());
                    async move {
                        got.lock().unwrap().push(body);
                        let mut answers = answers.lock().unwrap();
                        let status = if answers.is_empty() {
                            200
                        } else {
                            answers.remove(0)
                        };
                        StatusCode::from_u16(status).unwrap()
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, got)
    }

    fn call() -> AssociateCall {
        AssociateCall {
            kind: "bring_size",
            store_id: "demo-store-001".into(),
            kiosk_id: "entrance".into(),
            gtin: Some("04012345001013".into()),
            size_label: Some("EU 40".into()),
            style: Some("Northwind Pace Runner · Black (NO-RUN-001)".into()),
            also: vec!["EU 40.5".into()],
            at: "2026-11-23T15:00:00Z".into(),
        }
    }

    #[tokio::test]
    async fn the_call_is_posted_as_json_and_a_5xx_is_retried() {
        let (url, got) = webhook(vec![503]).await;
        post(&client(), &url, &call()).await.unwrap();
        let got = got.lock().unwrap();
        assert_eq!(got.len(), 2, "one 503, then accepted");
        assert_eq!(got[1]["kind"], "bring_size");
        assert_eq!(got[1]["kiosk_id"], "entrance");
        assert_eq!(got[1]["size_label"], "EU 40");
        // What a shopper typed has no field to go in.
        let keys: Vec<&String> = got[1].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "also",
                "at",
                "gtin",
                "kind",
                "kiosk_id",
                "size_label",
                "store_id",
                "style"
            ]
        );
    }

    #[tokio::test]
    async fn a_refusal_is_not_retried_and_says_the_status() {
        let (url, got) = webhook(vec![404]).await;
        let error = post(&client(), &url, &call()).await.unwrap_err();
        assert_eq!(error, WebhookError::Refused(404));
        assert_eq!(error.to_string(), "the webhook answered HTTP 404");
        assert_eq!(got.lock().unwrap().len(), 1);
    }
}
