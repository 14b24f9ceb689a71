//! The warehouse's rules that are not storage, once for both back-ends: what a valid order,
//! token, store, heartbeat or request is, the demo files, how other stores are ranked, and the
//! answers built from what a back-end read.

use std::collections::HashMap;
use std::path::Path;

use super::{DELIVERY_DAYS, Policy, StoreError};
use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::{
    Address, AssociateRequest, Contact, FleetKiosk, Heartbeat, Location, MAX_STORES_PER_SIZE,
    OrderRequest, OrderResponse, OrderState, PickUpHold, StockAlertRequest, StoreQuantity,
    StyleRecord,
};

/// A short random public name for a token (`tok-` and 8 hex digits).
pub fn new_token_id() -> String {
    format!("tok-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

/// Tokens must be long enough not to be guessed, and printable (they travel in a header).
pub fn check_token(token: &str) -> Result<(), StoreError> {
    if token.len() < 16 || token.len() > 512 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(StoreError::Invalid(
            "a token must be 16 to 512 printable characters without spaces".into(),
        ));
    }
    Ok(())
}

pub fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

pub fn text_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The found hash equals the sent token's, compared in constant time.
pub fn same_hash(stored: &[u8], hash: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(stored.ct_eq(hash))
}

/// The last use is kept to the minute: enough to see a token nobody uses, without a write per
/// request.
pub fn last_use_is_stale(last_used: Option<&str>, now: &str) -> bool {
    last_used.map(|t| &t[..t.len().min(16)]) != Some(&now[..now.len().min(16)])
}

pub fn now() -> String {
    crate::db::now_rfc3339()
}

/// `now` less `hours`, as the RFC 3339 text timestamps are stored.
pub fn hours_ago(hours: i64) -> String {
    jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(hours))
        .unwrap_or(jiff::Timestamp::MIN)
        .to_string()
}

pub fn gtin_text(raw: i64) -> String {
    format!("{raw:014}")
}

pub fn parse_gtin(text: &str) -> Result<Gtin, StoreError> {
    text.parse::<Gtin>()
        .map_err(|e| StoreError::Invalid(format!("gtin {text:?}: {e}")))
}

pub fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Storage(e.to_string()))
}

pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Storage(e.to_string()))
}

pub fn delivery_estimate(days: u32) -> Option<String> {
    let today = jiff::Zoned::now().date();
    let mut date = today;
    let mut left = days;
    while left > 0 {
        date = date.tomorrow().ok()?;
        if !matches!(
            date.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            left -= 1;
        }
    }
    Some(date.to_string())
}

/// An id that travels in URLs: 1-64 letters, digits, '-' or '_'.
pub fn is_path_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A store must have an id that travels in URLs and a name a shopper can read.
pub fn check_location(l: &Location) -> Result<(), StoreError> {
    let bad = |what: String| {
        Err(StoreError::Invalid(format!(
            "store {:?}: {what}",
            l.store_id
        )))
    };
    if !is_path_id(&l.store_id) {
        return bad("the id must be 1-64 letters, digits, '-' or '_'".into());
    }
    for (field, value, max) in [("name", &l.name, 80), ("address", &l.address, 200)] {
        if value.trim().is_empty() || value.chars().count() > max {
            return bad(format!("{field} must be 1-{max} characters"));
        }
        if value.chars().any(char::is_control) {
            return bad(format!("{field} must be one line of text"));
        }
    }
    if (l.latitude.is_some() || l.longitude.is_some()) && l.position().is_none() {
        return bad(
            "latitude must be -90 to 90 and longitude -180 to 180, both given (degrees)".into(),
        );
    }
    Ok(())
}

/// A store to add, and where its counter is told of holds.
pub type StoreRow = (Location, Option<String>);

