//! Dropship orders through a durable outbox. An order is written to SQLite (synchronous=FULL)
//! with a fresh idempotency key before anything is sent; the sender delivers it with that key
//! until the warehouse confirms or refuses it for good. A crash, `kill -9` or power loss at any
//! point loses nothing and, thanks to the key, never makes a second order.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use thiserror::Error;

use crate::db::{self, Database, DbError, DbHandle};
use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::{
    Address, Contact, Fulfilment, OrderLine, OrderRequest, redact_emails,
};
use crate::warehouse::{ClientError, WarehouseClient};

#[derive(Debug, Clone, Error)]
pub enum OrderError {
    #[error("{0}")]
    Invalid(String),
    #[error("no order {0} in the outbox")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What the shopper confirmed on the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    pub gtin: Gtin,
    pub quantity: u32,
    pub unit_price_cents: i64,
    pub currency: String,
    pub shipping_cents: i64,
    /// Home delivery uses the whole address; the others only its `name`.
    pub ship_to: Address,
    pub contact: Contact,
    pub fulfilment: Fulfilment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting to be sent (again).
    Pending,
    /// Being sent; after a crash it is simply sent again with the same key.
    Sending,
    Confirmed,
    /// Refused for good by the warehouse (sold out, price changed, invalid): needs staff.
    Rejected,
    /// The platform may or may not have it (no idempotency key, and an attempt whose outcome
    /// is unknown): never re-sent by itself; a manager checks the platform, then settles it
    /// (`kiosk orders settle`) or sends it again.
    NeedsChecking,
    /// Never confirmed within the retention period; the shopper's details are deleted.
    Abandoned,
}

impl OutboxStatus {
    fn from_db(s: &str) -> Self {
        match s {
            "sending" => Self::Sending,
            "confirmed" => Self::Confirmed,
            "rejected" => Self::Rejected,
            "needs_checking" => Self::NeedsChecking,
            "abandoned" => Self::Abandoned,
            _ => Self::Pending,
        }
    }

    /// The status as the CLI and logs say it.
    pub fn words(self) -> &'static str {
        match self {
            Self::Pending => "waiting to be sent",
            Self::Sending => "being sent",
            Self::Confirmed => "confirmed",
            Self::Rejected => "refused by the warehouse",
            Self::NeedsChecking => "to be checked at the platform",
            Self::Abandoned => "abandoned",
        }
    }
}

/// An outbox row as the manager sees it: no shopper details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxOrder {
    pub id: String,
    pub created_at: String,
    pub gtin: String,
    pub quantity: u32,
    pub price_cents: i64,
    pub currency: String,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub warehouse_order_id: Option<String>,
    pub confirmed_at: Option<String>,
    /// Whether the shopper's address and contact are still held.
    pub has_shopper_details: bool,
    /// A pick-up at another store: held there until then (RFC 3339).
    pub held_until: Option<String>,
}

/// A short order number a shopper can read out at the till: `K-` and 8 characters with no
/// look-alikes (no 0/O, 1/I/L).
fn order_number() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let code: String = bytes[..8]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("K-{}-{}", &code[..4], &code[4..])
}

