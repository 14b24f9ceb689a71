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