/// The stores of a CSV file with the columns `store_id,name,address,latitude,longitude` (the
/// two last may be empty) and optionally `pickup_webhook`; a bad row is named by its line.
pub fn read_stores_csv(file: &Path) -> Result<Vec<StoreRow>, StoreError> {
    let fixture = |message: String| StoreError::Fixture {
        file: file.display().to_string(),
        message,
    };
    /// A row of the file: the store as shoppers find it, and where its counter is told.
    #[derive(serde::Deserialize)]
    struct Row {
        store_id: String,
        name: String,
        address: String,
        latitude: Option<f64>,
        longitude: Option<f64>,
        #[serde(default)]
        pickup_webhook: Option<String>,
    }
    let mut reader = csv::Reader::from_path(file).map_err(|e| fixture(e.to_string()))?;
    let mut rows = Vec::new();
    for (index, row) in reader.deserialize::<Row>().enumerate() {
        let line = index + 2;
        let row = row.map_err(|e| fixture(format!("line {line}: {e}")))?;
        let location = Location {
            store_id: row.store_id,
            name: row.name,
            address: row.address,
            latitude: row.latitude,
            longitude: row.longitude,
        };
        check_location(&location).map_err(|e| fixture(format!("line {line}: {e}")))?;
        let webhook = row.pickup_webhook.filter(|w| !w.trim().is_empty());
        if let Some(w) = &webhook {
            let parsed = url::Url::parse(w.trim()).ok();
            if !parsed.is_some_and(|u| matches!(u.scheme(), "http" | "https")) {
                return Err(fixture(format!(
                    "line {line}: pickup_webhook is not an http(s) URL"
                )));
            }
        }
        rows.push((location, webhook));
    }
    Ok(rows)
}

/// The demo catalog and stock: `styles.csv`, `variants.csv`, `warehouse_stock.csv` and (as
/// the own store's shelf) `store_stock.csv`.
pub struct Seed {
    pub styles: Vec<StyleRecord>,
    /// gtin, style, size in mm, width.
    pub variants: Vec<(i64, String, i64, String)>,
    /// gtin, quantity at the distribution centre.
    pub dc: Vec<(i64, i64)>,
    /// gtin, quantity, updated at.
    pub shelf: Vec<(i64, i64, String)>,
}

