use std::path::Path;
use std::time::Duration;

use super::*;

/// A kiosk config in `dir`: the demo fixtures, the embedded warehouse, no camera, a health
/// file every second.
fn demo_config(dir: &Path) -> LoadedConfig {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = dir.join("kiosk.toml");
    std::fs::write(
        &file,
        format!(
            "[database]\npath = \"k.sqlite3\"\ndemo_fixtures = {:?}\n\
             [warehouse]\nembedded_db = \"wh.sqlite3\"\n\
             [camera]\nenabled = false\n\
             [health]\nfile = \"kiosk-health.json\"\nlisten = \"\"\ninterval_s = 1\n",
            root.join("fixtures").display().to_string()
        ),
    )
    .unwrap();
    crate::checks::load(Some(&file)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_started_runtime_syncs_writes_its_health_file_and_shuts_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::start(demo_config(dir.path())).await.unwrap();
    let warehouse = runtime
        .embedded_warehouse()
        .expect("the demo's embedded warehouse");
    // Nothing asked for a sync: the background one runs at start.
    let mut synced = None;
    for _ in 0..100 {
        synced = runtime
            .db
            .call(|db| db.feed(crate::runtime::sync::STOCK_FEED))
            .await
            .unwrap();
        if synced.is_some() && dir.path().join("kiosk-health.json").exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(synced.is_some(), "the background sync ran");
    let health: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("kiosk-health.json")).unwrap())
            .unwrap();
    assert_eq!(health["camera"], "off");
    // Shutdown waits for the background work and stops the embedded warehouse.
    assert!(
        runtime.shutdown(Duration::from_secs(30)).await,
        "every background task stopped when asked"
    );
    assert!(
        tokio::net::TcpStream::connect(warehouse).await.is_err(),
        "the embedded warehouse is stopped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_cannot_be_opened_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = demo_config(dir.path());
    // A folder where the database file should be.
    std::fs::create_dir_all(dir.path().join("k.sqlite3")).unwrap();
    let error = Runtime::start(loaded).await.unwrap_err().to_string();
    assert!(error.contains("k.sqlite3"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_kiosk_reports_to_the_warehouses_fleet_list() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::start(demo_config(dir.path())).await.unwrap();
    let store = runtime.embedded.as_ref().unwrap().store.clone();
    let mut fleet = Vec::new();
    for _ in 0..100 {
        fleet = store.fleet(Duration::from_secs(300)).unwrap();
        if !fleet.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fleet.len(), 1, "the first beat goes at start");
    let kiosk = &fleet[0];
    assert_eq!(
        (kiosk.store_id.as_str(), kiosk.kiosk_id.as_str()),
        ("demo-store-001", "kiosk-1")
    );
    assert!(!kiosk.stale);
    assert_eq!(kiosk.heartbeat.camera, "off");
    assert!(runtime.shutdown(Duration::from_secs(30)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_kiosk_sends_its_finished_days_to_the_chain_report() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::start(demo_config(dir.path())).await.unwrap();
    let store = runtime.embedded.as_ref().unwrap().store.clone();
    let today = jiff::Zoned::now().date();
    let from = today.checked_sub(jiff::Span::new().days(60)).unwrap();
    let mut report = None;
    for _ in 0..100 {
        let r = store
            .chain_report(&from.to_string(), &today.to_string())
            .unwrap();
        if r.stores.first().is_some_and(|s| s.kiosk_days >= 28) {
            report = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report = report.expect("the demo's four weeks reach the warehouse at start");
    let own = &report.stores[0];
    assert_eq!((own.store_id.as_str(), own.kiosks), ("demo-store-001", 1));
    // The chain sees what the store's own report sees for those days.
    let period = crate::domain::analytics::Period {
        from,
        to: today.yesterday().unwrap(),
    };
    let local = runtime
        .db
        .call(move |db| crate::domain::analytics::query(db, period))
        .await
        .unwrap();
    assert!(local.total_lost() > 0);
    assert_eq!(report.total_lost(), local.total_lost());
    assert_eq!(own.scans, local.total_scans());
    assert!(runtime.shutdown(Duration::from_secs(30)).await);
}
