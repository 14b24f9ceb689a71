//! Manager mode headless: the PIN gate, the dashboard's sync (progress, failure, cancel),
//! orders retry, stock import and the analytics, against the real database and warehouse.

use std::path::Path;
use std::time::{Duration, Instant};

use super::manager::{self, ImportState, SyncState, pin};
use super::tests::{IN_STORE, Rig, SHIP_ONLY, drain, rig_with, screen};
use super::*;
use crate::db::DbError;
use crate::warehouse::server::Fault;
use futures_util::StreamExt;

const PIN: &str = "2468";

/// A rig whose manager PIN hash is in a file, 3 tries, a 60 s lockout.
async fn manager_rig(warehouse_up: bool) -> Rig {
    rig_with(warehouse_up, |config, dir: &Path| {
        let file = dir.join("manager.pin");
        std::fs::write(&file, crate::domain::pin::hash_pin(PIN).unwrap()).unwrap();
        config.manager.pin_hash_env = String::new();
        config.manager.pin_hash_file = file;
        config.manager.max_attempts = 3;
        config.manager.lockout_s = Duration::from_secs(60);
        config.manager.import_dirs = vec![dir.join("imports")];
    })
    .await
}

/// Today's analytics, straight from the database.
async fn todays_analytics(services: &Services) -> crate::domain::analytics::Analytics {
    services
        .db
        .call(|db| {
            let day = jiff::Zoned::now().date();
            crate::domain::analytics::query(
                db,
                crate::domain::analytics::Period { from: day, to: day },
            )
        })
        .await
        .unwrap()
}

impl Rig {
    async fn long_press_store_name(&mut self) {
        self.send(Message::CornerPressed).await;
        let held = self.kiosk.now + Duration::from_secs(4);
        self.send(Message::Tick(held)).await;
    }

    async fn type_pin(&mut self, pin: &str) {
        for d in pin.chars() {
            self.send(Message::ManagerPin(pin::Message::Digit(d))).await;
        }
        self.send(Message::ManagerPin(pin::Message::Enter)).await;
    }

    async fn open_manager(&mut self) {
        self.long_press_store_name().await;
        self.type_pin(PIN).await;
        assert!(
            matches!(self.kiosk.screen, Screen::Manager(_)),
            "manager mode should be open"
        );
    }

    fn dashboard(&self) -> &manager::Dashboard {
        match &self.kiosk.screen {
            Screen::Manager(d) => d,
            other => panic!("expected the dashboard, got {other:?}"),
        }
    }

    /// Where the text `label` starts from the top of the window.
    fn top_of(&self, label: &str) -> f32 {
        screen(self.kiosk.view())
            .find(label)
            .unwrap_or_else(|e| panic!("no {label:?}: {e:?}"))
            .bounds()
            .y
    }