fn validate(draft: &OrderDraft, request: &OrderRequest) -> Result<(), OrderError> {
    let missing = |what: &str| Err(OrderError::Invalid(format!("{what} is required")));
    let a = &draft.ship_to;
    if a.name.trim().is_empty() {
        return missing("the name");
    }
    if !draft.fulfilment.is_home() {
        // Collected in a store: a name and a way to reach the shopper, no street address.
        if a.line1.trim().is_empty() && a.postal_code.trim().is_empty() && a.city.trim().is_empty()
        {
            return validate_contact_and_lines(draft, request);
        }
        return Err(OrderError::Invalid(
            "an order collected in a store carries no street address".into(),
        ));
    }
    if a.line1.trim().is_empty() {
        return missing("the street address");
    }
    if a.postal_code.trim().is_empty() {
        return missing("the postal code");
    }
    if a.city.trim().is_empty() {
        return missing("the city");
    }
    if a.country.len() != 2 || !a.country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(OrderError::Invalid(
            "the country must be a two-letter code such as DE".into(),
        ));
    }
    // The warehouse refuses these too; refusing here keeps a parcel that could not arrive
    // out of the outbox. The messages name the field, not the shopper's value.
    if let Err(e) = crate::domain::address::check_postcode(&a.country, &a.postal_code) {
        return Err(OrderError::Invalid(match e {
            crate::domain::address::AddressError::UnknownCountry(_) => {
                format!("the country {} is not one we ship to", a.country)
            }
            _ => format!("the postal code is not one of {}", a.country),
        }));
    }
    validate_contact_and_lines(draft, request)
}

/// What every order needs, however it reaches the shopper.
fn validate_contact_and_lines(
    draft: &OrderDraft,
    request: &OrderRequest,
) -> Result<(), OrderError> {
    if draft.contact.email.trim().is_empty() && draft.contact.phone.trim().is_empty() {
        return Err(OrderError::Invalid(
            "an email address or a phone number is required".into(),
        ));
    }
    if !draft.contact.email.trim().is_empty()
        && crate::domain::address::check_email(&draft.contact.email).is_err()
    {
        return Err(OrderError::Invalid("the email address is not one".into()));
    }
    if draft.quantity == 0 || draft.quantity > 10 {
        return Err(OrderError::Invalid("the quantity must be 1 to 10".into()));
    }
    request.check_shopper_text().map_err(OrderError::Invalid)?;
    if request.total_cents().is_none_or(|t| t < 0) || draft.shipping_cents < 0 {
        return Err(OrderError::Invalid(
            "the order's total is out of range".into(),
        ));
    }
    Ok(())
}

/// Writes the order to the outbox and returns it. Nothing is sent here.
pub fn enqueue(
    db: &mut Database,
    store_id: &str,
    draft: &OrderDraft,
) -> Result<OutboxOrder, OrderError> {
    let id = order_number();
    let key = uuid::Uuid::new_v4().to_string();
    let request = OrderRequest {
        store_id: store_id.to_owned(),
        kiosk_order_id: id.clone(),
        lines: vec![OrderLine {
            gtin: draft.gtin.to_string(),
            quantity: draft.quantity,
            unit_price_cents: draft.unit_price_cents,
        }],
        currency: draft.currency.clone(),
        shipping_cents: draft.shipping_cents,
        ship_to: draft.ship_to.clone(),
        contact: draft.contact.clone(),
        fulfilment: draft.fulfilment.clone(),
    };
    validate(draft, &request)?;
    let payload = serde_json::to_string(&request)
        .map_err(|e| OrderError::Invalid(format!("the order cannot be written down: {e}")))?;
    let now = db::now_rfc3339();
    db.conn().execute(
        "INSERT INTO order_outbox (id, idempotency_key, created_at, gtin, quantity, price_cents,
                                   currency, shopper, status, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?3)",
        params![id, key, now, draft.gtin.as_i64(), draft.quantity, draft.unit_price_cents, draft.currency, payload],
    ).map_err(DbError::from)?;
    get(db, &id)
}

const COLUMNS: &str = "id, created_at, gtin, quantity, price_cents, currency, status, attempts,
                       next_attempt_at, last_error, warehouse_order_id, confirmed_at,
                       shopper IS NOT NULL, held_until";

