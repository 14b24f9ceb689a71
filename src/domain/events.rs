//! What shoppers did, recorded for the store's analytics — never who they were. A session is a
//! random id that lives from a shopper's first touch to the idle reset; no name, address, email
//! or typed text is ever stored here.

use rusqlite::params;

use crate::db::{Database, DbError};
use crate::domain::barcode::Gtin;

/// One thing a shopper did. The stored `kind` strings are part of the analytics format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A product was found (camera, scanner or keypad).
    Scan { gtin: Gtin, style: String },
    /// A size was chosen; `in_store` says whether the store had it. Sizes asked for but not in
    /// the store are the lost-sales report.
    SizeChosen {
        gtin: Gtin,
        style: String,
        size_mm: u32,
        in_store: bool,
    },
    /// "Bring it to me": an associate fetches it from the stockroom.
    InStoreRequest { gtin: Gtin, style: String },
    /// A dropship order was placed.
    DropshipOrder { gtin: Gtin, style: String },
    /// Ordered from the warehouse to this store, to collect here.
    ShipToStoreOrder { gtin: Gtin, style: String },
    /// Reserved from another store's shelf, to collect there.
    ReservedElsewhere { gtin: Gtin, style: String },
    /// Styles like this one in the shopper's size were shown, for `gtin` of `style`.
    SubstitutesOffered {
        gtin: Gtin,
        style: String,
        size_mm: u32,
    },
    /// The shopper opened one of them: `style` instead of `from`.
    SubstituteTaken {
        gtin: Gtin,
        style: String,
        from: String,
    },
    /// A visit converted (asked for it, ordered or reserved it) on a substitute: a lost sale
    /// saved.
    SavedBySubstitute { gtin: Gtin, style: String },
    /// The shopper left an e-mail address to hear when a size nobody had is back (the address
    /// is the warehouse's; never here).
    BackInStockRequest { gtin: Gtin, style: String },
    /// The shopper pressed "call an associate".
    AssociateCalled,
    /// The session ended at the idle reset after a scan, with no order and no request.
    WalkedAway,
    /// A code was read or typed that is not a product code or not in the catalog.
    ReadFailed { reason: ReadFailure },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFailure {
    /// Not a valid product code (check digit, format).
    Unreadable,
    /// A valid GTIN the catalog does not have.
    Unknown,
}

pub mod kind {
    pub const SCAN: &str = "scan";
    pub const SIZE_IN_STORE: &str = "size_in_store";
    pub const SIZE_MISSING: &str = "size_missing";
    pub const IN_STORE_REQUEST: &str = "in_store_request";
    pub const DROPSHIP_ORDER: &str = "dropship_order";
    pub const SHIP_TO_STORE_ORDER: &str = "ship_to_store_order";
    pub const RESERVED_ELSEWHERE: &str = "reserved_elsewhere";
    pub const ASSOCIATE_CALLED: &str = "associate_called";
    pub const SUBSTITUTES_OFFERED: &str = "substitutes_offered";
    pub const SUBSTITUTE_TAKEN: &str = "substitute_taken";
    pub const SAVED_BY_SUBSTITUTE: &str = "saved_by_substitute";
    pub const BACK_IN_STOCK_REQUEST: &str = "back_in_stock_request";
    pub const WALKED_AWAY: &str = "walked_away";
    pub const READ_FAILED: &str = "read_failed";
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Scan { .. } => kind::SCAN,
            Event::SizeChosen { in_store: true, .. } => kind::SIZE_IN_STORE,
            Event::SizeChosen {
                in_store: false, ..
            } => kind::SIZE_MISSING,
            Event::InStoreRequest { .. } => kind::IN_STORE_REQUEST,
            Event::DropshipOrder { .. } => kind::DROPSHIP_ORDER,
            Event::ShipToStoreOrder { .. } => kind::SHIP_TO_STORE_ORDER,
            Event::ReservedElsewhere { .. } => kind::RESERVED_ELSEWHERE,
            Event::AssociateCalled => kind::ASSOCIATE_CALLED,
            Event::SubstitutesOffered { .. } => kind::SUBSTITUTES_OFFERED,
            Event::SubstituteTaken { .. } => kind::SUBSTITUTE_TAKEN,
            Event::SavedBySubstitute { .. } => kind::SAVED_BY_SUBSTITUTE,
            Event::BackInStockRequest { .. } => kind::BACK_IN_STOCK_REQUEST,
            Event::WalkedAway => kind::WALKED_AWAY,
            Event::ReadFailed { .. } => kind::READ_FAILED,
        }
    }

    fn columns(&self) -> (Option<i64>, Option<&str>, Option<u32>, &str) {
        match self {
            Event::Scan { gtin, style }
            | Event::InStoreRequest { gtin, style }
            | Event::DropshipOrder { gtin, style }
            | Event::ShipToStoreOrder { gtin, style }
            | Event::ReservedElsewhere { gtin, style }
            | Event::SavedBySubstitute { gtin, style }
            | Event::BackInStockRequest { gtin, style } => {
                (Some(gtin.as_i64()), Some(style.as_str()), None, "")
            }
            Event::SizeChosen {
                gtin,
                style,
                size_mm,
                ..
            } => (
                Some(gtin.as_i64()),
                Some(style.as_str()),
                Some(*size_mm),
                "",
            ),
            Event::SubstitutesOffered {
                gtin,
                style,
                size_mm,
            } => (
                Some(gtin.as_i64()),
                Some(style.as_str()),
                Some(*size_mm),
                "",
            ),
            // The style given up for this one: which styles substitutes save.
            Event::SubstituteTaken { gtin, style, from } => (
                Some(gtin.as_i64()),
                Some(style.as_str()),
                None,
                from.as_str(),
            ),
            Event::AssociateCalled | Event::WalkedAway => (None, None, None, ""),
            Event::ReadFailed { reason } => (
                None,
                None,
                None,
                match reason {
                    ReadFailure::Unreadable => "unreadable",
                    ReadFailure::Unknown => "unknown",
                },
            ),
        }
    }
}

/// The local wall-clock time, with its offset: analytics count days and hours as the store
/// lives them (`substr(at, 1, 10)` is the store's date, `substr(at, 12, 2)` its hour).
pub fn local_now() -> String {
    jiff::Zoned::now()
        .timestamp()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Stores one event at `at` (see [`local_now`]) for `session`.
pub fn record_at(
    conn: &rusqlite::Connection,
    session: &str,
    at: &str,
    event: &Event,
) -> Result<(), DbError> {
    let (gtin, style, size_mm, detail) = event.columns();
    conn.prepare_cached(
        "INSERT INTO shopper_events (at, session, kind, gtin, style_code, size_mm, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        at,
        session,
        event.kind(),
        gtin,
        style,
        size_mm,
        detail
    ])?;
    Ok(())
}

/// Stores one event now.
pub fn record(db: &Database, session: &str, event: &Event) -> Result<(), DbError> {
    record_at(db.conn(), session, &local_now(), event)
}

/// A fresh anonymous session id.
pub fn new_session() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
