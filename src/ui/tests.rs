//! Headless GUI flows with iced_test against the real core: a kiosk database built from the
//! fixtures on disk and the reference warehouse on 127.0.0.1.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use iced::keyboard::{self, Key, Location, Modifiers, key};
use iced_test::Simulator;
use iced_test::runtime::Action;

use super::*;
use crate::db::DbHandle;
use crate::warehouse::WarehouseClient;
use crate::warehouse::client::ClientOptions;
use crate::warehouse::server::{self, ServerOptions, WarehouseStore};

const STORE: &str = "demo-store-001";
const TOKEN: &str = "ui-test-token-0123456789";
/// In this store (8 pairs).
pub(super) const IN_STORE: &str = "04012345001013";
/// In this store, and so are the sizes either side of it.
pub(super) const BETWEEN_SIZES: &str = "04012345001082";
/// Sold out here, 48 at the warehouse.
pub(super) const SHIP_ONLY: &str = "04012345001020";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub(super) struct Rig {
    pub(super) kiosk: Kiosk,
    pub(super) store: WarehouseStore,
    /// Faults for the warehouse's next requests (when it is up).
    pub(super) faults: Option<server::Faults>,
    pub(super) dir: tempfile::TempDir,
}

pub(super) async fn rig(warehouse_up: bool) -> Rig {
    rig_with(warehouse_up, |_, _| {}).await
}

/// A rig whose config `adjust` may change (it gets the rig's temporary folder).
pub(super) async fn rig_with(warehouse_up: bool, adjust: impl FnOnce(&mut Config, &Path)) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = root().join("fixtures");
    let (db, _) = crate::domain::seed::open_or_seed(
        &dir.path().join("kiosk.sqlite3"),
        Some(&fixtures),
        crate::db::Check::Full,
    )
    .unwrap();
    let store = server::open_store(
        &dir.path().join("wh.sqlite3"),
        Some(&fixtures),
        STORE,
        TOKEN,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let handle = server::spawn(listener, store.clone(), &ServerOptions::default()).unwrap();
    let url = handle.url();
    let faults = warehouse_up.then(|| handle.faults.clone());
    let handle = if warehouse_up {
        Some(handle)
    } else {
        handle.shutdown().await;
        None
    };
    let options = ClientOptions {
        max_retries: 0,
        timeout: Duration::from_secs(2),
        ..ClientOptions::default()
    };
    let client = WarehouseClient::new(&url, Some(TOKEN.into()), options).unwrap();
    let mut config = Config::default();
    adjust(&mut config, dir.path());
    let mut services = Services::new(
        DbHandle::new(db),
        client,
        config,
        root().join("assets"),
        handle,
    );
    services.base_dir = dir.path().to_path_buf();
    services.database = dir.path().join("kiosk.sqlite3");
    Rig {
        kiosk: Kiosk::with_services(Arc::new(services)),
        store,
        faults,
        dir,
    }
}

/// Runs a task to completion and returns the messages it produced.
pub(super) async fn drain(task: Task<Message>) -> Vec<Message> {
    let Some(stream) = iced_test::runtime::task::into_stream(task) else {
        return Vec::new();
    };
    stream
        .filter_map(|action| async move {
            match action {
                Action::Output(message) => Some(message),
                _ => None,
            }
        })
        .collect()
        .await
}

/// A 1080p kiosk screen.
pub(super) fn screen<'a>(view: Element<'a, Message>) -> Simulator<'a, Message> {
    Simulator::with_size(iced_test::core::Settings::default(), (1920.0, 1080.0), view)
}

impl Rig {
    /// Sends a message and every message its tasks produce, until nothing is left.
    pub(super) async fn send(&mut self, message: Message) {
        let mut queue = vec![message];
        while let Some(message) = queue.pop() {
            let task = self.kiosk.update(message);
            queue.extend(drain(task).await);
        }
    }

