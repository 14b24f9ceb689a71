//! The chain beyond this store, headless: other stores' shelves on the size grid and the
//! pick-up screen, against the reference warehouse seeded with the demo chain.

use super::tests::{self, IN_STORE, Rig, rig_with};
use super::*;

/// Sold out here and at the warehouse; Old Town (1.9 km), Riverside (2.4 km) and Valencia
/// (300 km) have it.
const IN_OTHER_STORES: &str = "04012345001051";
/// Sold out here; the warehouse ships it, and the Airport Mall (14 km) has one.
const AIRPORT_OR_SHIP: &str = "04012345001150";

/// A kiosk at the demo store's place in Madrid.
async fn placed_kiosk() -> Rig {
    rig_with(true, |config, _| {
        config.store.latitude = Some(40.4155);
        config.store.longitude = Some(-3.7074);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_size_only_other_stores_have_offers_the_nearest_for_pick_up_today() {
    let mut rig = placed_kiosk().await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("Pick up today"));
    assert!(
        rig.shows("Old Town · 1.9 km"),
        "the nearest store, with its distance"
    );
    rig.choose(IN_OTHER_STORES).await;
    let Screen::PickUp(stores) = &rig.kiosk.screen else {
        panic!("expected the pick-up screen, got {:?}", rig.kiosk.screen);
    };
    let names: Vec<&str> = stores
        .stores()
        .iter()
        .map(|n| n.store.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Old Town", "Riverside"],
        "Valencia is too far for today"
    );
    assert!(rig.shows_part("is in a store near here"));
    assert!(rig.shows("1.9 km from this store"));
    assert!(rig.shows("Calle de Fuencarral 120, 28010 Madrid"));
    assert!(rig.shows("Pairs in stock: 2"));
    assert!(
        !rig.shows_part("Ship to your home instead"),
        "the warehouse has none"
    );
    rig.tap("Back").await;
    assert!(matches!(rig.kiosk.screen, Screen::Product(_)));

    // The same in Spanish, with its decimal comma.
    rig.send(Message::Language("es".into())).await;
    assert!(rig.shows("Recógelo hoy"));
    assert!(rig.shows("Old Town · 1,9 km"));
    rig.choose(IN_OTHER_STORES).await;
    assert!(rig.shows("A 1,9 km de esta tienda"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nearby_store_comes_first_and_shipping_home_stays_one_tap_away() {
    let mut rig = placed_kiosk().await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("Airport Mall · 14 km"));
    rig.choose(AIRPORT_OR_SHIP).await;
    assert!(rig.shows("14 km from this store"));
    rig.tap_part("Ship to your home instead").await;
    let Screen::Order(order) = &rig.kiosk.screen else {
        panic!("expected the order, got {:?}", rig.kiosk.screen);
    };
    assert_eq!(order.stage, order::Stage::Review);
    // Back goes one step at a time: the stores, then the sizes.
    rig.send(Message::Back).await;
    assert!(matches!(rig.kiosk.screen, Screen::PickUp(_)));
    rig.send(Message::Back).await;
    assert!(matches!(rig.kiosk.screen, Screen::Product(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_its_own_position_the_kiosk_goes_by_the_warehouses_distances() {
    // The shipped kiosk.toml leaves [store] latitude/longitude out: the warehouse knows where
    // its stores are.
    let mut rig = rig_with(true, |_, _| {}).await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("Old Town · 1.9 km"));
    rig.choose(IN_OTHER_STORES).await;
    assert!(rig.shows("Riverside"));
    assert!(
        !rig.shows("Valencia Centre"),
        "301 km by the warehouse's reckoning"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_nobody_placed_is_named_but_not_promised_for_today() {
    // Neither the kiosk nor the warehouse knows where the stores are.
    let mut rig = rig_with(true, |_, _| {}).await;
    rig.store
        .write(|tx| {
            tx.execute("UPDATE stores SET latitude = NULL, longitude = NULL", [])?;
            Ok(())
        })
        .unwrap();
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("In another store"));
    assert!(rig.shows("At Old Town"));
    assert!(!rig.shows("Pick up today"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_warehouse_away_other_stores_are_not_promised() {
    let mut rig = rig_with(false, |config, _| {
        config.store.latitude = Some(40.4155);
        config.store.longitude = Some(-3.7074);
    })
    .await;
    rig.wedge(IN_STORE).await;
    assert!(!rig.shows("Pick up today"), "never asked, nothing known");
}

/// Types `value` into `field` of the order form, as taps on the on-screen keys would.
async fn type_into(rig: &mut Rig, field: order::Field, value: &str) {
    rig.send(Message::Order(order::Message::Focus(field))).await;
    for c in value.chars() {
        rig.send(Message::Order(order::Message::Key(c))).await;
    }
}

/// The kinds of the events this kiosk recorded, in order.
fn recorded(rig: &Rig) -> Vec<String> {
    let Some(services) = rig.kiosk.services.clone() else {
        return Vec::new();
    };
    services
        .db
        .blocking(|db| {
            let mut stmt = db
                .conn()
                .prepare("SELECT kind FROM shopper_events ORDER BY id")?;
            let kinds = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(kinds)
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_reserves_at_the_nearest_store_with_a_name_and_phone_and_leaves_with_a_code() {
    let mut rig = placed_kiosk().await;
    rig.wedge(IN_STORE).await;
    rig.choose(IN_OTHER_STORES).await;
    rig.send(Message::PickUp(pick_up::Message::Reserve(0)))
        .await;
    assert!(rig.shows("Reserve at Old Town"));
    assert!(rig.shows("Old Town · Calle de Fuencarral 120, 28010 Madrid"));
    assert!(rig.shows("You pay at Old Town when you collect it. Nothing is charged now."));
    rig.tap("Continue").await;
    // No address: a name, and an e-mail or phone.
    assert!(rig.shows("Your name, and how we reach you"));
    assert!(!rig.shows("Street and number"));
    rig.tap("Check my details").await;
    assert!(rig.shows("Please fill this in."));
    type_into(&mut rig, order::Field::Name, "Ana Li").await;
    type_into(&mut rig, order::Field::Phone, "600123456").await;
    rig.tap("Check my details").await;
    assert!(rig.shows("Check your details"));
    let shelf = || {
        rig.store
            .store_stock("demo-store-002", IN_OTHER_STORES.parse().unwrap())
    };
    assert_eq!(
        shelf().unwrap(),
        Some(2),
        "nothing reserved before the shopper says so"
    );
    rig.tap("Reserve it").await;
    let Screen::Done(done) = &rig.kiosk.screen else {
        panic!("expected done, got {:?}", rig.kiosk.screen)
    };
    assert!(!done.queued, "the warehouse confirmed the hold");
    let number = done.order_number.clone();
    assert_eq!(
        tests::qr_text(done.qr().expect("a QR code of the code")),
        number
    );
    assert!(rig.shows("Reserved at Old Town. Your code is"));
    assert!(rig.shows(&number));
    assert!(rig.shows(
        "Show this code at Old Town, Calle de Fuencarral 120, 28010 Madrid, and pay there."
    ));
    assert!(rig.shows_part("They keep it for you until"));
    assert_eq!(
        rig.store
            .store_stock("demo-store-002", IN_OTHER_STORES.parse().unwrap())
            .unwrap(),
        Some(1),
        "off Old Town's shelf"
    );
    assert_eq!(
        recorded(&rig).last().map(String::as_str),
        Some("reserved_elsewhere")
    );

    // The same screens in Spanish.
    rig.send(Message::Language("es".into())).await;
    assert!(rig.shows("Reservado en Old Town. Tu código es"));
    assert!(rig.shows_part("Te lo guardan hasta el"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipping_to_this_store_is_a_choice_beside_home_and_asks_no_address() {
    let mut rig = placed_kiosk().await;
    rig.wedge(tests::SHIP_ONLY).await;
    rig.choose(tests::SHIP_ONLY).await;
    assert!(rig.shows("Ship to your home"));
    rig.tap("To this store — collect it here").await;
    assert!(rig.shows("Ship to this store"));
    assert!(rig.shows("Free, to this store"));
    rig.tap("Continue").await;
    assert!(rig.shows("Your name, and how we reach you"));
    type_into(&mut rig, order::Field::Name, "Ana Li").await;
    type_into(&mut rig, order::Field::Email, "ana@example.com").await;
    rig.tap("Check my details").await;
    rig.tap("Place order").await;
    let Screen::Done(done) = &rig.kiosk.screen else {
        panic!("expected done, got {:?}", rig.kiosk.screen)
    };
    assert!(!done.queued);
    assert!(rig.shows("Pay at the till before we ship: show this code there."));
    assert!(rig.shows_part("arrives here by"));
    assert_eq!(
        recorded(&rig).last().map(String::as_str),
        Some("ship_to_store_order")
    );
    // Home delivery stays the default, and its address form is unchanged.
    rig.send(Message::StartOver).await;
    rig.wedge(tests::SHIP_ONLY).await;
    rig.choose(tests::SHIP_ONLY).await;
    rig.tap("Continue").await;
    assert!(rig.shows("Where should we send it?"));
}

/// Sold out here and at the warehouse, and in no other store: Velo Street's men's runner
/// (VE-RUN-022), 265 mm.
const NOWHERE: &str = "08045678001432";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_size_nobody_has_offers_shoes_like_it_in_that_size_and_a_sale_saved_is_counted() {
    let mut rig = placed_kiosk().await;
    rig.wedge(NOWHERE).await;
    assert!(rig.shows("See shoes like it"), "the tile leads somewhere");
    rig.choose(NOWHERE).await;
    let Screen::Similar(similar) = &rig.kiosk.screen else {
        panic!("expected shoes like it, got {:?}", rig.kiosk.screen);
    };
    let found = similar.found().expect("the shelf was read").to_vec();
    assert!(
        (1..=crate::domain::substitutes::MAX_OFFERED).contains(&found.len()),
        "{}",
        found.len()
    );
    // Every one is on this store's shelf in 265 mm standard width; men's or unisex running
    // shoes come first.
    let services = rig.kiosk.services.clone().unwrap();
    for s in &found {
        let grid = services
            .db
            .blocking({
                let gtin = s.gtin;
                move |db| Ok(crate::domain::catalog::size_grid(db.conn(), gtin)?.unwrap())
            })
            .unwrap();
        let entry = grid.scanned_entry().unwrap();
        assert_eq!(
            (entry.size_mm, entry.width),
            (265, crate::domain::sizes::Width::Standard)
        );
        assert!(
            entry.store_quantity.unwrap_or(0) > 0,
            "{}",
            s.style.style_code
        );
        assert_ne!(s.style.style_code, "VE-RUN-022");
    }
    assert_eq!(found[0].style.category, "running");
    assert!(["men", "unisex"].contains(&found[0].style.gender.as_str()));
    assert!(rig.shows("Size EU\u{a0}42 is sold out everywhere"));
    assert!(rig.shows(&format!(
        "{} · {}",
        found[0].style.name, found[0].style.colour
    )));

    // One tap: that style's sizes, the shopper's size chosen; asked for from the stockroom.
    rig.send(Message::Similar(similar::Message::Open(0))).await;
    let Screen::Product(product) = &rig.kiosk.screen else {
        panic!("expected the product, got {:?}", rig.kiosk.screen);
    };
    assert_eq!(product.grid().style.style_code, found[0].style.style_code);
    assert_eq!(product.grid().scanned, found[0].gtin);
    assert!(rig.shows("Your size"), "not scanned: the shopper's size");
    assert!(!rig.shows("Scanned"));
    // Back: the shoes like it again, then the shoe the shopper scanned.
    rig.send(Message::Back).await;
    assert!(matches!(rig.kiosk.screen, Screen::Similar(_)));
    rig.send(Message::Similar(similar::Message::Open(0))).await;
    rig.choose(&found[0].gtin.to_string()).await;
    rig.tap("Yes, bring it").await;
    // The demo database holds a month of made-up visits before these.
    let kinds = recorded(&rig);
    assert_eq!(
        kinds[kinds.len() - 8..],
        [
            "scan",
            "size_missing",
            "substitutes_offered",
            "substitute_taken",
            "substitute_taken",
            "size_in_store",
            "in_store_request",
            "saved_by_substitute"
        ],
        "opening a substitute is no scan; asking for it from the stockroom saved the sale"
    );
    let analytics = services
        .db
        .blocking(|db| {
            let today = jiff::Zoned::now().date();
            crate::domain::analytics::query(
                db,
                crate::domain::analytics::Period::last_days(today, 1),
            )
        })
        .unwrap();
    assert_eq!(analytics.outcomes.saved_by_substitute, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_else_in_my_size_is_one_tap_from_any_product_in_both_languages() {
    let mut rig = placed_kiosk().await;
    rig.wedge(IN_STORE).await;
    rig.tap("What else do you have in my size?").await;
    assert!(rig.shows("Shoes like this in EU\u{a0}40"));
    assert!(rig.shows("On this store's shelves now, in your size. Tap one to see it."));
    rig.send(Message::Back).await;
    assert!(matches!(rig.kiosk.screen, Screen::Product(_)));
    rig.send(Message::Language("es".into())).await;
    rig.tap("¿Qué más tenéis en mi talla?").await;
    assert!(rig.shows("Modelos parecidos en EU\u{a0}40"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_leaves_an_email_for_a_size_nobody_has_after_reading_what_it_is_for() {
    let mut rig = placed_kiosk().await;
    rig.wedge(NOWHERE).await;
    rig.choose(NOWHERE).await;
    rig.tap("E-mail me when it is back").await;
    // What the address is for and when it goes, before a key is pressed.
    assert!(rig.shows_part("We use this address once"));
    assert!(rig.shows_part("within 90 days"));
    let key = |c| Message::BackInStock(back_in_stock::Message::Key(c));
    for c in "ana@".chars() {
        rig.send(key(c)).await;
    }
    rig.send(Message::BackInStock(back_in_stock::Message::Send))
        .await;
    assert!(
        rig.shows("This email address looks incomplete."),
        "said beside the field"
    );
    assert_eq!(rig.store.stock_alert_count().unwrap(), 0);
    for c in "example.com".chars() {
        rig.send(key(c)).await;
    }
    rig.tap("E-mail me when it is back").await;
    let Screen::BackInStock(form) = &rig.kiosk.screen else {
        panic!("expected the form, got {:?}", rig.kiosk.screen);
    };
    assert!(matches!(form.stage, back_in_stock::Stage::Saved { .. }));
    assert_eq!(form.email(), "", "the kiosk keeps no copy");
    assert!(rig.shows("Done — we will let you know"));
    assert!(rig.shows_part("a•••@example.com"));
    assert_eq!(rig.store.stock_alert_count().unwrap(), 1);
    assert_eq!(
        recorded(&rig).last().map(String::as_str),
        Some("back_in_stock_request")
    );
    // No shopper data in the kiosk's events.
    let services = rig.kiosk.services.clone().unwrap();
    let leaked: i64 = services
        .db
        .blocking(|db| {
            Ok(db.conn().query_row(
                "SELECT count(*) FROM shopper_events WHERE detail LIKE '%@%' OR style_code LIKE '%@%'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(leaked, 0);
    rig.tap("Finish").await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract));

    // In Spanish.
    rig.send(Message::Language("es".into())).await;
    rig.wedge(NOWHERE).await;
    rig.choose(NOWHERE).await;
    rig.tap("Avísame cuando vuelva").await;
    assert!(rig.shows_part("Usamos esta dirección una sola vez"));
}