fn row(r: &rusqlite::Row) -> rusqlite::Result<OutboxOrder> {
    let status: String = r.get(6)?;
    Ok(OutboxOrder {
        id: r.get(0)?,
        created_at: r.get(1)?,
        gtin: format!("{:014}", r.get::<_, i64>(2)?),
        quantity: r.get(3)?,
        price_cents: r.get(4)?,
        currency: r.get(5)?,
        status: OutboxStatus::from_db(&status),
        attempts: r.get(7)?,
        next_attempt_at: r.get(8)?,
        last_error: r.get(9)?,
        warehouse_order_id: r.get(10)?,
        confirmed_at: r.get(11)?,
        has_shopper_details: r.get(12)?,
        held_until: r.get(13)?,
    })
}

pub fn get(db: &Database, id: &str) -> Result<OutboxOrder, OrderError> {
    db.conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM order_outbox WHERE id = ?1"),
            [id],
            row,
        )
        .optional()
        .map_err(DbError::from)?
        .ok_or_else(|| OrderError::NotFound(id.to_owned()))
}

/// An order with what it was for, as the manager reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecentOrder {
    pub order: OutboxOrder,
    /// Brand and name of the style, while the catalog still has the size.
    pub item: Option<String>,
    pub size_mm: Option<u16>,
}

/// The newest `limit` orders of every status, with their style and size: "where is my
/// order?" answered at the kiosk.
pub fn recent(db: &Database, limit: usize) -> Result<Vec<RecentOrder>, DbError> {
    with_items(db, "", "", limit)
}

/// Orders whose kiosk or warehouse number contains `number`, newest first. Case, dashes and
/// spaces do not matter ("k7qf2" finds K-7QF2-M9XD): it is read out, typed or scanned.
/// Fewer than two letters or digits find nothing.
pub fn find(db: &Database, number: &str, limit: usize) -> Result<Vec<RecentOrder>, DbError> {
    let wanted = normalise_number(number);
    if wanted.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let norm =
        |column: &str| format!("replace(replace(upper(coalesce({column}, '')), '-', ''), ' ', '')");
    // instr, not LIKE: a '%' or '_' typed is a character, not a pattern.
    let filter = format!(
        "WHERE instr({}, ?2) > 0 OR instr({}, ?2) > 0",
        norm("o.id"),
        norm("o.warehouse_order_id")
    );
    with_items(db, &filter, &wanted, limit)
}

/// An order number as compared: upper case, letters and digits only.
fn normalise_number(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn with_items(
    db: &Database,
    filter: &str,
    wanted: &str,
    limit: usize,
) -> Result<Vec<RecentOrder>, DbError> {
    let qualified: Vec<String> = COLUMNS
        .split(',')
        .map(|c| format!("o.{}", c.trim()))
        .collect();
    let mut stmt = db.conn().prepare(&format!(
        "SELECT {}, s.brand || ' ' || s.name, v.size_mm
           FROM order_outbox AS o
           LEFT JOIN variants AS v ON v.gtin = CAST(o.gtin AS INTEGER)
           LEFT JOIN styles AS s ON s.id = v.style_id
          {filter}
          ORDER BY o.created_at DESC, o.id
          LIMIT ?1",
        qualified.join(", ")
    ))?;
    let map = |r: &rusqlite::Row<'_>| {
        Ok(RecentOrder {
            order: row(r)?,
            item: r.get(14)?,
            size_mm: r.get(15)?,
        })
    };
    let rows = if filter.is_empty() {
        stmt.query_map(rusqlite::params![limit as i64], map)?
            .collect::<Result<_, _>>()?
    } else {
        stmt.query_map(rusqlite::params![limit as i64, wanted], map)?
            .collect::<Result<_, _>>()?
    };
    Ok(rows)
}

/// Every order, newest first.
pub fn list(db: &Database) -> Result<Vec<OutboxOrder>, DbError> {
    let mut stmt = db.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM order_outbox ORDER BY created_at DESC, id"
    ))?;
    let orders = stmt.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(orders)
}

