//! The chain beyond this store, headless: other stores' shelves on the size grid and the
//! pick-up screen, against the reference warehouse seeded with the demo chain.

use super::tests::{IN_STORE, Rig, rig_with};
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
    // Back from the order goes to the sizes, as from any order.
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