    /// Clicks the widget showing `label`, like a finger would.
    pub(super) async fn tap(&mut self, label: &str) {
        let messages = {
            let mut ui = screen(self.kiosk.view());
            ui.click(label)
                .unwrap_or_else(|e| panic!("no {label:?} on screen: {e:?}"));
            ui.into_messages().collect::<Vec<_>>()
        };
        for m in messages {
            self.send(m).await;
        }
    }

    /// Clicks the widget whose text contains `part` (for labels with a date or number in them).
    pub(super) async fn tap_part(&mut self, part: &str) {
        use iced_test::selector::{Candidate, Text};
        let messages = {
            let mut ui = screen(self.kiosk.view());
            ui.click(|c: Candidate<'_>| match c {
                Candidate::Text {
                    id,
                    bounds,
                    visible_bounds,
                    content,
                } if content.contains(part) => Some(Text::Raw {
                    id: id.cloned(),
                    bounds,
                    visible_bounds,
                }),
                _ => None,
            })
            .unwrap_or_else(|e| panic!("nothing with {part:?} on screen: {e:?}"));
            ui.into_messages().collect::<Vec<_>>()
        };
        for m in messages {
            self.send(m).await;
        }
    }

    pub(super) fn shows(&mut self, text: &str) -> bool {
        screen(self.kiosk.view()).find(text).is_ok()
    }

    /// Whether some text on screen contains `part` (for lines with numbers in them).
    pub(super) fn shows_part(&mut self, part: &str) -> bool {
        use iced_test::selector::Candidate;
        screen(self.kiosk.view())
            .find(|c: Candidate<'_>| match c {
                Candidate::Text { content, .. } if content.contains(part) => Some(()),
                _ => None,
            })
            .is_ok()
    }

    pub(super) async fn wedge(&mut self, code: &str) {
        for c in code.chars() {
            let k = Key::Character(c.to_string().into());
            self.send(Message::Keyboard(keyboard::Event::KeyPressed {
                key: k.clone(),
                modified_key: k,
                physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
                location: Location::Standard,
                modifiers: Modifiers::empty(),
                text: Some(c.to_string().into()),
                repeat: false,
            }))
            .await;
        }
        let enter = Key::Named(key::Named::Enter);
        self.send(Message::Keyboard(keyboard::Event::KeyPressed {
            key: enter.clone(),
            modified_key: enter,
            physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers: Modifiers::empty(),
            text: Some("\r".into()),
            repeat: false,
        }))
        .await;
    }

    fn product(&self) -> &product::Product {
        match &self.kiosk.screen {
            Screen::Product(p) => p,
            other => panic!("expected the product screen, got {other:?}"),
        }
    }

    pub(super) async fn choose(&mut self, gtin: &str) {
        self.send(Message::Product(product::Message::Choose(
            gtin.parse().unwrap(),
        )))
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keypad_scan_to_an_in_store_size_sends_the_associate_request() {
    let mut rig = rig(true).await;
    assert!(rig.shows("Every size, right here"));
    rig.tap("Scan a shoe").await;
    assert!(rig.shows("Or type the number under the barcode"));
    for d in IN_STORE[1..].chars() {
        rig.send(Message::Scan(scan::Message::Digit(d))).await;
    }
    rig.tap("Search").await;
    assert_eq!(rig.product().grid().style.name, "Pace Runner");
    assert!(rig.shows("Choose your size"));
    assert!(rig.shows("Warehouse stock checked just now."));
    assert!(
        rig.shows("Ship to home"),
        "warehouse availability filled in"
    );
    rig.choose(IN_STORE).await;
    // A sheet first: which shoe, which size, to which kiosk; nothing sent yet.
    assert!(rig.shows("Bring size EU\u{a0}40 to you?"));
    assert!(rig.shows("Northwind Pace Runner · Black"));
    assert!(rig.shows_part("this kiosk (kiosk-1)"));
    assert_eq!(rig.store.associate_request_count().unwrap(), 0);
    // Cancel (or Back) returns to the sizes as they were.
    rig.tap("Cancel").await;
    assert!(rig.shows("Choose your size"));
    rig.choose(IN_STORE).await;
    rig.tap("Back").await;
    assert!(rig.shows("Choose your size"));
    assert_eq!(rig.store.associate_request_count().unwrap(), 0);
    // The smallest size has no smaller one, and the next is sold out here: nothing to add.
    assert!(!rig.shows_part("Also bring"));
    // A size between two others this store has: half a size up as well, then confirm.
    rig.choose(BETWEEN_SIZES).await;
    let (size, also) = match &rig.kiosk.screen {
        Screen::InStore(s) => (s.size.label.clone(), s.also.clone()),
        other => panic!("expected the sheet, got {other:?}"),
    };
    assert_eq!(also.len(), 2, "half a size down and up: {also:?}");
    let up = also[1].0.label.clone();
    rig.tap(&format!("☐  Also bring {up}")).await;
    assert!(rig.shows(&format!("☑  Also bring {up}")));
    rig.tap("Yes, bring it").await;
    let nb = |l: &str| l.replace(' ', "\u{a0}");
    assert!(rig.shows(&format!(
        "An associate will bring you size {} + {}",
        nb(&size),
        nb(&up)
    )));
    assert!(rig.shows("Request sent. Please wait here — it usually takes a few minutes."));
    assert_eq!(rig.store.associate_request_count().unwrap(), 1);
    let request = rig.store.last_associate_request().unwrap().unwrap();
    assert_eq!(request.kiosk_id, "kiosk-1");
    assert_eq!(request.gtin, BETWEEN_SIZES);
    assert_eq!(request.size_label, size);
    assert_eq!(request.style, "Northwind Pace Runner · Black (NO-RUN-001)");
    assert_eq!(request.also.len(), 1);
    assert_eq!(request.also[0].size_label, up);
    assert!(!rig.shows("Back"), "once sent, the associate is coming");
    rig.tap("Done").await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropship_order_with_invalid_then_valid_input_then_idle_reset_wipes_it() {
    let mut rig = rig(true).await;
    rig.wedge(SHIP_ONLY).await;
    rig.choose(SHIP_ONLY).await;
    assert!(rig.shows("Ship to your home"));
    rig.tap("Continue").await;
    rig.tap("Check my address").await;
    assert!(
        rig.shows("Please fill this in."),
        "errors next to the fields"
    );
    assert!(rig.shows("Give an email or a phone number so we can reach you about this order."));
    assert_eq!(rig.store.order_count().unwrap(), 0);
    let fill = [
        (order::Field::Name, "Ana Li"),
        (order::Field::Street, "Calle Mayor 1"),
        (order::Field::Postcode, "12"),
        (order::Field::City, "Madrid"),
        (order::Field::Email, "ana@example.com"),
    ];
    for (field, value) in fill {
        rig.send(Message::Order(order::Message::Focus(field))).await;
        for c in value.chars() {
            rig.send(Message::Order(order::Message::Key(c))).await;
        }
    }
    // Spain is preset (the store's country); "12" is no Spanish postcode.
    rig.tap("Check my address").await;
    assert!(rig.shows("Not a postcode in Spain. For example: 28039"));
    rig.send(Message::Order(order::Message::Focus(
        order::Field::Postcode,
    )))
    .await;
    for _ in 0..2 {
        rig.send(Message::Order(order::Message::Backspace)).await;
    }
    for c in "28013".chars() {
        rig.send(Message::Order(order::Message::Key(c))).await;
    }
    // Everything read back before anything is placed; Back returns to the form.
    rig.tap("Check my address").await;
    assert!(rig.shows("Check your address"));
    assert!(rig.shows("28013 Madrid"));
    assert!(rig.shows("Spain"));
    rig.tap("Back").await;
    assert!(rig.shows("Where should we send it?"));
    rig.tap("Check my address").await;
    assert_eq!(rig.store.order_count().unwrap(), 0);
    rig.tap("Place order").await;
    let Screen::Done(done) = &rig.kiosk.screen else {
        panic!("expected done, got {:?}", rig.kiosk.screen)
    };
    let number = done.order_number.clone();
    assert!(!done.queued, "the warehouse confirmed it");
    assert!(rig.shows("Thank you! Your order number is"));
    assert!(rig.shows(&number));
    assert!(rig.shows("Pay at the till before we ship: show this code there."));
    assert!(
        !rig.shows_part("when it ships"),
        "nothing promised before payment"
    );
    assert_eq!(
        rig.store.order_count().unwrap(),
        1,
        "the order is at the warehouse"
    );

    // The code can go to the e-mail address typed, masked on screen.
    rig.tap("E-mail me this code (a•••@example.com)").await;
    assert!(rig.shows("Code sent to a•••@example.com."));
    assert_eq!(rig.store.code_email_count().unwrap(), 1);

    // On the way to the till: past the idle timeout the code is still there, uncovered, and
    // the screen's own countdown is the only one.
    let start = Instant::now();
    let idle = rig.kiosk.config().ui.idle_timeout_s + Duration::from_secs(1);
    rig.send(Message::Tick(start + idle)).await;
    assert!(rig.shows(&number), "the code outlives the idle timeout");
    assert!(!rig.shows("Are you still there?"));
    assert!(rig.shows_part("This screen clears itself in"));

    // Walked away: at the stated time the kiosk resets and the order number is gone.
    let stated = Duration::from_secs(done::SHOW_SECONDS + 1);
    rig.send(Message::Tick(start + stated)).await;
    assert!(matches!(rig.kiosk.screen, Screen::Attract));
    assert!(!rig.shows(&number));
    assert!(rig.kiosk.wedge.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_prompt_offers_more_time() {
    let mut rig = rig(true).await;
    rig.wedge(IN_STORE).await;
    let ui = rig.kiosk.config().ui;
    let almost =
        Instant::now() + (ui.idle_timeout_s - ui.idle_countdown_s) + Duration::from_secs(1);
    rig.send(Message::Tick(almost)).await;
    assert!(rig.shows("Are you still there?"));
    assert!(
        ui.idle_countdown_s >= Duration::from_secs(20),
        "WCAG 2.2.1: at least 20 s to answer"
    );
    let left = rig.kiosk.idle_countdown().expect("the prompt counts down");
    assert!(left + 2 >= ui.idle_countdown_s.as_secs(), "{left} s left");
    assert!(rig.shows_part(&format!("clear in {left} seconds")));
    assert!(
        !rig.shows("Choose your size") && !rig.shows_part("Pace Runner"),
        "nothing of the shopper's screen shows behind the prompt"
    );
    rig.tap("More time").await;
    assert!(!rig.shows("Are you still there?"));
    assert!(
        matches!(rig.kiosk.screen, Screen::Product(_)),
        "the shopper keeps their place"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switch_mid_flow_and_reset_to_default() {
    let mut rig = rig(true).await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("Choose your size"));
    rig.tap("Español").await;
    assert!(rig.shows("Elige tu talla"));
    assert!(rig.shows("Empezar de nuevo"));
    rig.tap("Empezar de nuevo").await;
    assert!(
        rig.shows("Every size, right here"),
        "the shopper's language is reset"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_unreadable_codes_say_what_to_do_in_the_shoppers_words() {
    let mut rig = rig(true).await;
    rig.wedge("4006381333931").await;
    assert!(rig.shows("We don't have that shoe in our catalog. An associate can help."));
    let cases = [
        ("4006381333932", "scan-why-check"),
        ("40063", "scan-why-length"),
        ("4006x81333931", "scan-why-digits"),
        ("]C1(10)ABC123", "scan-why-product"),
    ];
    for lang in ["en", "es"] {
        rig.send(Message::Language(lang.into())).await;
        for (code, key) in cases {
            rig.wedge(code).await;
            let Screen::Scan(scan) = &rig.kiosk.screen else {
                panic!("{code}: expected the scan screen");
            };
            let scan::Status::Unreadable(why) = scan.status().clone() else {
                panic!("{code}: expected unreadable, got {:?}", scan.status());
            };
            let expected = match why {
                scan::Why::Length(n) => rig.kiosk.lang.text_with(key, &[("count", n.to_string())]),
                _ => rig.kiosk.lang.text(key),
            };
            assert!(
                rig.shows(&expected),
                "{lang} {code}: {expected:?} not shown"
            );
            // The error's own words (for logs and staff) never reach the screen.
            let error = crate::domain::barcode::parse(code, None)
                .unwrap_err()
                .to_string();
            assert!(
                !rig.shows_part(&error),
                "{lang} {code}: {error:?} on screen"
            );
            for developer_word in ["check digit", "expected", "GTIN", "AI 01", "GS1"] {
                assert!(
                    !rig.shows_part(developer_word),
                    "{lang} {code}: {developer_word:?} on screen"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keypad_stays_put_when_a_message_comes_and_goes_and_shows_digits_as_on_the_label() {
    let mut rig = rig(true).await;
    rig.tap("Scan a shoe").await;
    let search = |rig: &mut Rig| {
        let mut ui = screen(rig.kiosk.view());
        let target = ui.find("Search").expect("the search key");
        target.bounds()
    };
    let before = search(&mut rig);
    for d in "4006381333932".chars() {
        rig.send(Message::Scan(scan::Message::Digit(d))).await;
    }
    assert!(
        rig.shows("4\u{2009}006381\u{2009}333932"),
        "grouped as printed"
    );
    rig.tap("Search").await;
    assert!(rig.shows_part("One of the digits looks wrong"));
    assert_eq!(
        search(&mut rig),
        before,
        "a message does not move the keypad"
    );
    rig.send(Message::Scan(scan::Message::Delete)).await;
    assert!(!rig.shows_part("One of the digits looks wrong"));
    assert_eq!(search(&mut rig), before, "nor does its going");
    // What the handheld scanner read shows the same way.
    rig.wedge("4006381333931").await;
    assert!(rig.shows("4\u{2009}006381\u{2009}333931"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_warehouse_down_the_grid_says_so_and_store_sizes_still_work() {
    let mut rig = rig(false).await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows(
        "We can't reach the warehouse right now. Sizes in this store can still be brought to you."
    ));
    assert!(rig.shows("In this store"));
    assert!(!rig.shows("Ship to home"));
    rig.choose(IN_STORE).await;
    rig.tap("Yes, bring it").await;
    assert!(rig.shows("Request saved. An associate will bring it shortly."));
}

#[test]
fn a_broken_config_shows_the_out_of_order_screen() {
    let broken = crate::checks::parse(
        "[store]\nid = \"s1\"\n[ui]\nidle_timeout_s = 5\n",
        std::path::Path::new("kiosk.toml"),
    )
    .unwrap_err();
    let detail = broken.to_string();
    assert!(detail.contains("kiosk.toml:4"), "{detail}");
    let (kiosk, _) = Kiosk::new(Err(broken));
    let mut ui = screen(kiosk.view());
    assert!(ui.find("This kiosk is out of order").is_ok());
    // What to do for this kind of breakdown, then exactly where.
    assert!(
        ui.find(|c: iced_test::selector::Candidate<'_>| match c {
            iced_test::selector::Candidate::Text { content, .. }
                if content.contains("kiosk config check") =>
            {
                Some(())
            }
            _ => None,
        })
        .is_ok()
    );
    assert!(ui.find(detail.as_str()).is_ok());
}

fn camera_read(gtin: &str) -> Message {
    Message::Camera(crate::camera::CameraEvent::Read(crate::camera::Accepted {
        gtin: gtin.parse().unwrap(),
        text: gtin.to_owned(),
        raw: gtin[1..].to_owned(),
        format: "ean 13".into(),
        symbology: Some(crate::domain::barcode::Symbology::Ean13),
        slow_path: false,
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_read_opens_the_product_once_and_a_new_tag_switches_it() {
    let mut rig = rig(true).await;
    rig.send(camera_read(IN_STORE)).await;
    assert_eq!(rig.product().grid().scanned.to_string(), IN_STORE);
    let opened = rig.product().pending();
    // The same tag still in view: no second lookup, the shopper keeps their place.
    rig.send(camera_read(IN_STORE)).await;
    assert_eq!(rig.product().pending(), opened, "the same product screen");
    rig.send(camera_read(SHIP_ONLY)).await;
    assert_eq!(rig.product().grid().scanned.to_string(), SHIP_ONLY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scan_screen_says_when_the_camera_is_not_working() {
    let mut rig = rig(true).await;
    rig.tap("Scan a shoe").await;
    rig.send(Message::Camera(crate::camera::CameraEvent::Unavailable(
        "no camera found".into(),
    )))
    .await;
    assert!(rig.shows(
        "The camera is not working right now. Type the number printed under the barcode, or ask an associate."
    ));
    assert!(rig.shows("Search"), "the keypad still works");
    // The heading names what works: not the camera, but the handheld scanner.
    assert!(!rig.shows_part("to the camera"));
    assert!(rig.shows("Scan the barcode with the handheld scanner"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scan_heading_fits_the_hardware_that_works() {
    for (camera, handheld, heading) in [
        (
            true,
            true,
            "Show the barcode to the camera, or scan it with the handheld scanner",
        ),
        (true, false, "Show the barcode to the camera"),
        (false, true, "Scan the barcode with the handheld scanner"),
        (false, false, "Type the number under the barcode"),
    ] {
        let mut rig = rig_with(true, |config, _| {
            config.camera.enabled = camera;
            config.barcode.handheld_scanner = handheld;
        })
        .await;
        rig.tap("Scan a shoe").await;
        assert!(rig.shows(heading), "camera {camera}, scanner {handheld}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calling_an_associate_also_reaches_the_store_webhook() {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post({
            let got = got.clone();
            move |axum::Json(body): axum::Json<serde_json::Value>| {
                let got = got.clone();
                async move {
                    got.lock().unwrap().push(body);
                    "ok"
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut rig = rig_with(true, |config, _| {
        config.notifications.associate_webhook = Some(url.parse().unwrap());
        config.store.kiosk_id = "entrance".into();
    })
    .await;
    rig.tap("Call an associate").await;
    rig.wedge(IN_STORE).await;
    rig.choose(IN_STORE).await;
    rig.tap("Yes, bring it").await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0]["kind"], "associate");
    assert_eq!(got[0]["kiosk_id"], "entrance");
    assert_eq!(got[1]["kind"], "bring_size");
    assert_eq!(got[1]["gtin"], IN_STORE);
    assert_eq!(got[1]["size_label"], "EU 40");
    assert_eq!(
        got[1]["style"],
        "Northwind Pace Runner · Black (NO-RUN-001)"
    );
}

/// The camera keeps talking while nobody is there: absent (a retry message every 2 s),
/// failing (up, then down again), or reading the tag left in view, with previews.
fn camera_chatter(kind: &str, gtin: &str) -> Vec<Message> {
    use crate::camera::CameraEvent;
    match kind {
        "absent" => vec![Message::Camera(CameraEvent::Unavailable(
            "no camera found".into(),
        ))],
        "failing" => vec![
            Message::Camera(CameraEvent::Active("device 0".into())),
            Message::Camera(CameraEvent::Unavailable("device 0 stopped".into())),
        ],
        _ => vec![
            Message::Camera(CameraEvent::Preview(std::sync::Arc::new(
                crate::camera::Preview {
                    width: 2,
                    height: 1,
                    rgba: vec![0; 8].into(),
                },
            ))),
            camera_read(gtin),
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_person_keeps_a_session_alive_whatever_the_camera_says() {
    for kind in ["absent", "failing", "reading"] {
        for screen in ["scan", "product"] {
            let mut rig = rig(true).await;
            match screen {
                "scan" => rig.tap("Scan a shoe").await,
                _ => rig.wedge(IN_STORE).await,
            }
            let timeout = rig.kiosk.config().ui.idle_timeout_s.as_secs();
            let start = Instant::now();
            let mut reset_after = None;
            for second in (0..timeout + 30).step_by(2) {
                rig.send(Message::Tick(start + Duration::from_secs(second)))
                    .await;
                if matches!(rig.kiosk.screen, Screen::Attract) {
                    reset_after = Some(second);
                    break;
                }
                // On the scan screen a read would open a product: a real scan. Only the
                // product screen's own tag, still in view, is chatter there.
                let gtin = IN_STORE;
                if screen == "scan" && kind == "reading" {
                    continue;
                }
                for message in camera_chatter(kind, gtin) {
                    rig.send(message).await;
                }
            }
            let reset_after = reset_after
                .unwrap_or_else(|| panic!("{screen} screen with the camera {kind}: never reset"));
            assert!(
                reset_after <= timeout + 2,
                "{screen} with the camera {kind}: reset after {reset_after} s (timeout {timeout} s)"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_shop_continues_on_the_phone_only_where_the_chain_has_one() {
    let mut rig = rig(true).await;
    rig.wedge(IN_STORE).await;
    assert!(
        !rig.shows("Continue on your phone"),
        "no web shop configured"
    );
    let mut rig = rig_with(true, |config, _| {
        config.shop.product_url =
            "https://shop.example.com/p/{{ style }}?gtin={{ gtin }}&utm_campaign={{ store }}"
                .into();
    })
    .await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("Continue on your phone"));
    // The code a phone reads is the shop's page of this style at the scanned size.
    let read = qr_text(
        rig.product()
            .phone_qr()
            .expect("a QR code on the product screen"),
    );
    let style = rig.product().grid().style.style_code.clone();
    assert_eq!(
        read,
        format!("https://shop.example.com/p/{style}?gtin={IN_STORE}&utm_campaign=demo-store-001")
    );
    // A size to ship home: instead of typing an address here, the same shop at that size.
    rig.choose(SHIP_ONLY).await;
    assert!(rig.shows("Rather not type your address here?"));
    let Screen::Order(order) = &rig.kiosk.screen else {
        panic!("expected the order screen");
    };
    assert_eq!(
        qr_text(order.phone_qr().expect("a QR code on the order screen")),
        format!("https://shop.example.com/p/{style}?gtin={SHIP_ONLY}&utm_campaign=demo-store-001")
    );
}

/// What a phone reads in a QR code the kiosk drew.
pub(super) fn qr_text(qr: &super::widgets::QrCode) -> String {
    let iced::widget::image::Handle::Rgba {
        width,
        height,
        pixels,
        ..
    } = &qr.handle
    else {
        panic!("not a drawn picture");
    };
    let luma: Vec<u8> = pixels.chunks_exact(4).map(|p| p[0]).collect();
    crate::camera::decode::Decoder::for_files(&[crate::config::BarcodeFormat::QrCode])
        .luma(&luma, *width, *height)
        .expect("the QR code reads")
        .text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_explain_their_letters_and_the_scanned_one_says_so_in_words() {
    let mut rig = rig(true).await;
    rig.wedge(IN_STORE).await;
    assert!(rig.shows("W = wide fit"), "the W is explained");
    assert!(rig.shows("Scanned"), "the scanned size is marked in words");
    rig.send(Message::Product(product::Message::System(
        SizeSystemName::Us,
    )))
    .await;
    assert!(
        !rig.shows_part("US M "),
        "men's is not a letter next to the width"
    );
    assert!(rig.shows_part("US sizes are men's"));
    // The high-contrast switch says whether it is on.
    assert!(rig.shows("High contrast: off"));
    rig.tap("High contrast: off").await;
    assert!(rig.shows("High contrast: on"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_runs_only_as_fast_as_the_screen_needs() {
    let mut rig = rig(true).await;
    let slow = Some(Duration::from_secs(5));
    assert_eq!(
        rig.kiosk.tick_interval(),
        slow,
        "attract: the hint every 5 s"
    );
    rig.send(Message::CornerPressed).await;
    assert_eq!(
        rig.kiosk.tick_interval(),
        Some(Duration::from_millis(250)),
        "the manager's long press is timed closely"
    );
    rig.send(Message::CornerReleased).await;
    rig.wedge(IN_STORE).await;
    assert_eq!(rig.kiosk.tick_interval(), slow, "nothing counts down yet");
    // Close to the prompt the clock goes to whole seconds, so the prompt is on time.
    let ui = rig.kiosk.config().ui;
    let near = Instant::now() + (ui.idle_timeout_s - ui.idle_countdown_s) - Duration::from_secs(8);
    rig.send(Message::Tick(near)).await;
    assert_eq!(rig.kiosk.tick_interval(), Some(Duration::from_secs(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_spanish_the_keyboard_types_munoz_and_prices_and_dates_read_as_spanish() {
    let mut rig = rig(true).await;
    rig.tap("Español").await;
    rig.wedge(SHIP_ONLY).await;
    assert!(rig.shows("149,99 €"), "money as Spanish writes it");
    assert!(
        rig.shows("Pace Runner · Negro"),
        "the catalog colour in Spanish"
    );
    assert!(
        rig.shows("Horma: Se ajusta a tu talla habitual."),
        "the fit note in the catalog's own Spanish"
    );
    assert!(!rig.shows_part("€149"));
    rig.choose(SHIP_ONLY).await;
    assert!(
        rig.shows_part(", ") && !rig.shows_part("/12"),
        "dates in words, never 04/12"
    );
    rig.tap("Continuar").await;
    rig.send(Message::Order(order::Message::Focus(order::Field::Name)))
        .await;
    for key in ["M", "u", "ñ", "o", "z"] {
        rig.tap(key).await;
    }
    let Screen::Order(o) = &rig.kiosk.screen else {
        panic!("expected the form")
    };
    assert_eq!(o.value(order::Field::Name), "Muñoz");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_goes_one_step_at_a_time_and_keeps_what_was_entered() {
    let mut rig = rig(true).await;
    rig.wedge(SHIP_ONLY).await;
    rig.send(Message::Product(product::Message::System(
        SizeSystemName::Uk,
    )))
    .await;
    rig.choose(SHIP_ONLY).await;
    rig.tap("Continue").await;
    rig.send(Message::Order(order::Message::Focus(order::Field::Name)))
        .await;
    rig.send(Message::Order(order::Message::Key('A'))).await;
    rig.tap("Back").await;
    assert!(rig.shows("Ship to your home"), "form → review");
    rig.tap("Continue").await;
    let Screen::Order(o) = &rig.kiosk.screen else {
        panic!("expected the form")
    };
    assert_eq!(o.value(order::Field::Name), "A", "what was typed is kept");
    rig.tap("Back").await;
    rig.tap("Back").await;
    assert!(rig.shows("Choose your size"), "review → the product");
    assert!(
        rig.shows_part("UK "),
        "the product as it was left (UK sizes still chosen)"
    );
    rig.tap("Back").await;
    assert!(
        rig.shows("Or type the number under the barcode"),
        "product → scan"
    );
}