/// Makes an order due now: a pending one, a refused one staff want to try again, or one that
/// needs checking after staff found it is not at the platform (this is the decision to send it
/// again). Confirmed and abandoned orders cannot be sent.
pub fn retry_now(db: &Database, id: &str) -> Result<OutboxOrder, OrderError> {
    let changed = db
        .conn()
        .execute(
            "UPDATE order_outbox SET status = 'pending', next_attempt_at = ?2, finished_at = NULL
              WHERE id = ?1 AND status NOT IN ('confirmed', 'abandoned') AND shopper IS NOT NULL",
            params![id, db::now_rfc3339()],
        )
        .map_err(DbError::from)?;
    let order = get(db, id)?;
    if changed == 0 {
        return Err(OrderError::Invalid(format!(
            "order {id} cannot be sent again: it is {}",
            order.status.words()
        )));
    }
    Ok(order)
}

/// Records what a manager found at the platform for an order that needs checking: it is there
/// under `warehouse_order_id`, so it is confirmed and never sent again.
pub fn settle(
    db: &Database,
    id: &str,
    warehouse_order_id: &str,
) -> Result<OutboxOrder, OrderError> {
    let platform_id = warehouse_order_id.trim();
    if platform_id.is_empty() || platform_id.chars().any(char::is_control) {
        return Err(OrderError::Invalid(
            "give the platform's order number as it shows it".into(),
        ));
    }
    let now = db::now_rfc3339();
    let changed = db
        .conn()
        .execute(
            "UPDATE order_outbox SET status = 'confirmed', warehouse_order_id = ?2,
                    confirmed_at = ?3, finished_at = ?3, next_attempt_at = NULL,
                    last_error = NULL
              WHERE id = ?1 AND status IN ('needs_checking', 'pending', 'rejected')",
            params![id, platform_id, now],
        )
        .map_err(DbError::from)?;
    let order = get(db, id)?;
    if changed == 0 {
        return Err(OrderError::Invalid(format!(
            "order {id} is {}: there is nothing to settle",
            order.status.words()
        )));
    }
    Ok(order)
}

/// What one purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Finished orders (confirmed, refused) whose shopper details were deleted.
    pub details_deleted: u64,
    /// Orders never confirmed within the retention period, now abandoned.
    pub abandoned: u64,
}