    fn services(&self) -> Arc<Services> {
        self.kiosk.services.clone().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_press_does_nothing_and_a_long_press_asks_for_the_pin() {
    let mut rig = manager_rig(true).await;
    rig.send(Message::CornerPressed).await;
    rig.send(Message::CornerReleased).await;
    rig.send(Message::Tick(Instant::now() + Duration::from_secs(4)))
        .await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract));
    rig.long_press_store_name().await;
    assert!(rig.shows("Manager PIN"));
    // Cancel goes back to the attract screen.
    rig.tap("Cancel").await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pins_are_refused_then_the_gate_locks_even_for_the_right_one() {
    let mut rig = manager_rig(true).await;
    rig.long_press_store_name().await;
    rig.type_pin("1111").await;
    assert!(rig.shows("Wrong PIN. 2 more tries before manager mode locks."));
    rig.type_pin("2222").await;
    assert!(rig.shows("Wrong PIN. 1 more try before manager mode locks."));
    rig.type_pin("3333").await;
    assert!(rig.shows_part("Too many wrong PINs. Manager mode is locked until "));
    assert!(rig.shows_part("(in 1 min)"));
    assert!(rig.shows_part("Forgot the PIN?"), "what to do without it");
    // The keypad is greyed out: a tap on a digit does nothing, and the right PIN gets in
    // nowhere until the lock ends.
    let digit = {
        let mut ui = screen(rig.kiosk.view());
        ui.click("4").expect("the digit key");
        ui.into_messages().count()
    };
    assert_eq!(digit, 0, "a locked keypad sends nothing");
    rig.type_pin(PIN).await;
    let Screen::ManagerPin(entry) = &rig.kiosk.screen else {
        panic!("still the PIN screen");
    };
    assert!(matches!(
        entry.feedback(),
        pin::Feedback::Locked { minutes: 1, .. }
    ));
    // The lock ends (60 s here): the keypad comes back by itself, and the right PIN opens.
    rig.kiosk.pin_gate = crate::domain::pin::PinGate::new(&rig.kiosk.config().manager);
    rig.send(Message::Tick(Instant::now())).await;
    assert!(!rig.shows_part("Manager mode is locked"));
    rig.type_pin(PIN).await;
    assert!(matches!(rig.kiosk.screen, Screen::Manager(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_gate_says_so_as_soon_as_the_pin_screen_opens() {
    let mut rig = manager_rig(true).await;
    rig.long_press_store_name().await;
    for wrong in ["1111", "2222", "3333"] {
        rig.type_pin(wrong).await;
    }
    rig.tap("Cancel").await;
    rig.long_press_store_name().await;
    assert!(
        rig.shows_part("Manager mode is locked until"),
        "before anyone types"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_pin_opens_the_dashboard_and_idle_logs_the_manager_out() {
    let mut rig = manager_rig(true).await;
    rig.open_manager().await;
    assert!(rig.shows("Manager · Demo Shoes, Main Street"));
    assert!(rig.shows_part("Reachable"), "the warehouse was pinged");
    // IT detail is not on the manager's everyday tab: it has its own.
    assert!(!rig.shows_part("pin hash") && !rig.shows("Quit kiosk"));
    rig.tap("Settings").await;
    // The config summary says where secrets come from, never their value.
    assert!(rig.shows_part("pin hash  set ("));
    rig.tap("Log out").await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract));

    // A manager counting in the stockroom is not a shopper who walked away: past the
    // shoppers' timeout the dashboard stays; the prompt comes when manager mode's own timeout
    // says, in the manager's words; then the logout.
    rig.open_manager().await;
    let config = rig.kiosk.config();
    let start = rig.kiosk.last_activity;
    let at = |s: u64| start + Duration::from_secs(s);
    rig.send(Message::Tick(at(config.ui.idle_timeout_s.as_secs() + 5)))
        .await;
    assert!(matches!(rig.kiosk.screen, Screen::Manager(_)));
    assert!(!rig.shows("Are you still there?"));
    let prompt = (config.manager.idle_timeout_s - config.ui.idle_countdown_s).as_secs();
    rig.send(Message::Tick(at(prompt - 5))).await;
    assert!(
        !rig.shows("Still managing?"),
        "not before the configured time"
    );
    rig.send(Message::Tick(at(prompt + 1))).await;
    assert!(rig.shows("Still managing?"));
    assert!(rig.shows_part("Manager mode closes in"));
    assert!(
        !rig.shows_part("protect your details"),
        "not the shopper's words"
    );
    rig.tap("Stay logged in").await;
    assert!(matches!(rig.kiosk.screen, Screen::Manager(_)));
    rig.send(Message::Tick(Instant::now() + Duration::from_secs(3600)))
        .await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract), "idle logout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_pin_configured_says_how_to_set_one() {
    let mut rig = rig_with(true, |config, _| {
        config.manager.pin_hash_env = "KIOSK_TEST_NO_SUCH_PIN_VAR".into();
    })
    .await;
    rig.long_press_store_name().await;
    rig.type_pin("1234").await;
    // Matched on the kind of problem: said in words, with what to do.
    assert!(rig.shows_part("No manager PIN is set on this kiosk."));
    assert!(rig.shows_part("kiosk manager set-pin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_shows_progress_then_the_result() {
    let mut rig = manager_rig(true).await;
    rig.open_manager().await;
    assert!(rig.shows("Sync now"));
    // What is below the sync stays put while it runs and when it ends.
    let warehouse_at = rig.top_of("Warehouse");
    let task = rig.kiosk.update(Message::Manager(manager::Message::Status(
        manager::status::Message::SyncNow,
    )));
    assert!(matches!(
        rig.dashboard().sync_state(),
        SyncState::Running { .. }
    ));
    assert!(rig.shows("Cancel"));
    assert_eq!(rig.top_of("Warehouse"), warehouse_at);
    let messages = drain(task).await;
    let totals: Vec<Option<u64>> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Manager(manager::Message::Status(
                manager::status::Message::SyncProgress { total, .. },
            )) => Some(*total),
            _ => None,
        })
        .collect();
    assert!(!totals.is_empty(), "progress was reported");
    assert!(totals.iter().all(Option::is_some), "with a known total");
    for m in messages {
        rig.send(m).await;
    }
    match rig.dashboard().sync_state() {
        SyncState::Done(s) => assert!(s.added + s.changed > 600, "{s:?}"),
        other => panic!("sync should be done: {other:?}"),
    }
    assert!(rig.shows_part("Synced:"));
    assert!(rig.shows_part("Last sync"));
    assert_eq!(
        rig.top_of("Warehouse"),
        warehouse_at,
        "no jump when the result shows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_says_why_and_a_cancelled_one_stops() {
    let mut rig = manager_rig(true).await;
    rig.open_manager().await;
    let warehouse_at = rig.top_of("Warehouse");
    let faults = rig.faults.clone().unwrap();
    for _ in 0..5 {
        faults.push("/v1/catalog", Fault::Status(503));
    }
    rig.send(Message::Manager(manager::Message::Status(
        manager::status::Message::SyncNow,
    )))
    .await;
    assert!(matches!(rig.dashboard().sync_state(), SyncState::Failed(_)));
    // Matched on the kind: a warehouse that answers 503 had a problem of its own.
    assert!(rig.shows_part("Sync failed: the warehouse had a problem of its own"));
    assert_eq!(
        rig.top_of("Warehouse"),
        warehouse_at,
        "a failure's reason fits its slot"
    );
    faults.clear();

    // Cancel before the sync task ran a single page: it never finishes.
    let task = rig.kiosk.update(Message::Manager(manager::Message::Status(
        manager::status::Message::SyncNow,
    )));
    rig.send(Message::Manager(manager::Message::Status(
        manager::status::Message::CancelSync,
    )))
    .await;
    assert!(rig.shows_part("Sync cancelled."));
    assert_eq!(rig.top_of("Warehouse"), warehouse_at);
    let after = drain(task).await;
    assert!(
        !after.iter().any(|m| matches!(
            m,
            Message::Manager(manager::Message::Status(
                manager::status::Message::SyncFinished(_)
            ))
        )),
        "an aborted sync reports nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_order_shows_its_error_and_retry_sends_it() {
    let mut rig = manager_rig(true).await;
    let services = rig.services();
    let faults = rig.faults.clone().unwrap();
    // An order the warehouse could not take (503): it waits in the outbox.
    faults.push("/v1/orders", Fault::Status(503));
    let draft = crate::domain::orders::OrderDraft {
        gtin: SHIP_ONLY.parse().unwrap(),
        quantity: 1,
        unit_price_cents: PRICE,
        currency: "EUR".into(),
        shipping_cents: 0,
        ship_to: crate::warehouse::protocol::Address {
            name: "Test Shopper".into(),
            line1: "1 Test Street".into(),
            line2: String::new(),
            postal_code: "10115".into(),
            city: "Berlin".into(),
            country: "DE".into(),
        },
        contact: crate::warehouse::protocol::Contact {
            email: "t@example.com".into(),
            phone: String::new(),
        },
        fulfilment: Default::default(),
    };
    let order = services
        .db
        .call(move |db| {
            crate::domain::orders::enqueue(db, STORE_ID, &draft)
                .map_err(|e| DbError::Sqlite(e.to_string()))
        })
        .await
        .unwrap();
    crate::domain::orders::send_due(&services.db, &services.client, true)
        .await
        .unwrap();
    rig.open_manager().await;
    rig.tap("Orders").await;
    assert!(rig.shows(&format!("{}   {}   €149.99", order.id, SHIP_ONLY)));
    assert!(rig.shows_part("Waiting to send (attempt 1)"));
    rig.tap("Retry").await;
    assert!(rig.shows("No order is waiting: every order reached the warehouse."));
    assert_eq!(
        services
            .db
            .blocking(|db| Ok(crate::domain::orders::get(db, &order.id).unwrap().status))
            .unwrap(),
        crate::domain::orders::OutboxStatus::Confirmed
    );
    // Confirmed, it stays visible under recent orders: when, what, and the warehouse's number
    // ("where is my order?" answered at the kiosk), never the shopper's name or address.
    let warehouse_id = services
        .db
        .blocking(|db| {
            Ok(crate::domain::orders::get(db, &order.id)
                .unwrap()
                .warehouse_order_id)
        })
        .unwrap()
        .expect("the warehouse's number");
    assert!(rig.shows("Recent orders"));
    assert!(rig.shows_part(&format!("{}   ", order.id)));
    assert!(rig.shows_part("Northwind Pace Runner · EU 40.5"));
    assert!(rig.shows(&format!("At the warehouse, its number {warehouse_id}")));
    assert!(!rig.shows_part("Test Shopper") && !rig.shows_part("Berlin"));
    // "Where is my order?": the number typed on the screen's keyboard, part of it is enough.
    rig.tap("Find an order").await;
    assert!(rig.shows("Type at least two letters or digits."));
    // The keys, as their taps send them: tapping by label would find the typed text itself
    // once a character repeats ("33NU").
    for c in order.id[2..6].chars() {
        rig.send(Message::Manager(manager::Message::Orders(
            manager::orders::Message::SearchKey(c),
        )))
        .await;
    }
    assert!(
        rig.shows(&order.id[2..6]),
        "what was typed shows: {}",
        order.id
    );
    assert!(rig.shows_part(&format!("{}   ", order.id)));
    assert!(rig.shows(&format!("At the warehouse, its number {warehouse_id}")));
    // Scanned from the QR code on the shopper's phone: the warehouse's number finds it too.
    rig.tap("Clear").await;
    rig.wedge(&warehouse_id).await;
    assert!(rig.shows_part(&format!("{}   ", order.id)));
    rig.wedge("ZZZZ99").await;
    assert!(rig.shows("No order has a number with ZZZZ99 in it."));
    rig.tap("Back to orders").await;
    assert!(rig.shows("Recent orders"));
    // On the orders tab a scan is a search, never a product lookup.
    rig.wedge(&order.id).await;
    assert!(matches!(rig.kiosk.screen, Screen::Manager(_)));
    assert!(rig.shows(&order.id));
}

const STORE_ID: &str = "demo-store-001";
/// NO-RUN-001's price in the fixtures.
const PRICE: i64 = 14_999;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_file_from_the_import_folder_is_imported_with_a_tap_and_bad_rows_are_named() {
    let mut rig = manager_rig(true).await;
    let imports = rig.dir.path().join("imports/usb");
    std::fs::create_dir_all(&imports).unwrap();
    std::fs::write(
        imports.join("pos-export.csv"),
        format!("gtin,quantity\n{IN_STORE},3\n{SHIP_ONLY},1\n"),
    )
    .unwrap();
    rig.open_manager().await;
    let file = imports.join("pos-export.csv");
    let name = "pos-export.csv";
    // The button says what the file is: its name, then when it was written, size and rows.
    assert!(rig.shows(name));
    assert!(
        rig.shows_part("B · 2 rows"),
        "date, size and rows under the name"
    );
    // A tap checks the file and says what it would do, both ways; nothing is written yet.
    rig.tap(name).await;
    let ImportState::Preview(preview) = rig.dashboard().import_state().clone() else {
        panic!("a preview first: {:?}", rig.dashboard().import_state());
    };
    let before = preview.replace.stocked_before;
    assert!(rig.shows_part("Nothing is changed until you choose."));
    assert!(rig.shows_part(&format!(
        "{} of the {before} sizes in stock now are not in it and become 0",
        preview.replace.removed
    )));
    // Two rows cannot be the whole stock of the demo store: replacing is refused on screen
    // (the same rule as the CLI); updating only the listed sizes is offered.
    assert!(preview.replace_refused);
    assert!(rig.shows_part("this file looks like part of the stock"));
    let replace_sends = {
        let mut ui = screen(rig.kiosk.view());
        ui.click("Replace the whole stock").expect("the button");
        ui.into_messages().count()
    };
    assert_eq!(replace_sends, 0, "replacing is greyed out");
    let count_in_stock = |rig: &Rig| {
        rig.services()
            .db
            .blocking(|db| {
                Ok(db.conn().query_row(
                    "SELECT count(*) FROM store_stock WHERE quantity > 0",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap()
    };
    let in_stock = count_in_stock(&rig);
    rig.tap("Cancel").await;
    assert!(matches!(rig.dashboard().import_state(), ImportState::Idle));
    assert_eq!(count_in_stock(&rig), in_stock, "a preview writes nothing");
    let quantities = |rig: &Rig| {
        rig.services()
            .db
            .blocking(|db| {
                let mut stmt = db
                    .conn()
                    .prepare("SELECT gtin, quantity FROM store_stock ORDER BY gtin")?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .unwrap()
    };
    let before_merge = quantities(&rig);
    // Update only the two listed sizes: every other size keeps its stock.
    rig.tap(name).await;
    rig.tap("Update only the listed sizes").await;
    assert!(matches!(
        rig.dashboard().import_state(),
        ImportState::Done(r) if r.imported == 2 && r.removed == 0
    ));
    assert!(
        count_in_stock(&rig) >= in_stock - 1,
        "nothing else went to 0"
    );
    // The import can be taken back, and undoing it restores exactly what was there.
    let after_merge = quantities(&rig);
    assert!(
        rig.shows_part("pos-export.csv ("),
        "the undo says which import it takes back"
    );
    rig.tap("Undo the last import").await;
    assert!(
        matches!(rig.dashboard().import_state(), ImportState::Undone(u) if u.source.ends_with(name)),
        "{:?}",
        rig.dashboard().import_state()
    );
    assert!(rig.shows_part("The import of pos-export.csv is undone"));
    assert!(
        !rig.shows_part("Undo the import"),
        "one undo, then nothing to undo"
    );
    assert_eq!(
        quantities(&rig),
        before_merge,
        "undo restores the stock exactly"
    );
    rig.tap(name).await;
    rig.tap("Update only the listed sizes").await;
    assert_eq!(
        quantities(&rig),
        after_merge,
        "the same import again, the same stock"
    );
    // The store's whole stock list, every size with its count, goes in.
    let stocked: Vec<i64> = rig
        .services()
        .db
        .call(|db| {
            let mut stmt = db.conn().prepare("SELECT gtin FROM store_stock")?;
            let rows = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
        .unwrap();
    let mut whole = String::from("gtin,quantity\n");
    for gtin in &stocked {
        whole.push_str(&format!("{gtin:014},3\n"));
    }
    std::fs::write(&file, whole).unwrap();
    rig.tap(name).await;
    rig.tap("Replace the whole stock").await;
    let rows = stocked.len() as u64;
    match rig.dashboard().import_state() {
        ImportState::Done(r) => assert_eq!((r.rows, r.imported), (rows, rows)),
        other => panic!("import should be done: {other:?}"),
    }
    assert!(rig.shows_part(&format!("Imported {rows} of {rows} rows")));

    std::fs::write(&file, format!("gtin,quantity\n{IN_STORE},many\n")).unwrap();
    rig.tap(name).await;
    assert!(matches!(
        rig.dashboard().import_state(),
        ImportState::Failed { error: crate::domain::stock::ImportError::BadRows(rows), .. }
            if rows[0].line == 2
    ));
    // Said by kind: the file, how many rows, the first ones, and that nothing changed.
    assert!(rig.shows_part("has a bad row, so nothing was imported"));
    assert!(rig.shows_part("line 2:"));
    // Nothing of the bad file went in: the stock from the good one is intact.
    let services = rig.services();
    let quantity: i64 = services
        .db
        .call(|db| {
            Ok(db.conn().query_row(
                "SELECT quantity FROM store_stock WHERE gtin = 4012345001013",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(quantity, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_who_leaves_without_their_size_is_a_lost_sale_on_the_charts() {
    let mut rig = manager_rig(true).await;
    let services = rig.services();
    let before = todays_analytics(&services).await;
    // Scan, choose a size this store does not have, then leave.
    rig.wedge(SHIP_ONLY).await;
    rig.choose(SHIP_ONLY).await;
    rig.tap("Start over").await;
    let after = todays_analytics(&services).await;
    assert_eq!(after.total_scans(), before.total_scans() + 1);
    assert_eq!(after.funnel.sized, before.funnel.sized + 1);
    assert_eq!(after.funnel.converted, before.funnel.converted);
    assert_eq!(after.outcomes.walked_away, before.outcomes.walked_away + 1);
    assert_eq!(after.total_lost(), before.total_lost() + 1);
    assert!(
        after
            .lost_by_style
            .iter()
            .any(|s| s.style_code == "NO-RUN-001")
    );

    rig.open_manager().await;
    rig.tap("Analytics").await;
    // The charts are drawn on a canvas (seen in .ci/gui-smoke's screenshot); the summary is text.
    assert!(rig.shows_part("sizes asked for that were not in store"));
    rig.tap("1 year").await;
    let a = rig.dashboard().analytics().unwrap();
    assert_eq!(a.scans_per_day.len(), 365);
    // The demo database's four sample weeks and today's shopper.
    assert!(a.total_scans() > 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reorder_list_names_style_and_size_and_saves_a_spreadsheet_file() {
    let mut rig = manager_rig(true).await;
    let share = rig.dir.path().join("imports");
    std::fs::create_dir_all(&share).unwrap();
    // A shopper asks for a size this store does not have.
    rig.wedge(SHIP_ONLY).await;
    rig.choose(SHIP_ONLY).await;
    rig.tap("Start over").await;
    rig.open_manager().await;
    rig.tap("Analytics").await;
    rig.tap("What to reorder").await;
    let a = rig.dashboard().analytics().expect("loaded").clone();
    let size_mm = rig
        .services()
        .db
        .blocking(|db| {
            Ok(db.conn().query_row(
                "SELECT size_mm FROM variants WHERE gtin = ?1",
                [SHIP_ONLY.parse::<i64>().unwrap()],
                |r| r.get::<_, u32>(0),
            )?)
        })
        .unwrap();
    let line = a
        .reorder
        .iter()
        .find(|l| l.style_code == "NO-RUN-001" && l.size_mm == size_mm)
        .expect("the size asked for is on the list");
    assert!(line.asked >= 1);
    // Most asked first, and every line says style, size, asked and what the store has.
    assert!(a.reorder.windows(2).all(|w| w[0].asked >= w[1].asked));
    let first = &a.reorder[0];
    assert!(rig.shows(&format!(
        "{}, {}",
        first.name,
        crate::domain::analytics::size_label(first.size_mm)
    )));
    assert!(rig.shows(&format!(
        "{} asked · {} in store now",
        first.asked, first.in_store_now
    )));
    assert!(rig.shows_part("Sizes shoppers asked for that this store did not have"));
    // Saved to the import share as a CSV a spreadsheet opens.
    rig.tap("To the shared folder imports").await;
    let manager::ExportState::Saved(path) = rig.dashboard().export_state().clone() else {
        panic!("saved: {:?}", rig.dashboard().export_state());
    };
    assert_eq!(path.parent(), Some(share.as_path()));
    assert!(rig.shows_part("Saved: "));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("\u{feff}Style code,Style,Size"));
    // Saved next to the stock files, it is not offered as one.
    rig.tap("Status").await;
    rig.send(Message::Manager(manager::Message::Refresh)).await;
    assert!(!rig.shows_part("reorder-"));
    rig.tap("Analytics").await;
    assert_eq!(text.lines().count(), a.reorder.len() + 1);
    // A share that went away is named in the error; the list stays on screen.
    std::fs::remove_dir_all(&share).unwrap();
    rig.tap("To the shared folder imports").await;
    assert!(rig.shows_part("Not saved: cannot save the reorder list in"));
    assert!(rig.shows_part("Sizes shoppers asked for"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanner_on_the_manager_screen_is_tested_not_looked_up() {
    let mut rig = manager_rig(true).await;
    rig.open_manager().await;
    rig.tap("Camera").await;
    rig.wedge(IN_STORE).await;
    assert!(matches!(rig.kiosk.screen, Screen::Manager(_)));
    assert!(rig.shows(&format!("Read: {IN_STORE}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockout_survives_restarting_the_kiosk() {
    let mut rig = manager_rig(true).await;
    rig.long_press_store_name().await;
    for wrong in ["1111", "2222", "3333"] {
        rig.type_pin(wrong).await;
    }
    assert!(rig.shows_part("Too many wrong PINs. Manager mode is locked until"));
    // A new kiosk process on the same database: it reads the gate when it starts.
    let services = rig.services();
    rig.kiosk = Kiosk::with_services(services.clone());
    rig.send(Message::Started(Ok(services))).await;
    rig.long_press_store_name().await;
    rig.type_pin(PIN).await;
    assert!(
        matches!(rig.kiosk.screen, Screen::ManagerPin(_)),
        "still locked after the restart"
    );
    assert!(rig.shows_part("Too many wrong PINs. Manager mode is locked until"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_a_visit_ends_is_counted() {
    let mut rig = manager_rig(true).await;
    let services = rig.services();
    let before = todays_analytics(&services).await;
    // An associate called; a size fetched from the stockroom.
    rig.tap("Call an associate").await;
    rig.wedge(IN_STORE).await;
    rig.choose(IN_STORE).await;
    rig.tap("Yes, bring it").await;
    rig.send(Message::StartOver).await;
    // A size shipped home (the order itself is tested elsewhere; here only its outcome).
    rig.wedge(SHIP_ONLY).await;
    rig.choose(SHIP_ONLY).await;
    rig.send(Message::Order(super::order::Message::Placed(Ok(
        super::order::Placed {
            number: "K-TEST-0001".into(),
            warehouse_id: Some("W-1".into()),
            code_email: false,
            held_until: None,
        },
    ))))
    .await;
    rig.send(Message::StartOver).await;
    // A code that is not in the catalog.
    rig.wedge("4006381333931").await;
    let after = todays_analytics(&services).await;
    assert_eq!(after.outcomes.associate, before.outcomes.associate + 1);
    assert_eq!(after.outcomes.in_store, before.outcomes.in_store + 1);
    assert_eq!(after.outcomes.dropship, before.outcomes.dropship + 1);
    assert_eq!(after.read_failures, before.read_failures + 1);
    assert_eq!(after.funnel.converted, before.funnel.converted + 2);
    // Both visits ended with an order or a request: nobody walked away.
    assert_eq!(after.outcomes.walked_away, before.outcomes.walked_away);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_kiosk_in_manager_mode_exits_the_program() {
    let mut rig = manager_rig(true).await;
    rig.open_manager().await;
    rig.tap("Settings").await;
    // Asked first; "keep running" keeps it.
    rig.tap("Quit kiosk").await;
    assert!(rig.shows_part("Quit the kiosk program?"));
    rig.tap("Keep running").await;
    assert!(!rig.shows_part("Quit the kiosk program?"));
    rig.tap("Quit kiosk").await;
    let task = rig.kiosk.update(Message::Manager(manager::Message::Quit));
    let actions: Vec<_> = iced_test::runtime::task::into_stream(task)
        .expect("a task")
        .collect::<Vec<_>>()
        .await;
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, iced_test::runtime::Action::Exit)),
        "Quit kiosk asks the runtime to exit"
    );
}

#[test]
fn the_renderer_setting_picks_the_iced_backend() {
    use crate::config::Renderer;
    let ui = |renderer| crate::config::Ui {
        renderer,
        ..crate::config::Ui::default()
    };
    // Auto: the GPU when there is one, iced's software renderer when there is none (not
    // wgpu on Mesa's software OpenGL).
    assert_eq!(super::forced_backend_with(&ui(Renderer::Auto), true), None);
    assert_eq!(
        super::forced_backend_with(&ui(Renderer::Auto), false),
        Some("tiny-skia")
    );
    let dir = tempfile::tempdir().unwrap();
    assert!(!super::has_gpu_device(dir.path()));
    assert!(!super::has_gpu_device(&dir.path().join("missing")));
    std::fs::write(dir.path().join("card0"), "").unwrap();
    assert!(
        !super::has_gpu_device(dir.path()),
        "a display card alone renders nothing"
    );
    std::fs::write(dir.path().join("renderD128"), "").unwrap();
    assert!(super::has_gpu_device(dir.path()));
    assert_eq!(super::forced_backend(&ui(Renderer::Gpu)), Some("wgpu"));
    assert_eq!(
        super::forced_backend(&ui(Renderer::Software)),
        Some("tiny-skia")
    );
}
