//! A throwaway PostgreSQL cluster for tests and benchmarks: Debian's server programs
//! (`postgresql` package), `initdb` in a fresh directory under the temp dir, reached only by
//! a unix socket in that directory (no TCP port, no system service). It stops and its
//! directory is deleted when the process that started it ends, however it ends: the server
//! runs under a small shell that waits on a pipe from this process and stops the server
//! when the pipe closes.
//!
//! Run as root (CI), the server runs as the `postgres` user, since PostgreSQL refuses root.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL's server programs (initdb, postgres) were not found under \
         /usr/lib/postgresql/*/bin or $PG_BIN: install Debian's postgresql package \
         (`bash .ci/deps` does)"
    )]
    NotInstalled,
    #[error("{step}: {detail}")]
    Failed { step: String, detail: String },
}

fn failed(step: &str, detail: impl std::fmt::Display) -> ClusterError {
    ClusterError::Failed {
        step: step.to_owned(),
        detail: detail.to_string(),
    }
}

/// A running cluster; dropping it stops the server and deletes its directory.
pub struct ThrowawayCluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    /// Closing it stops the server (see the module's comment).
    keeper_stdin: Option<ChildStdin>,
    keeper: Child,
}

/// The directory of the newest PostgreSQL's server programs.
fn server_bin() -> Result<PathBuf, ClusterError> {
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from)
        && dir.join("initdb").exists()
    {
        return Ok(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| ClusterError::NotInstalled)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("postgres").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or(ClusterError::NotInstalled)
}

fn output(command: &mut Command, step: &str) -> Result<String, ClusterError> {
    let out = command.output().map_err(|e| failed(step, e))?;
    if !out.status.success() {
        return Err(failed(
            step,
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u"), "id -u").is_ok_and(|uid| uid == "0")
}

impl ThrowawayCluster {
    /// initdb and start; ready for connections when this returns (a few seconds).
    pub fn start() -> Result<Self, ClusterError> {
        let bin = server_bin()?;
        let run_as = is_root().then(|| "postgres".to_owned());
        let dir = std::env::temp_dir().join(format!(
            "kiosk-pg-{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ));
        std::fs::create_dir_all(&dir).map_err(|e| failed("creating the cluster directory", e))?;
        if let Some(user) = &run_as {
            let uid = output(Command::new("id").args(["-u", user]), "id -u postgres")?;
            let gid = output(Command::new("id").args(["-g", user]), "id -g postgres")?;
            std::os::unix::fs::chown(&dir, uid.parse().ok(), gid.parse().ok())
                .map_err(|e| failed("giving the cluster directory to postgres", e))?;
        }
        let data = dir.join("data");
        output(
            Self::command(&run_as, &bin.join("initdb")).args([
                "-D",
                &data.to_string_lossy(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]),
            "initdb",
        )?;
        // The server under a shell that stops it (and removes the directory) when this
        // process's end of the pipe closes.
        let script = format!(
            "'{postgres}' -D '{data}' -k '{dir}' -c listen_addresses= -c fsync=off \
               -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
               >'{dir}/postgres.log' 2>&1 & pid=$!; \
             read -r _ignored; kill -INT $pid; wait $pid; rm -rf '{dir}'",
            postgres = bin.join("postgres").display(),
            data = data.display(),
            dir = dir.display(),
        );
        let mut keeper = Self::command(&run_as, Path::new("sh"))
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| failed("starting postgres", e))?;
        let keeper_stdin = keeper.stdin.take();
        let cluster = Self {
            dir,
            bin,
            run_as,
            keeper_stdin,
            keeper,
        };
        cluster.wait_ready()?;
        Ok(cluster)
    }

    fn command(run_as: &Option<String>, program: &Path) -> Command {
        match run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    fn wait_ready(&self) -> Result<(), ClusterError> {
        let started = Instant::now();
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", &self.dir.to_string_lossy(), "-U", "postgres"])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(60) {
                let log =
                    std::fs::read_to_string(self.dir.join("postgres.log")).unwrap_or_default();
                return Err(failed("waiting for postgres to accept connections", log));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The directory holding the server's unix socket.
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// A new empty database `name` (letters, digits and '_'), and its URL.
    pub fn create_database(&self, name: &str) -> Result<String, ClusterError> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(failed(
                "create database",
                "name: letters, digits and '_' only",
            ));
        }
        output(
            Command::new(self.bin.join("psql"))
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
                .arg(&self.dir)
                .args(["-U", "postgres", "-d", "postgres", "-c"])
                .arg(format!("CREATE DATABASE {name}")),
            "create database",
        )?;
        Ok(self.url(name))
    }

    /// `postgresql://postgres@<socket dir>/name`.
    pub fn url(&self, name: &str) -> String {
        let host = percent_encoding::utf8_percent_encode(
            &self.dir.to_string_lossy(),
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        format!("postgresql://postgres@{host}/{name}")
    }

    /// The user the server runs as, when this process is root.
    pub fn runs_as(&self) -> Option<&str> {
        self.run_as.as_deref()
    }
}

impl Drop for ThrowawayCluster {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.keeper_stdin.take() {
            let _ = stdin.write_all(b"\n");
        }
        let _ = self.keeper.wait();
    }
}