/// Deletes every copy of shopper details past `retention_days`: those of orders finished
/// (confirmed, refused) that long ago, and of orders still not confirmed that long after they
/// were placed (abandoned: a manager sees them, without the details). The file is
/// checkpointed afterwards so the deleted text leaves the write-ahead log too (with
/// `secure_delete` it is overwritten in the database file itself).
pub fn purge_shopper_details(db: &Database, retention_days: u32) -> Result<Purged, DbError> {
    let cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * i64::from(retention_days),
        ))
        .map_or_else(|_| String::new(), |t| t.to_string());
    let details_deleted = db.conn().execute(
        "UPDATE order_outbox SET shopper = NULL
          WHERE status IN ('confirmed', 'rejected') AND shopper IS NOT NULL
            AND julianday(coalesce(finished_at, created_at)) <= julianday(?1)",
        [&cutoff],
    )? as u64;
    // An order still not confirmed gets at least a day: retention 0 must not abandon an order
    // the moment the warehouse is away.
    let abandon_cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * i64::from(retention_days.max(1)),
        ))
        .map_or_else(|_| String::new(), |t| t.to_string());
    let abandoned = db.conn().execute(
        "UPDATE order_outbox SET shopper = NULL, status = 'abandoned', finished_at = ?2,
                next_attempt_at = NULL,
                last_error = 'not confirmed within the retention period; the shopper''s details were deleted'
          WHERE status IN ('pending', 'sending', 'needs_checking')
            AND julianday(created_at) <= julianday(?1)",
        params![abandon_cutoff, db::now_rfc3339()],
    )? as u64;
    if details_deleted + abandoned > 0 {
        db.conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(Purged {
        details_deleted,
        abandoned,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    pub confirmed: Vec<String>,
    pub rejected: Vec<String>,
    /// Still pending after a transient failure; they are retried later.
    pub deferred: Vec<String>,
    /// Their fate at a platform without idempotency keys is unknown: a manager checks.
    pub needs_checking: Vec<String>,
}

/// When a deferred order is tried again: exponential with jitter, from 5 s to 10 minutes.
fn next_attempt_delay(attempts: u32) -> std::time::Duration {
    use backon::BackoffBuilder;
    backon::ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_secs(5))
        .with_max_delay(std::time::Duration::from_secs(600))
        .with_jitter()
        .without_max_times()
        .build()
        .nth(attempts.saturating_sub(1) as usize)
        .unwrap_or(std::time::Duration::from_secs(600))
}

/// How one attempt ended, as the outbox records it.
enum Outcome {
    /// The warehouse's order id, and until when a pick-up is held.
    Confirmed(String, Option<String>),
    Rejected(String),
    Deferred(String, u32),
    NeedsChecking(String),
}

async fn record(db: &DbHandle, id: &str, outcome: Outcome) -> Result<(), DbError> {
    let id = id.to_owned();
    db.call(move |db| {
        let now = db::now_rfc3339();
        match outcome {
            Outcome::Confirmed(warehouse_id, held_until) => db.conn().execute(
                "UPDATE order_outbox SET status = 'confirmed', warehouse_order_id = ?2,
                        confirmed_at = ?3, finished_at = ?3, last_error = NULL,
                        next_attempt_at = NULL, held_until = ?4
                  WHERE id = ?1",
                params![id, warehouse_id, now, held_until],
            )?,
            Outcome::Rejected(detail) => db.conn().execute(
                "UPDATE order_outbox SET status = 'rejected', last_error = ?2,
                        next_attempt_at = NULL, finished_at = ?3
                  WHERE id = ?1",
                params![id, detail, now],
            )?,
            Outcome::Deferred(detail, attempts) => {
                let next = jiff::Timestamp::now()
                    .checked_add(next_attempt_delay(attempts))
                    .map_or_else(
                        |_| now.clone(),
                        |t| {
                            t.round(jiff::Unit::Second)
                                .map_or_else(|_| t.to_string(), |t| t.to_string())
                        },
                    );
                db.conn().execute(
                    "UPDATE order_outbox SET status = 'pending', last_error = ?2,
                            next_attempt_at = ?3
                      WHERE id = ?1",
                    params![id, detail, next],
                )?
            }
            Outcome::NeedsChecking(detail) => db.conn().execute(
                "UPDATE order_outbox SET status = 'needs_checking', last_error = ?2,
                        next_attempt_at = NULL
                  WHERE id = ?1",
                params![id, detail],
            )?,
        };
        Ok(())
    })
    .await
}

/// The words kept with an order whose fate is unknown: what happened and what to do.
fn needs_checking_words(id: &str, what: &str) -> String {
    format!(
        "{what}; the platform may or may not have this order and takes no idempotency key, so \
         it is not sent again by itself. Look for kiosk order {id} at the platform: if it is \
         there, `kiosk orders settle {id} PLATFORM-ORDER-ID`; if not, send it again (Retry)"
    )
}

/// Sends every order that is due (pending with its time come, or left "sending" by a crash).
/// `all` ignores the schedule (the manager's "retry now").
///
/// Error texts are kept and logged only after the order's own shopper values are redacted
/// from them: a platform's answer may echo the name and address it was sent.
pub async fn send_due(
    db: &DbHandle,
    client: &WarehouseClient,
    all: bool,
) -> Result<SendReport, DbError> {
    let now = db::now_rfc3339();
    let due: Vec<(String, String, String, String)> = db
        .call(move |db| {
            let mut stmt = db.conn().prepare(
                "SELECT id, idempotency_key, shopper, status FROM order_outbox
                  WHERE status IN ('pending', 'sending') AND shopper IS NOT NULL
                    AND (?2 OR next_attempt_at IS NULL OR next_attempt_at <= ?1)
                  ORDER BY created_at",
            )?;
            let rows = stmt
                .query_map(params![now, all], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await?;
    let idempotent = client.orders_are_idempotent();
    let mut report = SendReport::default();
    for (id, key, payload, status) in due {
        let request: OrderRequest = match serde_json::from_str(&payload) {
            Ok(r) => r,
            Err(e) => {
                let detail = format!("the stored order cannot be read: {e}");
                record(db, &id, Outcome::Rejected(redact_emails(&detail))).await?;
                report.rejected.push(id);
                continue;
            }
        };
        if status == "sending" && !idempotent {
            // The kiosk stopped while this was being sent to a platform that cannot recognise
            // a repeat: whether it arrived is unknown.
            let words = needs_checking_words(&id, "the kiosk stopped while sending it");
            tracing::warn!(order = %id, "order interrupted while sending; needs checking");
            record(db, &id, Outcome::NeedsChecking(words)).await?;
            report.needs_checking.push(id);
            continue;
        }
        // Mark first: a crash from here on leaves "sending", which is simply sent again.
        let marked = id.clone();
        let attempts: u32 = db
            .call(move |db| {
                Ok(db.conn().query_row(
                    "UPDATE order_outbox SET status = 'sending', attempts = attempts + 1
                      WHERE id = ?1 RETURNING attempts",
                    [marked],
                    |r| r.get(0),
                )?)
            })
            .await?;
        match client.create_order(&key, &request).await {
            Ok(confirmed) => {
                tracing::info!(order = %id, warehouse_order = %confirmed.order_id, "order confirmed");
                let held_until = confirmed.pickup.map(|hold| hold.expires_at);
                record(db, &id, Outcome::Confirmed(confirmed.order_id, held_until)).await?;
                report.confirmed.push(id);
            }
            Err(ClientError::Rejected(problem)) => {
                let detail =
                    request.redact(&format!("HTTP {}: {}", problem.status, problem.detail));
                tracing::warn!(order = %id, status = problem.status, kind = %problem.kind, detail = %detail, "order refused by the warehouse");
                record(db, &id, Outcome::Rejected(detail)).await?;
                report.rejected.push(id);
            }
            Err(e @ ClientError::Mapping(_)) if !e.outcome_unknown() => {
                // The request could not be made (a template or header fault): permanent.
                let detail = request.redact(&e.to_string());
                tracing::warn!(order = %id, error = %detail, "order cannot be sent as configured");
                record(db, &id, Outcome::Rejected(detail)).await?;
                report.rejected.push(id);
            }
            Err(e) if e.outcome_unknown() && !idempotent => {
                let detail = request.redact(&e.to_string());
                tracing::warn!(order = %id, error = %detail, "order outcome unknown; needs checking");
                record(
                    db,
                    &id,
                    Outcome::NeedsChecking(needs_checking_words(&id, &detail)),
                )
                .await?;
                report.needs_checking.push(id);
            }
            Err(e) => {
                let detail = request.redact(&e.to_string());
                tracing::info!(order = %id, error = %detail, "order not sent yet; will retry");
                record(db, &id, Outcome::Deferred(detail, attempts)).await?;
                report.deferred.push(id);
            }
        }
    }
    Ok(report)
}

/// Sends due orders every `interval` and purges old shopper details, until `stop` fires.
pub async fn run_sender(
    db: DbHandle,
    client: WarehouseClient,
    interval: std::time::Duration,
    retention_days: u32,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    crate::runtime::periodic::every(interval, stop, || async {
        if let Err(e) = send_due(&db, &client, false).await {
            tracing::warn!(error = %e, "order sender: database error");
        }
        if let Err(e) = db
            .call(move |db| purge_shopper_details(db, retention_days))
            .await
        {
            tracing::warn!(error = %e, "order sender: purge failed");
        }
    })
    .await;
}
