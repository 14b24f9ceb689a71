//! Health for fleet monitoring: the systemd watchdog heartbeat, seen on a fake notify socket
//! by a real `kiosk` process, and the status file and endpoint on a real database.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kiosk::db::DbHandle;
use kiosk::runtime::health::{self, HealthOptions, Shared};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

#[test]
fn a_service_under_systemd_says_ready_then_sends_watchdog_heartbeats() {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // systemd sets WATCHDOG_PID to the service's pid; `exec` keeps the shell's pid for kiosk.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"WATCHDOG_PID=$$ exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_kiosk"))
        .args(["warehouse", "serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("wh.sqlite3"))
        .arg("--fixtures")
        .arg(fixtures())
        .env("KIOSK_WAREHOUSE_TOKEN", "health-test-token-0123456789")
        .env("NOTIFY_SOCKET", &socket_path)
        // systemd's WatchdogSec=0.4: the service must beat at least every 0.4 s.
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut messages = Vec::new();
    let mut buf = [0u8; 256];
    let started = Instant::now();
    while messages.iter().filter(|m| *m == "WATCHDOG=1").count() < 3 {
        let n = socket.recv(&mut buf).expect("a notification within 20 s");
        messages.push(String::from_utf8_lossy(&buf[..n]).trim().to_owned());
    }
    let beats = started.elapsed();
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert_eq!(messages[0], "READY=1", "{messages:?}");
    assert!(
        messages[1..].iter().all(|m| m == "WATCHDOG=1"),
        "{messages:?}"
    );
    // Three beats at half the watchdog time: about 0.2 s apart after startup.
    assert!(beats < Duration::from_secs(20));
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
}

fn options(file: Option<std::path::PathBuf>) -> HealthOptions {
    HealthOptions {
        store_id: "demo-store-001".into(),
        file,
        sync_max_age_s: 3600,
        interval: Duration::from_millis(50),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_says_what_is_wrong_in_the_file_and_on_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = kiosk::domain::seed::open_or_seed(
        &dir.path().join("k.sqlite3"),
        Some(fixtures()),
        kiosk::db::Check::Full,
    )
    .unwrap();
    let db = DbHandle::new(db);
    let shared = Shared::default();
    shared.set_camera("unavailable");

    let status = health::status(&db, &shared, &options(None)).await;
    assert!(!status.ok);
    assert_eq!(
        status.problems,
        ["never synced with the warehouse", "camera unavailable"]
    );
    assert_eq!(status.outbox_pending, 0);

    // The file is rewritten by the heartbeat; no shopper data can be in it (it has no field
    // for any).
    let file = dir.path().join("health.json");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let beat = tokio::spawn(health::run_heartbeat(
        db.clone(),
        shared.clone(),
        options(Some(file.clone())),
        stopped.clone(),
    ));
    let addr = health::serve(
        "127.0.0.1:0".parse().unwrap(),
        db.clone(),
        shared.clone(),
        options(None),
        stopped,
    )
    .await
    .unwrap();
    let url = format!("http://{addr}/health");
    let answer = reqwest::get(&url).await.unwrap();
    assert_eq!(answer.status(), 503);

    // A sync happened and the camera came back: ok, 200.
    db.call(|db| db.record_feed("stock", "42", "test"))
        .await
        .unwrap();
    shared.set_camera("active");
    let answer = reqwest::get(&url).await.unwrap();
    assert_eq!(answer.status(), 200);
    let json: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["camera"], "active");
    assert!(json["last_sync_age_s"].as_u64().unwrap() < 60);

    tokio::time::sleep(Duration::from_millis(200)).await;
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["store_id"], "demo-store-001");
    assert_eq!(written["ok"], true);
    stop.send(true).unwrap();
    beat.await.unwrap();
}

#[test]
fn the_systemd_units_pass_systemd_analyze_verify() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("systemd-analyze is missing: `apt-get install systemd` (.ci/deps does)");
    }
    let dir = tempfile::tempdir().unwrap();
    let units = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/systemd"));
    let mut paths = Vec::new();
    for name in ["kiosk.service", "kiosk-cage.service"] {
        // verify checks that ExecStart's program exists: point it at this build (and cage,
        // not installed here, at a shell).
        let text = std::fs::read_to_string(units.join(name))
            .unwrap()
            .replace("/usr/bin/kiosk", env!("CARGO_BIN_EXE_kiosk"))
            .replace("/usr/bin/cage", "/bin/sh");
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .args(&paths)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Unknown keys and bad values are only warnings for systemd: none is allowed here.
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}
