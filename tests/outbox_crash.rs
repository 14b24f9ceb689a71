//! `kill -9` of the kiosk between "written to the outbox" and "confirmed", then a restart:
//! exactly one order at the warehouse. The kiosk is the real binary; the warehouse is the real
//! server on 127.0.0.1, told to hold its answer so the kill lands mid-request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kiosk::warehouse::server::{self, Fault, ServerHandle, ServerOptions};

const STORE: &str = "demo-store-001";
const TOKEN: &str = "crash-test-token";

async fn warehouse(dir: &Path) -> ServerHandle {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let store = server::open_store(&dir.join("wh.sqlite3"), Some(&fixtures), STORE, TOKEN).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::spawn(listener, store, &ServerOptions::default()).unwrap()
}

fn kiosk(dir: &Path, server: &ServerHandle) -> Command {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let config = dir.join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\npath = \"kiosk.sqlite3\"\ndemo_fixtures = {:?}\n\n[warehouse]\nmode = \"remote\"\nurl = \"{}\"\ntimeout_ms = 10000\nconnect_timeout_ms = 1000\n",
            fixtures.display().to_string(),
            server.url()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("kiosk"));
    cmd.env("KIOSK_CONFIG", &config)
        .env("KIOSK_WAREHOUSE_TOKEN", TOKEN)
        .env_remove("RUST_LOG")
        .current_dir(dir);
    cmd
}

fn place(cmd: &mut Command) -> &mut Command {
    cmd.args([
        "orders",
        "place",
        "--gtin",
        "04012345001013",
        "--name",
        "Ana Li",
        "--line1",
        "Hauptstr. 1",
        "--postal-code",
        "10115",
        "--city",
        "Berlin",
        "--country",
        "DE",
        "--email",
        "ana@example.com",
    ])
}

fn outbox_status(dir: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(dir.join("kiosk.sqlite3")).unwrap();
    let mut stmt = conn.prepare("SELECT id, status FROM order_outbox").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Starts `kiosk orders place`, waits for the outbox line, then for `ready`, then SIGKILLs it.
fn place_and_kill(dir: &Path, server: &ServerHandle, ready: impl Fn() -> bool) {
    let mut child = place(&mut kiosk(dir, server))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("written to the outbox"), "{line}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "the kiosk never reached the point to kill it"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no destructors, no flushes
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_warehouse_committed_makes_exactly_one_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = warehouse(dir.path()).await;
    // The warehouse commits the order, then holds the answer: the kiosk dies waiting for it.
    server
        .faults
        .push("/v1/orders", Fault::DelayAfter(Duration::from_secs(5)));
    let store = server.store.clone();
    place_and_kill(dir.path(), &server, || store.order_count().unwrap() == 1);
    let outbox = outbox_status(dir.path());
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        outbox[0].1, "sending",
        "the kiosk never learned the outcome"
    );

    // Restart: the outbox sends it again with the same key; the warehouse replays its answer.
    let out = kiosk(dir.path(), &server)
        .args(["orders", "send"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("confirmed"));
    assert_eq!(server.store.order_count().unwrap(), 1, "exactly one order");
    assert_eq!(outbox_status(dir.path())[0].1, "confirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_the_warehouse_saw_it_makes_exactly_one_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = warehouse(dir.path()).await;
    // The request is held before the warehouse handles it; the kill drops the connection.
    server
        .faults
        .push("/v1/orders", Fault::Delay(Duration::from_secs(5)));
    let faults = server.faults.clone();
    place_and_kill(dir.path(), &server, || faults.pending() == 0);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.store.order_count().unwrap(), 0);
    assert_eq!(outbox_status(dir.path())[0].1, "sending");

    let out = kiosk(dir.path(), &server)
        .args(["orders", "send"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.store.order_count().unwrap(), 1, "exactly one order");
    // A second restart sends nothing more.
    let out = kiosk(dir.path(), &server)
        .args(["orders", "send"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no orders due"));
    assert_eq!(server.store.order_count().unwrap(), 1);
}