pub fn read_seed(dir: &Path) -> Result<Seed, StoreError> {
    let read = |name: &str| -> Result<Vec<csv::StringRecord>, StoreError> {
        let file = dir.join(name);
        let fixture = |message: String| StoreError::Fixture {
            file: file.display().to_string(),
            message,
        };
        let mut reader = csv::Reader::from_path(&file).map_err(|e| fixture(e.to_string()))?;
        reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fixture(e.to_string()))
    };
    let translations =
        crate::domain::seed::read_style_texts(dir).map_err(|e| StoreError::Fixture {
            file: dir.join("style_texts.csv").display().to_string(),
            message: e.to_string(),
        })?;
    let styles = read("styles.csv")?
        .iter()
        .map(|s| StyleRecord {
            style_code: s[0].to_owned(),
            brand: s[1].to_owned(),
            name: s[2].to_owned(),
            colour: s[3].to_owned(),
            gender: s[4].to_owned(),
            price_cents: s[5].parse::<i64>().unwrap_or(0),
            currency: s[6].to_owned(),
            image: s[7].to_owned(),
            description: s[8].to_owned(),
            fit_note: s[9].to_owned(),
            translations: translations.get(&s[0]).cloned().unwrap_or_default(),
            // Optional columns, after the others: category, colour family, tags.
            category: s.get(10).unwrap_or_default().to_owned(),
            colour_family: s.get(11).unwrap_or_default().to_owned(),
            tags: crate::domain::substitutes::split_tags(s.get(12).unwrap_or_default()),
        })
        .collect();
    let variants = read("variants.csv")?
        .iter()
        .map(|v| {
            Ok((
                parse_gtin(&v[0])?.as_i64(),
                v[1].to_owned(),
                v[2].parse::<i64>().unwrap_or(0),
                v[3].to_owned(),
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    let dc = read("warehouse_stock.csv")?
        .iter()
        .map(|d| {
            Ok((
                parse_gtin(&d[0])?.as_i64(),
                d[1].parse::<i64>().unwrap_or(0),
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    let shelf = read("store_stock.csv")?
        .iter()
        .map(|s| {
            Ok((
                parse_gtin(&s[0])?.as_i64(),
                s[1].parse::<i64>().unwrap_or(0),
                s[2].to_owned(),
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Seed {
        styles,
        variants,
        dc,
        shelf,
    })
}

/// The other stores' shelves of the demo (`chain_stock.csv`, optional): store, gtin, quantity;
/// `own_store`'s rows are left out (its shelf is `store_stock.csv`).
pub fn read_chain_shelves(
    dir: &Path,
    own_store: &str,
) -> Result<Vec<(String, i64, u32)>, StoreError> {
    #[derive(serde::Deserialize)]
    struct Shelf {
        store_id: String,
        gtin: String,
        quantity: u32,
    }
    let file = dir.join("chain_stock.csv");
    if !file.exists() {
        return Ok(Vec::new());
    }
    let fixture = |message: String| StoreError::Fixture {
        file: file.display().to_string(),
        message,
    };
    let shelves: Vec<Shelf> = csv::Reader::from_path(&file)
        .and_then(|mut r| r.deserialize().collect::<Result<_, _>>())
        .map_err(|e| fixture(e.to_string()))?;
    shelves
        .into_iter()
        .filter(|s| s.store_id != own_store)
        .map(|s| {
            let gtin = parse_gtin(&s.gtin).map_err(|e| fixture(e.to_string()))?;
            Ok((s.store_id, gtin.as_i64(), s.quantity))
        })
        .collect()
}

/// Nearest stores kept per store: enough that the 5 an answer names are almost always among
/// them (a size fewer of them hold is looked up across every shelf instead).
pub const NEIGHBOURS: usize = 30;

/// Each placed store's [`NEIGHBOURS`] nearest placed stores, in the order availability answers
/// rank them (whole metres, then id): (store, rank, neighbour, metres).
pub fn nearest_neighbours(stores: &[Location]) -> Vec<(String, i64, String, i64)> {
    let placed: Vec<(&str, crate::domain::geo::Position)> = stores
        .iter()
        .filter_map(|l| l.position().map(|p| (l.store_id.as_str(), p)))
        .collect();
    let mut rows = Vec::new();
    for (id, here) in &placed {
        let mut near: Vec<(i64, &str)> = placed
            .iter()
            .filter(|(other, _)| other != id)
            .map(|(other, there)| ((here.distance_km(*there) * 1000.0).round() as i64, *other))
            .collect();
        near.sort_unstable();
        for (rank, (metres, other)) in near.into_iter().take(NEIGHBOURS).enumerate() {
            rows.push(((*id).to_owned(), rank as i64, other.to_owned(), metres));
        }
    }
    rows
}

/// Other stores with a size, nearest to `from` first (stores nobody placed last, by id), at
/// most [`MAX_STORES_PER_SIZE`].
pub fn rank_shelves(
    mut on_shelves: Vec<StoreQuantity>,
    from: Option<crate::domain::geo::Position>,
    stores: &HashMap<String, Location>,
) -> Vec<StoreQuantity> {
    for q in &mut on_shelves {
        let there = stores.get(&q.store_id).and_then(Location::position);
        q.distance_m = from
            .zip(there)
            .map(|(a, b)| (a.distance_km(b) * 1000.0).round() as u32);
    }
    on_shelves.sort_by(|a, b| {
        (a.distance_m.is_none(), a.distance_m, &a.store_id).cmp(&(
            b.distance_m.is_none(),
            b.distance_m,
            &b.store_id,
        ))
    });
    on_shelves.truncate(MAX_STORES_PER_SIZE);
    on_shelves
}

/// The request as kept with the order: the shopper's details blanked (they live in
/// `order_shoppers` until their retention ends).
pub fn without_shopper(req: &OrderRequest) -> OrderRequest {
    let mut kept = req.clone();
    kept.ship_to = Address {
        name: String::new(),
        line1: String::new(),
        line2: String::new(),
        postal_code: String::new(),
        city: String::new(),
        country: req.ship_to.country.clone(),
    };
    kept.contact = Contact {
        email: String::new(),
        phone: String::new(),
    };
    kept
}

/// Reads an order request body as the server does, and checks it as far as it can without
/// a catalog (the fuzz target drives this; bad bytes are an error, never a panic).
pub fn check_order_body(body: &[u8]) -> Result<i64, StoreError> {
    let req: OrderRequest =
        serde_json::from_slice(body).map_err(|e| StoreError::Invalid(e.to_string()))?;
    validate_order(&req)?;
    let _ = req.redact(&String::from_utf8_lossy(body));
    req.total_cents()
        .ok_or_else(|| StoreError::Invalid("the order's total is out of range".into()))
}

pub fn validate_order(req: &OrderRequest) -> Result<(), StoreError> {
    let bad = |m: &str| Err(StoreError::Invalid(m.to_owned()));
    if req.lines.is_empty() {
        return bad("lines: an order needs at least one line");
    }
    if req.lines.iter().any(|l| l.quantity == 0 || l.quantity > 10) {
        return bad("lines[].quantity: must be 1 to 10");
    }
    let a = &req.ship_to;
    if a.country.len() != 2 || !a.country.chars().all(|c| c.is_ascii_uppercase()) {
        return bad("ship_to.country: an ISO 3166-1 alpha-2 code such as \"DE\"");
    }
    if req.fulfilment.is_home() {
        for (field, value) in [
            ("ship_to.name", &a.name),
            ("ship_to.line1", &a.line1),
            ("ship_to.postal_code", &a.postal_code),
            ("ship_to.city", &a.city),
        ] {
            // Well-formed, but no parcel could arrive.
            if value.trim().is_empty() {
                return Err(StoreError::InvalidAddress(format!(
                    "{field}: required for home delivery"
                )));
            }
        }
    } else {
        // Collected in a store: the shopper's name and a contact, never a street address
        // (nothing is kept that the order does not need).
        if a.name.trim().is_empty() {
            return bad("ship_to.name: required");
        }
        if [&a.line1, &a.line2, &a.postal_code, &a.city]
            .iter()
            .any(|v| !v.is_empty())
        {
            return Err(StoreError::InvalidAddress(
                "ship_to: an order collected in a store carries only a name (and the store's country)"
                    .into(),
            ));
        }
    }
    if req.contact.email.trim().is_empty() && req.contact.phone.trim().is_empty() {
        return bad("contact: an email or a phone number is required");
    }
    // The same rules as the kiosk's form (it must not be trusted to have used them). The
    // message names the field, never the value: it may be logged.
    if req.fulfilment.is_home() {
        crate::domain::address::check_postcode(&a.country, &a.postal_code).map_err(|e| {
            StoreError::InvalidAddress(match e {
                crate::domain::address::AddressError::UnknownCountry(_) => {
                    "ship_to.country: not a country this warehouse ships to".to_owned()
                }
                _ => format!(
                    "ship_to.postal_code: not a postcode of {} (for example {})",
                    a.country,
                    crate::domain::address::country(&a.country).map_or("", |c| c.example())
                ),
            })
        })?;
    }
    if !req.contact.email.trim().is_empty()
        && crate::domain::address::check_email(&req.contact.email).is_err()
    {
        return Err(StoreError::InvalidAddress(
            "contact.email: not an e-mail address".into(),
        ));
    }
    if req.kiosk_order_id.trim().is_empty()
        || req.kiosk_order_id.chars().count() > 64
        || req.kiosk_order_id.chars().any(char::is_control)
    {
        return bad("kiosk_order_id: 1 to 64 characters, no control characters");
    }
    if req.currency.len() != 3 || !req.currency.chars().all(|c| c.is_ascii_uppercase()) {
        return bad("currency: an ISO 4217 code such as \"EUR\"");
    }
    if req.lines.len() > 20 {
        return bad("lines: at most 20 lines");
    }
    req.check_shopper_text().map_err(StoreError::Invalid)?;
    Ok(())
}

/// Shipping the order must carry: the policy's for home delivery, nothing for a store.
pub fn check_shipping(req: &OrderRequest, policy: &Policy) -> Result<i64, StoreError> {
    let shipping = if req.fulfilment.is_home() {
        policy.shipping_cents
    } else {
        0
    };
    if req.shipping_cents != shipping {
        return Err(StoreError::PriceChanged(format!(
            "shipping costs {shipping} (the order says {})",
            req.shipping_cents
        )));
    }
    Ok(shipping)
}

/// A line's price and sale as the catalog has them, checked against the order's.
pub fn check_line(
    index: usize,
    gtin: Gtin,
    found: Option<(i64, String, bool)>,
    line_price: i64,
    currency: &str,
) -> Result<(i64, String), StoreError> {
    let Some((price, style_currency, discontinued)) = found else {
        // A well-formed GTIN this catalog does not hold: a fact about the catalog, not a
        // malformed request (409, like a size no longer sold).
        return Err(StoreError::OutOfStock(format!(
            "lines[{index}].gtin {gtin}: not in the catalog"
        )));
    };
    if discontinued {
        return Err(StoreError::OutOfStock(format!("{gtin} is no longer sold")));
    }
    if price != line_price || style_currency != currency {
        return Err(StoreError::PriceChanged(format!(
            "{gtin} now costs {price} {style_currency} (the order says {line_price} {currency})"
        )));
    }
    Ok((price, style_currency))
}

pub fn add_line(total: i64, price: i64, quantity: u32) -> Result<i64, StoreError> {
    price
        .checked_mul(i64::from(quantity))
        .and_then(|line_total| total.checked_add(line_total))
        .ok_or_else(|| StoreError::Invalid("the order's total is out of range".into()))
}

pub fn not_another_store(holding: &str) -> StoreError {
    StoreError::InvalidAddress(format!(
        "fulfilment.store_id: {holding:?} is not another store of the chain"
    ))
}

/// When a hold placed now ends.
pub fn hold_expires_at(policy: &Policy) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(i64::from(
            policy.pickup_hold_hours,
        )))
        .unwrap_or(jiff::Timestamp::MAX)
        .round(jiff::Unit::Second)
        .unwrap_or(jiff::Timestamp::MAX)
        .to_string()
}

/// The answer to a new order.
pub fn order_response(
    req: &OrderRequest,
    created_at: String,
    total_cents: i64,
    currency: String,
    hold: Option<(String, String)>,
) -> OrderResponse {
    OrderResponse {
        order_id: format!("WH-{}", uuid::Uuid::new_v4().simple()),
        kiosk_order_id: req.kiosk_order_id.clone(),
        status: OrderState::Confirmed,
        created_at,
        // A hold is there today; everything else comes from the distribution centre.
        delivery_estimate: match hold {
            Some(_) => None,
            None => delivery_estimate(DELIVERY_DAYS),
        },
        total_cents,
        currency,
        pickup: hold.map(|(store_id, expires_at)| PickUpHold {
            store_id,
            expires_at,
        }),
    }
}

/// Collected is delivered; a hold that ended uncollected is cancelled.
pub fn apply_pickup_state(response: &mut OrderResponse, state: Option<&str>) {
    match state {
        Some("collected") => response.status = OrderState::Delivered,
        Some("expired") => response.status = OrderState::Cancelled,
        _ => {}
    }
}

pub fn no_email_for_code() -> StoreError {
    StoreError::Conflict(
        "this order has no e-mail address (or its details are no longer kept)".into(),
    )
}

pub fn code_sent_enough() -> StoreError {
    StoreError::Conflict("the code of this order was already sent three times".into())
}

pub fn hold_ended() -> StoreError {
    StoreError::Conflict(
        "the hold ended before it was collected; the pair went back on the shelf".into(),
    )
}

/// A back-in-stock request, checked: the address trimmed, the language, and the days kept.
pub struct CheckedStockAlert {
    pub gtin: Gtin,
    pub email: String,
    pub lang: String,
    pub days: u32,
    pub created_at: String,
    pub expires_at: String,
}

pub fn check_stock_alert(
    req: &StockAlertRequest,
    policy: &Policy,
) -> Result<CheckedStockAlert, StoreError> {
    let gtin = parse_gtin(&req.gtin)?;
    let lang = req.lang.trim();
    if lang.len() > 35 || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(StoreError::Invalid(
            "lang: a language tag such as \"es\"".into(),
        ));
    }
    let email = req.email.trim();
    // The message names the field, never the value: it may be logged.
    if crate::domain::address::check_email(email).is_err() {
        return Err(StoreError::InvalidAddress(
            "email: not an e-mail address".into(),
        ));
    }
    let days = req.keep_days.map_or(policy.stock_alert_days, |d| {
        d.clamp(1, policy.stock_alert_days)
    });
    let created = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now());
    let expires_at = created
        .checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .unwrap_or(jiff::Timestamp::MAX)
        .to_string();
    Ok(CheckedStockAlert {
        gtin,
        email: email.to_owned(),
        lang: lang.to_owned(),
        days,
        created_at: created.to_string(),
        expires_at,
    })
}

pub fn not_sold(gtin: Gtin) -> StoreError {
    StoreError::OutOfStock(format!("gtin {gtin}: not a size this chain sells"))
}

pub fn check_heartbeat(kiosk_id: &str, heartbeat: &Heartbeat) -> Result<(), StoreError> {
    if !is_path_id(kiosk_id) {
        return Err(StoreError::Invalid(
            "kiosk_id: 1-64 letters, digits, '-' or '_'".into(),
        ));
    }
    if heartbeat.problems.len() > 20
        || heartbeat.problems.iter().any(|p| p.chars().count() > 500)
        || heartbeat.version.chars().count() > 64
        || heartbeat.camera.chars().count() > 32
    {
        return Err(StoreError::Invalid(
            "heartbeat: at most 20 problems of 500 characters; version and camera short".into(),
        ));
    }
    Ok(())
}

/// A fleet row from what was kept: its age on the warehouse's clock, stale past `stale_after`.
pub fn fleet_kiosk(
    store_id: String,
    kiosk_id: String,
    received_at: String,
    heartbeat_json: &str,
    stale_after: std::time::Duration,
) -> Result<FleetKiosk, StoreError> {
    let heartbeat: Heartbeat = from_json(heartbeat_json)?;
    let age_s = received_at
        .parse::<jiff::Timestamp>()
        .map(|t| jiff::Timestamp::now().duration_since(t).as_secs().max(0) as u64)
        .unwrap_or(u64::MAX);
    Ok(FleetKiosk {
        store_id,
        kiosk_id,
        received_at,
        age_s,
        stale: age_s > stale_after.as_secs(),
        heartbeat,
    })
}

/// An associate request, checked; returns the GTIN to keep (0: a general call).
pub fn check_associate(req: &AssociateRequest) -> Result<i64, StoreError> {
    if req.also.len() > 2 {
        return Err(StoreError::Invalid("also: at most two more sizes".into()));
    }
    for extra in &req.also {
        parse_gtin(&extra.gtin)?;
    }
    let also_labels = req
        .also
        .iter()
        .map(|a| ("also.size_label", &a.size_label, 40));
    for (field, value, max) in [
        ("size_label", &req.size_label, 40),
        ("kiosk_id", &req.kiosk_id, 64),
        ("style", &req.style, 200),
    ]
    .into_iter()
    .chain(also_labels)
    {
        if value.chars().count() > max
            || value
                .chars()
                .any(crate::warehouse::protocol::is_forbidden_in_shopper_text)
        {
            return Err(StoreError::Invalid(format!(
                "{field}: at most {max} characters, no control characters"
            )));
        }
    }
    // No GTIN: a general "call an associate" from the kiosk.
    Ok(if req.gtin.is_empty() {
        0
    } else {
        parse_gtin(&req.gtin)?.as_i64()
    })
}

pub fn associate_from_row(
    gtin: i64,
    size_label: String,
    kiosk_id: String,
    style: String,
    also: &str,
) -> AssociateRequest {
    AssociateRequest {
        gtin: if gtin == 0 {
            String::new()
        } else {
            gtin_text(gtin)
        },
        size_label,
        kiosk_id,
        style,
        also: serde_json::from_str(also).unwrap_or_default(),
    }
}

/// How a pick list names the pair: "Brand Name · Colour · 265 mm M (STYLE)".
pub fn pickup_style(
    brand: &str,
    name: &str,
    colour: &str,
    size_mm: u32,
    width: &str,
    style: &str,
) -> String {
    format!("{brand} {name} · {colour} · {size_mm} mm {width} ({style})")
}

/// A kiosk's day summary: a real past or present date (a kiosk's clock may be a day ahead of
/// the server's), counts of plausible kinds, styles and sizes, 24 hours at most.
pub fn check_day_summary(
    kiosk_id: &str,
    summary: &crate::warehouse::protocol::DaySummary,
) -> Result<(), StoreError> {
    use crate::warehouse::protocol::MAX_DAY_COUNTS;
    if !is_path_id(kiosk_id) {
        return Err(StoreError::Invalid(
            "kiosk_id: 1-64 letters, digits, '-' or '_'".into(),
        ));
    }
    let day: jiff::civil::Date = summary
        .day
        .parse()
        .ok()
        .filter(|_| summary.day.len() == 10)
        .ok_or_else(|| StoreError::Unprocessable("day: a date such as \"2026-12-01\"".into()))?;
    let tomorrow = jiff::Zoned::now().date().tomorrow().unwrap_or(day);
    if day > tomorrow {
        return Err(StoreError::Unprocessable(
            "day: not a day that has begun".into(),
        ));
    }
    if summary.counts.len() > MAX_DAY_COUNTS {
        return Err(StoreError::Invalid(format!(
            "counts: at most {MAX_DAY_COUNTS} rows"
        )));
    }
    if summary.scans_per_hour.len() > 24 {
        return Err(StoreError::Invalid(
            "scans_per_hour: at most 24 hours".into(),
        ));
    }
    for (i, c) in summary.counts.iter().enumerate() {
        let kind_ok = !c.kind.is_empty()
            && c.kind.len() <= 40
            && c.kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if !kind_ok
            || c.style_code.chars().count() > 64
            || c.size_mm > 1000
            || c.count > 1_000_000_000
        {
            return Err(StoreError::Invalid(format!(
                "counts[{i}]: kind is 1-40 of a-z and '_', style_code at most 64 characters, \
                 size_mm at most 1000, count at most 10^9"
            )));
        }
        if c.style_code
            .chars()
            .any(crate::warehouse::protocol::is_forbidden_in_shopper_text)
        {
            return Err(StoreError::Unprocessable(format!(
                "counts[{i}].style_code: no control characters"
            )));
        }
    }
    let mut keys: Vec<(&str, &str, u32)> = summary
        .counts
        .iter()
        .map(|c| (c.kind.as_str(), c.style_code.as_str(), c.size_mm))
        .collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w[0] == w[1]) {
        return Err(StoreError::Unprocessable(
            "counts: each kind, style_code and size_mm once".into(),
        ));
    }
    if summary.scans_per_hour.iter().any(|n| *n > 1_000_000_000) {
        return Err(StoreError::Invalid(
            "scans_per_hour: at most 10^9 an hour".into(),
        ));
    }
    Ok(())
}

/// Lost sales by style × size × store over days `?1` to `?2` (the same SQL for SQLite and, with
/// `$` for `?`, PostgreSQL). Most asked first.
pub const CHAIN_LOST_SQL: &str = "
    SELECT c.style_code, coalesce(s.name, ''), c.size_mm, c.store_id,
           CAST(sum(c.count) AS BIGINT)
      FROM kiosk_day_counts c LEFT JOIN styles s ON s.style_code = c.style_code
     WHERE c.kind = 'size_missing' AND c.day BETWEEN ?1 AND ?2
     GROUP BY c.style_code, s.name, c.size_mm, c.store_id
     ORDER BY 5 DESC, 1, 3, 4";

/// Each store's kiosks, kiosk-days, scans, funnel and lost sales over days `?1` to `?2`.
pub const CHAIN_STORES_SQL: &str = "
    SELECT k.store_id, k.kiosks, k.days, coalesce(c.scans, 0), coalesce(c.visits, 0),
           coalesce(c.sized, 0), coalesce(c.converted, 0), coalesce(c.lost, 0)
      FROM (SELECT store_id, count(DISTINCT kiosk_id) AS kiosks, count(*) AS days
              FROM kiosk_days WHERE day BETWEEN ?1 AND ?2 GROUP BY store_id) k
      LEFT JOIN (
            SELECT store_id,
                   CAST(sum(CASE WHEN kind = 'scan' THEN count ELSE 0 END) AS BIGINT) AS scans,
                   CAST(sum(CASE WHEN kind = 'funnel_scanned' THEN count ELSE 0 END) AS BIGINT) AS visits,
                   CAST(sum(CASE WHEN kind = 'funnel_sized' THEN count ELSE 0 END) AS BIGINT) AS sized,
                   CAST(sum(CASE WHEN kind = 'funnel_converted' THEN count ELSE 0 END) AS BIGINT) AS converted,
                   CAST(sum(CASE WHEN kind = 'size_missing' THEN count ELSE 0 END) AS BIGINT) AS lost
              FROM kiosk_day_counts WHERE day BETWEEN ?1 AND ?2 GROUP BY store_id) c
        ON c.store_id = k.store_id
     ORDER BY k.store_id";

/// A report period's bounds: two dates, the first not after the second.
pub fn check_period(from: &str, to: &str) -> Result<(), StoreError> {
    let date = |text: &str| {
        text.parse::<jiff::civil::Date>()
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| {
                StoreError::Invalid(format!("{text:?} is not a date such as 2026-12-01"))
            })
    };
    if date(from)? > date(to)? {
        return Err(StoreError::Invalid(format!(
            "the period {from} to {to} ends before it begins"
        )));
    }
    Ok(())
}

/// A store's totals from a row of [`CHAIN_STORES_SQL`] (all numbers as i64).
pub fn store_totals(
    store_id: String,
    n: [i64; 7],
) -> crate::warehouse::server::report::StoreTotals {
    let u = |v: i64| v.max(0) as u64;
    crate::warehouse::server::report::StoreTotals {
        store_id,
        kiosks: u(n[0]),
        kiosk_days: u(n[1]),
        scans: u(n[2]),
        visits: u(n[3]),
        sized: u(n[4]),
        converted: u(n[5]),
        lost: u(n[6]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warehouse::protocol::{DayCount, DaySummary};

    fn summary(day: &str, counts: Vec<DayCount>) -> DaySummary {
        DaySummary {
            day: day.into(),
            counts,
            scans_per_hour: vec![0; 24],
        }
    }

    fn count(kind: &str, style: &str, size_mm: u32) -> DayCount {
        DayCount {
            kind: kind.into(),
            style_code: style.into(),
            size_mm,
            count: 1,
        }
    }

    #[test]
    fn a_day_summary_is_a_real_day_begun_with_each_row_once() {
        let ok = summary(
            "2026-11-30",
            vec![count("scan", "", 0), count("size_missing", "A", 265)],
        );
        assert!(check_day_summary("entrance", &ok).is_ok());
        let unprocessable = |s: &DaySummary| {
            matches!(
                check_day_summary("entrance", s),
                Err(StoreError::Unprocessable(_))
            )
        };
        assert!(
            unprocessable(&summary("2026-02-30", Vec::new())),
            "no such date"
        );
        assert!(
            unprocessable(&summary("2999-01-01", Vec::new())),
            "not begun"
        );
        assert!(unprocessable(&summary(
            "2026-11-30",
            vec![count("scan", "", 0), count("scan", "", 0)]
        )));
        assert!(unprocessable(&summary(
            "2026-11-30",
            vec![count("size_missing", "A\u{7}", 265)]
        )));
        let invalid = |kiosk: &str, s: &DaySummary| {
            matches!(check_day_summary(kiosk, s), Err(StoreError::Invalid(_)))
        };
        assert!(invalid("has space", &ok));
        assert!(invalid(
            "entrance",
            &summary("2026-11-30", vec![count("Scan", "", 0)])
        ));
        assert!(invalid(
            "entrance",
            &summary("2026-11-30", vec![count("scan", "", 1001)])
        ));
        let mut hours = ok.clone();
        hours.scans_per_hour = vec![0; 25];
        assert!(invalid("entrance", &hours));
    }

    #[test]
    fn a_period_ends_on_or_after_its_start() {
        assert!(check_period("2026-11-01", "2026-11-01").is_ok());
        assert!(check_period("2026-11-02", "2026-11-01").is_err());
        assert!(check_period("2026-11-1", "2026-11-30").is_err());
    }
}
